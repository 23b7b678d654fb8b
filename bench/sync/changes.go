package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ioemail/ioemail/bench/internal/gen"
)

// The changes made on each side of a synced pair before the "changes"
// sync: 100 on each side.
const (
	changedFlags = 50 // messages that gain \Answered (Maildir R)
	deleted      = 25 // messages deleted
	added        = 25 // new messages
)

// changeDovecot makes the 100 Dovecot-side changes in box over IMAP: 50
// unanswered messages gain \Answered, 25 others are expunged, 25 new ones
// are appended. first numbers the new messages (distinct Message-IDs).
func changeDovecot(addr, box string, rng *rand.Rand, first int) error {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login("alice", "alicepass").Wait(); err != nil {
		return err
	}
	if _, err := c.Select(box, nil).Wait(); err != nil {
		return err
	}
	unanswered, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagAnswered}}, nil).Wait()
	if err != nil {
		return err
	}
	all, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return err
	}
	flag := pick(rng, unanswered.AllUIDs(), changedFlags, nil)
	del := pick(rng, all.AllUIDs(), deleted, flag)
	if err := c.Store(imap.UIDSetNum(flag...), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagAnswered}}, nil).Close(); err != nil {
		return err
	}
	if err := c.Store(imap.UIDSetNum(del...), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return err
	}
	if err := c.UIDExpunge(imap.UIDSetNum(del...)).Close(); err != nil {
		return err
	}
	var b bytes.Buffer
	for k := range added {
		b.Reset()
		gen.WriteMessage(&b, rng, first+k)
		cmd := c.Append(box, int64(b.Len()), nil)
		if _, err := cmd.Write(b.Bytes()); err != nil {
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		if _, err := cmd.Wait(); err != nil {
			return err
		}
	}
	return c.Logout().Wait()
}

// changeMaildir makes the 100 Maildir-side changes in the folder dir
// (<root>/.box): 50 files without R are renamed to add it, 25 others are
// removed, 25 new files are delivered to new/.
func changeMaildir(dir string, rng *rand.Rand, first int) error {
	var files, unanswered []string
	for _, sub := range []string{"cur", "new"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return err
		}
		for _, e := range ents {
			name := filepath.Join(sub, e.Name())
			files = append(files, name)
			if _, info, _ := strings.Cut(e.Name(), ":2,"); !strings.Contains(info, "R") {
				unanswered = append(unanswered, name)
			}
		}
	}
	slices.Sort(files)
	slices.Sort(unanswered)
	flag := pick(rng, unanswered, changedFlags, nil)
	for _, f := range flag {
		base := filepath.Base(f)
		key, info, _ := strings.Cut(base, ":2,")
		letters := []byte(info + "R")
		slices.Sort(letters)
		if err := os.Rename(filepath.Join(dir, f), filepath.Join(dir, "cur", key+":2,"+string(letters))); err != nil {
			return err
		}
	}
	for _, f := range pick(rng, files, deleted, flag) {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	now := time.Now().UnixNano()
	for k := range added {
		b.Reset()
		gen.WriteMessage(&b, rng, first+k)
		name := fmt.Sprintf("%d.N%dP%d.bench", now, k, os.Getpid())
		if err := os.WriteFile(filepath.Join(dir, "tmp", name), b.Bytes(), 0o600); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(dir, "tmp", name), filepath.Join(dir, "new", name)); err != nil {
			return err
		}
	}
	return nil
}

// pick returns n distinct items of from chosen with rng, none of them in
// not.
func pick[T comparable](rng *rand.Rand, from []T, n int, not []T) []T {
	var out []T
	for _, i := range rng.Perm(len(from)) {
		if len(out) == n {
			break
		}
		if !slices.Contains(not, from[i]) {
			out = append(out, from[i])
		}
	}
	return out
}

// count returns the messages in box on Dovecot and in the Maildir folder
// dir, to check that a sync left the pair equal.
func count(addr, box, dir string) (imapN, maildirN int, err error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	if err := c.Login("alice", "alicepass").Wait(); err != nil {
		return 0, 0, err
	}
	st, err := c.Status(box, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0, 0, err
	}
	for _, sub := range []string{"cur", "new"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return 0, 0, err
		}
		maildirN += len(ents)
	}
	return int(*st.NumMessages), maildirN, c.Logout().Wait()
}
