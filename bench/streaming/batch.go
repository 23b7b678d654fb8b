package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// batchMessage is message i of the batch rows: 2 to 63 KiB, sizes spread.
func batchMessage(i int) []byte {
	size := (2 + i*7919%62) << 10
	head := fmt.Sprintf("From: s%d@example.test\r\nSubject: batch %d\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n", i, i)
	return []byte(head + strings.Repeat("a line of the body of a batch message ......\r\n", (size-len(head))/48+1))
}

// batchPairs are the batch get rows on Maildir and m2dir: n messages
// written straight into a mailbox of each (valid names, no sync: the
// setup is not measured), fetched with GetMessages and with one
// GetMessage each, each against os.Open + io.Copy of the same files, every
// message into a SHA-256 writer.
func batchPairs(root string, n int) []pair {
	ctx := context.Background()
	mdRoot := filepath.Join(root, "batch-maildir")
	m2Root := filepath.Join(root, "batch-m2dir")
	md := client.NewMaildir(maildir.Store{Root: filepath.ToSlash(mdRoot)}, nil)
	m2 := client.NewM2dir(m2dir.Store{Root: filepath.ToSlash(m2Root)}, nil)
	for _, s := range []client.Storage{md, m2} {
		if err := s.CreateMailbox(ctx, "Batch"); err != nil {
			log.Fatal(err)
		}
	}
	mdDir := filepath.Join(mdRoot, ".Batch", "cur")
	m2Dir := filepath.Join(m2Root, "Batch")
	var mdIDs, m2IDs, mdPaths, m2Paths []string
	for i := range n {
		raw := batchMessage(i)
		key := fmt.Sprintf("1700000000.M%dP1Q1.bench,S=%d", i, len(raw))
		id := fmt.Sprintf("%s.n%d", m2dir.Checksum(raw), i)
		mdIDs, m2IDs = append(mdIDs, key), append(m2IDs, id)
		mdPaths = append(mdPaths, filepath.Join(mdDir, key+":2,S"))
		m2Paths = append(m2Paths, filepath.Join(m2Dir, "2024-01-01_100000,"+id))
		for _, p := range []string{mdPaths[i], m2Paths[i]} {
			if err := os.WriteFile(p, raw, 0o600); err != nil {
				log.Fatal(err)
			}
		}
	}
	anchor := func(paths []string) func() (int64, error) {
		return func() (int64, error) {
			var total int64
			buf := make([]byte, 32<<10)
			for _, p := range paths {
				f, err := os.Open(p)
				if err != nil {
					return 0, err
				}
				k, err := io.CopyBuffer(sha256.New(), f, buf)
				f.Close()
				if err != nil {
					return 0, err
				}
				total += k
			}
			return total, nil
		}
	}
	var out []pair
	for _, s := range []struct {
		name  string
		st    client.Storage
		ids   []string
		paths []string
	}{{"Maildir", md, mdIDs, mdPaths}, {"m2dir", m2, m2IDs, m2Paths}} {
		out = append(out, pair{
			name: fmt.Sprintf("%s GetMessages of %d", s.name, n), anchorName: "os.Open + io.Copy of each file",
			ours: func() (int64, error) {
				var total int64
				err := s.st.(client.MessagesGetter).GetMessages(ctx, "Batch", s.ids, func(_ string, r io.Reader) error {
					k, err := io.Copy(sha256.New(), r)
					total += k
					return err
				})
				return total, err
			},
			anchor: anchor(s.paths),
		}, pair{
			name: fmt.Sprintf("%s GetMessage x %d", s.name, n), anchorName: "os.Open + io.Copy of each file",
			ours: func() (int64, error) {
				var total int64
				for _, id := range s.ids {
					k, err := s.st.GetMessage(ctx, "Batch", id, sha256.New())
					if err != nil {
						return 0, err
					}
					total += k
				}
				return total, nil
			},
			anchor: anchor(s.paths),
		})
	}
	return out
}
