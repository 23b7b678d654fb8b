package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	ratios "github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/client"
)

var peersEnv = flag.String("peers", "/tmp/mailpeers/peers.env", "the peers file naming Dovecot (IMAP rows are skipped without it)")

// runIMAP runs the IMAP rows against the Dovecot of the peers file: get
// and add of one large message against go-imap's imapclient streaming,
// and a batch fetch.
func runIMAP(size int64) {
	addr, cfg, err := dovecot(*peersEnv)
	if err != nil {
		fmt.Printf("IMAP rows skipped: %v\n", err)
		return
	}
	ctx := context.Background()
	ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{TLSConfig: cfg, Auth: client.Password("alice", "alicepass"), MaxMessageSize: -1})
	if err != nil {
		log.Fatal(err)
	}
	defer ic.Close()
	theirs, err := imapclient.DialStartTLS(addr, &imapclient.Options{TLSConfig: cfg})
	if err != nil {
		log.Fatal(err)
	}
	defer theirs.Close()
	if err := theirs.Login("alice", "alicepass").Wait(); err != nil {
		log.Fatal(err)
	}
	box := "bench-streaming-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := ic.CreateMailbox(ctx, box); err != nil {
		log.Fatal(err)
	}
	defer ic.DeleteMailbox(ctx, box)
	fmt.Printf("IMAP: Dovecot at %s over STARTTLS, mailbox %s; %s\n\n", addr, box, ratios.Settings())

	id, err := ic.AddMessage(ctx, box, &message{size: size}, nil)
	if err != nil {
		log.Fatal(err)
	}
	uid, _ := strconv.ParseUint(id, 10, 32)
	// Selected after the APPEND: Dovecot answers a FETCH from the view of
	// the SELECT.
	if _, err := theirs.Select(box, nil).Wait(); err != nil {
		log.Fatal(err)
	}
	drop := func(id string) {
		if err := ic.DeleteMessages(ctx, box, []string{id}); err != nil {
			log.Fatal(err)
		}
	}
	imapRows := []pair{{
		name: "IMAP GetMessage", anchorName: "imapclient Fetch + io.Copy of the literal",
		ours: func() (int64, error) { return ic.GetMessage(ctx, box, id, sha256.New()) },
		anchor: func() (int64, error) {
			var n int64
			err := fetchTheirs(theirs, imap.UIDSetNum(imap.UID(uid)), func(_ imap.UID, r io.Reader) error {
				k, err := io.Copy(sha256.New(), r)
				n += k
				return err
			})
			return n, err
		},
	}, {
		name: "IMAP AddMessage (sized reader)", anchorName: "imapclient Append + io.Copy",
		ours: func() (int64, error) {
			id, err := ic.AddMessage(ctx, box, io.NewSectionReader(&messageAt{size: size}, 0, size), nil)
			if err == nil {
				drop(id)
			}
			return size, err
		},
		anchor: func() (int64, error) { return appendTheirs(theirs, box, size, drop) },
	}, {
		name: "IMAP AddMessage (unsized reader, spooled past 1 MiB)", anchorName: "imapclient Append + io.Copy",
		ours: func() (int64, error) {
			id, err := ic.AddMessage(ctx, box, &message{size: size}, nil)
			if err == nil {
				drop(id)
			}
			return size, err
		},
		anchor: func() (int64, error) { return appendTheirs(theirs, box, size, drop) },
	}}
	for _, p := range imapRows {
		run(p)
	}
	drop(id)
	batchRows(ctx, ic, theirs, box)
}

// batchRows fetches *batch small messages: GetMessages, one
// GetMessage per message, and imapclient's FETCH of the same set.
func batchRows(ctx context.Context, ic *client.IMAPClient, theirs *imapclient.Client, box string) {
	ids := make([]string, *batch)
	var set imap.UIDSet
	var total int64
	for i := range ids {
		msg := fmt.Sprintf("From: a@example.test\r\nSubject: batch %d\r\nMessage-ID: <batch-%d@example.test>\r\n\r\n%s", i, i, strings.Repeat("a line of a small message\r\n", 1+i%200))
		id, err := ic.AddMessage(ctx, box, strings.NewReader(msg), nil)
		if err != nil {
			log.Fatal(err)
		}
		ids[i] = id
		u, _ := strconv.ParseUint(id, 10, 32)
		set.AddNum(imap.UID(u))
		total += int64(len(msg))
	}
	if err := theirs.Noop().Wait(); err != nil { // see the new messages
		log.Fatal(err)
	}
	anchor := func() (int64, error) {
		var n int64
		err := fetchTheirs(theirs, set, func(_ imap.UID, r io.Reader) error {
			k, err := io.Copy(io.Discard, r)
			n += k
			return err
		})
		return n, err
	}
	fmt.Printf("IMAP batch fetch of %d messages (%.1f MiB), anchor: imapclient UID FETCH of the set, each literal copied\n", len(ids), mib(uint64(total)))
	for _, p := range []pair{{
		name: "IMAP GetMessages", anchorName: "imapclient FETCH",
		ours: func() (int64, error) {
			var n int64
			err := ic.GetMessages(ctx, box, ids, func(_ string, r io.Reader) error {
				k, err := io.Copy(io.Discard, r)
				n += k
				return err
			})
			return n, err
		},
		anchor: anchor,
	}, {
		name: "IMAP GetMessage per message", anchorName: "imapclient FETCH",
		ours: func() (int64, error) {
			var n int64
			for _, id := range ids {
				k, err := ic.GetMessage(ctx, box, id, io.Discard)
				if err != nil {
					return n, err
				}
				n += k
			}
			return n, nil
		},
		anchor: anchor,
	}} {
		run(p)
	}
}

// fetchTheirs runs imapclient's UID FETCH (UID BODY.PEEK[]) of set,
// streaming each literal to fn.
func fetchTheirs(c *imapclient.Client, set imap.UIDSet, fn func(imap.UID, io.Reader) error) error {
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	defer cmd.Close()
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var uid imap.UID
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = item.UID
			case imapclient.FetchItemDataBodySection:
				if err := fn(uid, item.Literal); err != nil {
					return err
				}
			}
		}
	}
	return cmd.Close()
}

// appendTheirs runs imapclient's APPEND of a generated message, then
// removes it with drop.
func appendTheirs(c *imapclient.Client, box string, size int64, drop func(string)) (int64, error) {
	cmd := c.Append(box, size, nil)
	n, err := io.Copy(cmd, &message{size: size})
	if cerr := cmd.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	data, err := cmd.Wait()
	if err != nil {
		return n, err
	}
	drop(strconv.FormatUint(uint64(data.UID), 10))
	return n, nil
}

// messageAt is message with ReadAt, for the sized-reader row.
type messageAt struct{ size int64 }

// ReadAt fills p with the message's bytes from off.
func (m *messageAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= m.size {
		return 0, io.EOF
	}
	r := &message{size: m.size, off: off}
	n, _ := io.ReadFull(r, p)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// dovecot reads Dovecot's address and CA from the peers file.
func dovecot(path string) (string, *tls.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = strings.Trim(v, `"`)
		}
	}
	pem, err := os.ReadFile(env["PEERS_CA_CERT"])
	if err != nil {
		return "", nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) || env["PEERS_IMAP_ADDR"] == "" {
		return "", nil, fmt.Errorf("%s names no Dovecot or CA", path)
	}
	name := env["PEERS_TLS_SERVERNAME"]
	if name == "" {
		name = "localhost"
	}
	return env["PEERS_IMAP_ADDR"], &tls.Config{RootCAs: pool, ServerName: name}, nil
}
