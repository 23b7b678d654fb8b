package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/ioemail/ioemail/bench/internal/gen"
)

// fillBox writes n generated messages straight into the private Dovecot's
// Maildir as the mailbox box (LAYOUT=fs: <Maildir>/box/cur), owned by the
// mail user, a third of them seen and a tenth flagged. Dovecot indexes
// them when the mailbox is first opened (the untimed warm-up round).
func fillBox(dovecotDir, box string, n int, seed uint64) error {
	md := filepath.Join(dovecotDir, "mail", "alice", "Maildir", box)
	for _, sub := range []string{"", "cur", "new", "tmp"} {
		p := filepath.Join(md, sub)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		if err := os.Chown(p, mailUID, mailUID); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x73796e63))
	now := time.Now().Unix()
	var b bytes.Buffer
	for i := range n {
		b.Reset()
		gen.WriteMessage(&b, rng, i)
		info := ""
		if i%10 == 0 {
			info += "F"
		}
		if i%3 == 0 {
			info += "S"
		}
		p := filepath.Join(md, "cur", fmt.Sprintf("%d.M%dP%d.bench:2,%s", now, i, os.Getpid(), info))
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.Chown(p, mailUID, mailUID); err != nil {
			return err
		}
	}
	return nil
}
