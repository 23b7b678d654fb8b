package m2dir_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/treetest"
	"github.com/ioemail/ioemail/m2dir"
)

// counting drives a machine and counts the requests of each kind.
func counting[R any](t *testing.T, m coroutine.FileMachine[R]) (R, map[coroutine.FileOp]int) {
	t.Helper()
	n := map[coroutine.FileOp]int{}
	out, err := coroutine.Run(m, func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for _, r := range reqs {
			n[r.Op]++
		}
		return driver.Do(context.Background(), reqs)
	})
	require.NoError(t, err)
	return out, n
}

func TestDiffEnvelopes(t *testing.T) {
	s := newStore(t)
	run(t, s.CreateMailbox("Other"))
	keep := run(t, s.AddMessage("INBOX", msg("keep", "Mon, 1 Jan 2024 10:00:00 +0000"), email.ParseFlags(`\Seen`)))

	d := run(t, s.DiffEnvelopes("INBOX", nil))
	assert.True(t, d.FullListRequired)
	require.NotEmpty(t, d.State)
	st := d.State

	// Nothing changed: no file is read.
	d, ops := counting(t, s.DiffEnvelopes("INBOX", st))
	assert.True(t, d.Empty(), "%+v", d)
	assert.Zero(t, ops[coroutine.FileRead], "no file read when nothing changed")
	assert.Equal(t, 2, ops[coroutine.FileList])
	st = d.State

	// Adds.
	a := run(t, s.AddMessage("INBOX", msg("a", "Tue, 2 Jan 2024 10:00:00 +0000"), email.ParseFlags("$flagged")))
	b := run(t, s.AddMessage("INBOX", msg("b", ""), nil))
	d = run(t, s.DiffEnvelopes("INBOX", st))
	require.Len(t, d.New, 2)
	assert.Equal(t, a, d.New[0].ID)
	assert.Equal(t, "a", d.New[0].Subject)
	assert.Equal(t, []string{"$flagged"}, d.New[0].Flags.Raw())
	assert.Equal(t, b, d.New[1].ID)
	assert.Empty(t, d.Vanished)
	assert.Empty(t, d.FlagUpdates)
	st = d.State

	// Flag changes, ours and another program's (an in-place rewrite).
	run(t, s.StoreFlags("INBOX", []string{b}, email.FlagAdd, email.ParseFlags("Work")))
	require.NoError(t, os.WriteFile(filepath.Join(s.Root, "INBOX", ".meta", keep+".flags"), []byte("\\Seen\n\\Answered\n"), 0o600))
	// A rewrite with the same flags is not an update.
	run(t, s.StoreFlags("INBOX", []string{a}, email.FlagSet, email.ParseFlags("$flagged")))
	d = run(t, s.DiffEnvelopes("INBOX", st))
	assert.Empty(t, d.New)
	assert.Empty(t, d.Vanished)
	got := map[string][]string{}
	for _, u := range d.FlagUpdates {
		got[u.ID] = u.Flags.Raw()
	}
	assert.Equal(t, map[string][]string{b: {"Work"}, keep: {`\Seen`, `\Answered`}}, got)
	st = d.State

	// Delete, move out, move in.
	run(t, s.DeleteMessages("INBOX", []string{b}))
	run(t, s.MoveMessages("INBOX", "Other", []string{a}))
	d = run(t, s.DiffEnvelopes("INBOX", st))
	assert.ElementsMatch(t, []string{a, b}, d.Vanished)
	assert.Empty(t, d.New)
	assert.Empty(t, d.FlagUpdates)
	st = d.State
	back := run(t, s.MoveMessages("Other", "INBOX", []string{a}))
	d = run(t, s.DiffEnvelopes("INBOX", st))
	require.Len(t, d.New, 1)
	assert.Equal(t, back[0], d.New[0].ID)
	assert.Equal(t, []string{"$flagged"}, d.New[0].Flags.Raw(), "flags came along")

	// Moved out and back between two diffs: at most a flag update.
	st = d.State
	run(t, s.MoveMessages("INBOX", "Other", []string{a}))
	run(t, s.MoveMessages("Other", "INBOX", []string{a}))
	d = run(t, s.DiffEnvelopes("INBOX", st))
	assert.Empty(t, d.New)
	assert.Empty(t, d.Vanished)

	// Another backend's or damaged state: a baseline, never an error.
	for _, bad := range []email.State{email.State("garbage"), append(email.State("ioe2\x01"), 0xff, 0x00), d.State[:len(d.State)/2]} {
		d = run(t, s.DiffEnvelopes("INBOX", bad))
		assert.True(t, d.FullListRequired)
	}
	assert.True(t, run(t, s.DiffEnvelopes("Other", d.State)).FullListRequired, "another folder's state")
	_, err := try(s.DiffEnvelopes("Missing", st))
	assert.ErrorIs(t, err, email.ErrNotFound)
}

func TestDiffMailboxes(t *testing.T) {
	s := newStore(t)
	// Aged, so that the changes below stamp other times.
	treetest.Age(t, s.Root)
	d := run(t, s.DiffMailboxes(nil))
	assert.True(t, d.FullListRequired)
	d, ops := counting(t, s.DiffMailboxes(d.State))
	assert.True(t, d.Unchanged(), "%+v", d)
	assert.Zero(t, ops[coroutine.FileRead])

	run(t, s.CreateMailbox("Sent"))
	run(t, s.AddMessage("INBOX", msg("a", ""), nil))
	d2 := run(t, s.DiffMailboxes(d.State))
	assert.Equal(t, []string{"Sent"}, d2.Created)
	assert.Equal(t, []string{"INBOX"}, d2.Updated)
	assert.Empty(t, d2.Deleted)

	run(t, s.DeleteMailbox("Sent"))
	d3 := run(t, s.DiffMailboxes(d2.State))
	assert.Equal(t, []string{"Sent"}, d3.Deleted)
	assert.Empty(t, d3.Updated)
}

func TestWatchMailboxMachine(t *testing.T) {
	s := newStore(t)
	a := run(t, s.AddMessage("INBOX", msg("a", ""), email.ParseFlags(`\Seen`, "Work")))
	w := run(t, s.WatchMailbox("inbox", nil, time.Second))
	assert.Empty(t, w.Events)
	assert.Equal(t, 1, w.State.Len())

	w = run(t, s.WatchMailbox("inbox", w.State, time.Second))
	assert.Empty(t, w.Events, "nothing changed")

	b := run(t, s.AddMessage("INBOX", msg("b", "Mon, 1 Jan 2024 10:00:00 +0000"), email.ParseFlags("$flagged")))
	run(t, s.StoreFlags("INBOX", []string{a}, email.FlagSet, email.ParseFlags("$seen", "$answered")))
	w = run(t, s.WatchMailbox("inbox", w.State, time.Second))
	require.Len(t, w.Events, 3)
	assert.Equal(t, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: "inbox", ID: a, Flags: email.ParseFlags("$answered")}, w.Events[0])
	assert.Equal(t, email.WatchEvent{Kind: email.FlagsRemoved, Mailbox: "inbox", ID: a, Flags: email.ParseFlags("Work")}, w.Events[1])
	add := w.Events[2]
	assert.Equal(t, email.EnvelopeAdded, add.Kind)
	require.NotNil(t, add.Envelope)
	assert.Equal(t, b, add.Envelope.ID)
	assert.Equal(t, "b", add.Envelope.Subject)
	assert.Equal(t, []string{"$flagged"}, add.Envelope.Flags.Raw())

	run(t, s.DeleteMessages("INBOX", []string{a}))
	w = run(t, s.WatchMailbox("inbox", w.State, time.Second))
	assert.Equal(t, []email.WatchEvent{{Kind: email.EnvelopeRemoved, Mailbox: "inbox", ID: a}}, w.Events)

	_, err := try(s.WatchMailbox("Missing", w.State, time.Second))
	assert.ErrorIs(t, err, email.ErrNotFound)
	_ = m2dir.WatchResult{}
}
