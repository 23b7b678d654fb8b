package maildir_test

import (
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/treetest"
	"github.com/ioemail/ioemail/maildir"
)

var diffDriver = client.NewFileDriver(0)

// drive runs m on the real file system, answering FileWatch at once
// ("something may have changed"), and counts the requests of each kind.
func drive[R any](t *testing.T, m coroutine.FileMachine[R]) (R, map[coroutine.FileOp]int) {
	t.Helper()
	n := map[coroutine.FileOp]int{}
	out, err := coroutine.Run(m, func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for _, r := range reqs {
			n[r.Op]++
		}
		if len(reqs) > 0 && reqs[0].Op == coroutine.FileWatch {
			res := make([]coroutine.FileResult, len(reqs))
			for i, r := range reqs {
				if _, err := os.Stat(r.Path); err != nil {
					res[i].Err = err
				}
				res[i].Changed = true
			}
			return res
		}
		return diffDriver.Do(context.Background(), reqs)
	})
	require.NoError(t, err)
	return out, n
}

func must[R any](t *testing.T, m coroutine.FileMachine[R]) R {
	t.Helper()
	out, _ := drive(t, m)
	return out
}

func diffStore(t *testing.T) maildir.Store {
	t.Helper()
	s := maildir.Store{Root: filepath.ToSlash(t.TempDir()), Layout: maildir.LayoutFS, Clock: time.Now, Entropy: rand.Reader, Hostname: "test", Pid: os.Getpid()}
	must(t, s.CreateMailbox("INBOX"))
	must(t, s.CreateMailbox("Other"))
	return s
}

func diffMsg(subject string) []byte {
	return []byte("From: a@example.org\r\nSubject: " + subject + "\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n")
}

// fileOf returns the path of the message with key in dir's new/ or cur/.
func fileOf(t *testing.T, dir, key string) string {
	t.Helper()
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			if e.Name() == key || strings.HasPrefix(e.Name(), key+":") {
				return filepath.Join(dir, sub, e.Name())
			}
		}
	}
	t.Fatalf("no file for %s", key)
	return ""
}

func updates(d email.EnvelopeDiff) map[string][]string {
	m := map[string][]string{}
	for _, u := range d.FlagUpdates {
		m[u.ID] = u.Flags.Raw()
	}
	return m
}

func TestDiffEnvelopesMaildir(t *testing.T) {
	s := diffStore(t)
	a := must(t, s.AddMessage("INBOX", diffMsg("a"), email.ParseFlags(`\Seen`)))

	d := must(t, s.DiffEnvelopes("INBOX", nil))
	require.True(t, d.FullListRequired)
	d, ops := drive(t, s.DiffEnvelopes("INBOX", d.State))
	assert.True(t, d.Empty(), "%+v", d)
	assert.Zero(t, ops[coroutine.FileRead], "nothing changed: no file read")
	st := d.State
	d = must(t, s.DiffEnvelopes("INBOX", st))
	assert.Equal(t, st, d.State, "nothing changed: the state given back")

	// Adds: ours, and a delivery into new/ by another program.
	b := must(t, s.AddMessage("INBOX", diffMsg("b"), email.ParseFlags(`\Flagged`)))
	require.NoError(t, os.WriteFile(filepath.Join(s.Root, "new", "1700000000.M1P1Q1.elsewhere"), diffMsg("delivered"), 0o600))
	d = must(t, s.DiffEnvelopes("INBOX", st))
	require.Len(t, d.New, 2)
	news := map[string]email.Envelope{}
	for _, e := range d.New {
		news[e.ID] = e
	}
	assert.Equal(t, "b", news[b].Subject)
	assert.Equal(t, []string{`\Flagged`}, news[b].Flags.Raw())
	assert.Equal(t, "delivered", news["1700000000.M1P1Q1.elsewhere"].Subject)
	assert.Empty(t, d.Vanished)
	assert.Empty(t, d.FlagUpdates)
	st = d.State

	// A MUA moves the delivered message to cur/ and marks it seen; mblaze
	// flags another: flag updates, not vanish + add.
	require.NoError(t, os.Rename(filepath.Join(s.Root, "new", "1700000000.M1P1Q1.elsewhere"), filepath.Join(s.Root, "cur", "1700000000.M1P1Q1.elsewhere:2,S")))
	mflag(t, "-F", fileOf(t, s.Root, a))
	d = must(t, s.DiffEnvelopes("INBOX", st))
	assert.Empty(t, d.New)
	assert.Empty(t, d.Vanished)
	assert.Equal(t, map[string][]string{"1700000000.M1P1Q1.elsewhere": {`\Seen`}, a: {`\Seen`, `\Flagged`}}, updates(d))
	st = d.State

	// A move from new/ to cur/ that keeps the letters is no change.
	require.NoError(t, os.WriteFile(filepath.Join(s.Root, "new", "1700000001.M2P1Q1.elsewhere"), diffMsg("quiet"), 0o600))
	d = must(t, s.DiffEnvelopes("INBOX", st))
	require.Len(t, d.New, 1)
	st = d.State
	require.NoError(t, os.Rename(filepath.Join(s.Root, "new", "1700000001.M2P1Q1.elsewhere"), filepath.Join(s.Root, "cur", "1700000001.M2P1Q1.elsewhere:2,")))
	d = must(t, s.DiffEnvelopes("INBOX", st))
	assert.True(t, d.Empty(), "%+v", d)
	assert.Equal(t, st, d.State, "no change: the state given back")

	// Delete, move out, move in.
	must(t, s.DeleteMessages("INBOX", []string{b}))
	moved := must(t, s.MoveMessages("INBOX", "Other", []string{a}))
	d = must(t, s.DiffEnvelopes("INBOX", st))
	assert.ElementsMatch(t, []string{a, b}, d.Vanished)
	assert.Empty(t, d.New)
	assert.Empty(t, d.FlagUpdates)
	st = d.State
	back := must(t, s.MoveMessages("Other", "INBOX", moved))
	d = must(t, s.DiffEnvelopes("INBOX", st))
	require.Len(t, d.New, 1)
	assert.Equal(t, back[0], d.New[0].ID)
	assert.True(t, d.New[0].Flags.HasIANA(email.Flagged), "flags came along")

	for _, bad := range []email.State{email.State("junk"), d.State[:len(d.State)/2]} {
		assert.True(t, must(t, s.DiffEnvelopes("INBOX", bad)).FullListRequired)
	}
	assert.True(t, must(t, s.DiffEnvelopes("Other", d.State)).FullListRequired, "another mailbox's state")
	_, err := client.RunFiles(context.Background(), diffDriver, s.DiffEnvelopes("Missing", d.State))
	assert.ErrorIs(t, err, email.ErrNotFound)
}

// mflag runs mblaze's mflag on a file, or skips the test without mblaze.
func mflag(t *testing.T, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("mflag"); err != nil {
		t.Skip("mblaze is not installed")
	}
	cmd := exec.Command("mflag", args...)
	cmd.Env = append(os.Environ(), "MBLAZE="+t.TempDir())
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func TestDiffMailboxesMaildir(t *testing.T) {
	s := diffStore(t)
	// Aged, so that the changes below stamp other times.
	treetest.Age(t, s.Root)
	d := must(t, s.DiffMailboxes(nil))
	require.True(t, d.FullListRequired)
	d, ops := drive(t, s.DiffMailboxes(d.State))
	assert.True(t, d.Unchanged(), "%+v", d)
	assert.Zero(t, ops[coroutine.FileRead])

	must(t, s.CreateMailbox("Sent"))
	must(t, s.AddMessage("Other", diffMsg("x"), nil))
	d2 := must(t, s.DiffMailboxes(d.State))
	assert.Equal(t, []string{"Sent"}, d2.Created)
	assert.Equal(t, []string{"Other"}, d2.Updated)
	must(t, s.DeleteMailbox("Sent"))
	d3 := must(t, s.DiffMailboxes(d2.State))
	assert.Equal(t, []string{"Sent"}, d3.Deleted)
}

func TestWatchMailboxMaildirMachine(t *testing.T) {
	s := diffStore(t)
	a := must(t, s.AddMessage("INBOX", diffMsg("a"), email.ParseFlags(`\Seen`)))
	w := must(t, s.WatchMailbox("INBOX", nil, time.Second))
	assert.Empty(t, w.Events)
	assert.Equal(t, 1, w.State.Len())
	w = must(t, s.WatchMailbox("INBOX", w.State, time.Second))
	assert.Empty(t, w.Events, "nothing changed")

	mflag(t, "-s", "-F", fileOf(t, s.Root, a))
	require.NoError(t, os.WriteFile(filepath.Join(s.Root, "new", "1700000000.M1P1Q1.elsewhere"), diffMsg("new one"), 0o600))
	w = must(t, s.WatchMailbox("INBOX", w.State, time.Second))
	require.Len(t, w.Events, 3, "%+v", w.Events)
	assert.Equal(t, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: "INBOX", ID: a, Flags: email.ParseFlags(`\Flagged`)}, w.Events[0])
	assert.Equal(t, email.WatchEvent{Kind: email.FlagsRemoved, Mailbox: "INBOX", ID: a, Flags: email.ParseFlags(`\Seen`)}, w.Events[1])
	assert.Equal(t, email.EnvelopeAdded, w.Events[2].Kind)
	assert.Equal(t, "new one", w.Events[2].Envelope.Subject)

	must(t, s.DeleteMessages("INBOX", []string{a}))
	w = must(t, s.WatchMailbox("INBOX", w.State, time.Second))
	assert.Equal(t, []email.WatchEvent{{Kind: email.EnvelopeRemoved, Mailbox: "INBOX", ID: a}}, w.Events)
}
