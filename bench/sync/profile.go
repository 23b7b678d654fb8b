package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/client/mailsync"
	"github.com/ioemail/ioemail/maildir"
)

// profileOurs runs our engine in this process, as examples/sync would (a
// new engine, so the state file is read again, and new connections each
// run), with the CPU profiled: one initial sync into an empty Maildir into
// prefix + ".initial.1", -rounds unchanged syncs into prefix +
// ".unchanged.<round>", then -rounds syncs after 100 changes each into
// prefix + ".changes.<round>" (go tool pprof takes them all at once).
func profileOurs(t *tool, addr, prefix string) error {
	ctx := context.Background()
	state := filepath.Join(filepath.Dir(t.root), "ours.state")
	once := func() error {
		ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
		if err != nil {
			return err
		}
		defer ic.Close()
		if err := os.MkdirAll(t.root, 0o700); err != nil { // as examples/sync does
			return err
		}
		md := client.NewMaildir(maildir.Store{Root: filepath.ToSlash(t.root)}, nil)
		e, err := mailsync.New(ic, md, state, mailsync.Options{Mailboxes: []string{t.box}})
		if err != nil {
			return err
		}
		_, err = e.Once(ctx)
		return err
	}
	for _, s := range []string{"initial", "unchanged", "changes"} {
		var busy time.Duration
		for r := range *nRounds {
			if s == "initial" && r > 0 {
				break
			}
			if s == "initial" {
				if err := t.reset(); err != nil {
					return err
				}
			}
			if s == "changes" {
				first := *n + 100000 + 1000*r
				if err := changeDovecot(addr, t.box, rand.New(rand.NewPCG(*seed, uint64(100+2*r))), first); err != nil {
					return err
				}
				if err := changeMaildir(filepath.Join(t.root, "."+t.box), rand.New(rand.NewPCG(*seed, uint64(101+2*r))), first+500); err != nil {
					return err
				}
			}
			f, err := os.Create(fmt.Sprintf("%s.%s.%d", prefix, s, r+1))
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			start := time.Now()
			err = once()
			busy += time.Since(start)
			pprof.StopCPUProfile()
			f.Close()
			if err != nil {
				return err
			}
			if err := check(t, addr); err != nil {
				return err
			}
		}
		if s == "initial" {
			fmt.Printf("profiled 1 initial sync in process (%v) into %s.initial.1\n", busy.Round(time.Millisecond), prefix)
			continue
		}
		fmt.Printf("profiled %d %s syncs in process (%v in all) into %s.%s.*\n", *nRounds, s, busy.Round(time.Millisecond), prefix, s)
	}
	return nil
}
