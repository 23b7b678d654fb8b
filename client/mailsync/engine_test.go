package mailsync

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func newPair(t *testing.T, opts Options) (*memStore, *memStore, *Engine) {
	t.Helper()
	a, b := newMemStore("a"), newMemStore("b")
	e, err := New(a, b, filepath.Join(t.TempDir(), "state.json"), opts)
	require.NoError(t, err)
	return a, b, e
}

func once(t *testing.T, e *Engine) Summary {
	t.Helper()
	sm, err := e.Once(context.Background())
	require.NoError(t, err)
	return sm
}

// changes counts every change a summary reports.
func changes(sm Summary) int {
	n := sm.Conflicts
	for _, c := range []SideCounts{sm.A, sm.B} {
		n += c.Copied + c.FlagsChanged + c.Deleted + c.Moved + c.MailboxesCreated + c.MailboxesDeleted
	}
	return n
}

func TestOnceBasicRules(t *testing.T) {
	a, b, e := newPair(t, Options{})
	a.put("INBOX", "m1", email.FlagSeen)
	b.put("INBOX", "m2")
	a.boxes["Work"] = newMemBox(1)
	a.put("Work", "m3")
	sm := once(t, e)
	require.Equal(t, 2, sm.B.Copied)
	require.Equal(t, 1, sm.A.Copied)
	require.Equal(t, 1, sm.B.MailboxesCreated)
	require.Equal(t, a.content(), b.content())
	require.Zero(t, changes(once(t, e)), "a second run plans nothing")

	// Flags merge per flag: A adds Flagged, B removes Seen.
	ida := a.where("m1")["INBOX"]
	idb := b.where("m1")["INBOX"]
	a.StoreFlags(context.Background(), "INBOX", []string{ida}, email.FlagAdd, email.Flags{email.FlagFlagged})
	b.StoreFlags(context.Background(), "INBOX", []string{idb}, email.FlagRemove, email.Flags{email.FlagSeen})
	sm = once(t, e)
	require.Equal(t, 1, sm.A.FlagsChanged)
	require.Equal(t, 1, sm.B.FlagsChanged)
	require.Equal(t, a.content(), b.content())
	require.Equal(t, []string{"m1 [\\Flagged]", "m2 []"}, a.content()["INBOX"])

	// Deletion on B goes to A; a move on A (Work -> INBOX) is a move on B.
	require.NoError(t, b.DeleteMessages(context.Background(), "INBOX", []string{b.where("m2")["INBOX"]}))
	_, err := a.MoveMessages(context.Background(), "Work", "INBOX", []string{a.where("m3")["Work"]})
	require.NoError(t, err)
	sm = once(t, e)
	require.Equal(t, 1, sm.A.Deleted)
	require.Equal(t, 1, sm.B.Moved)
	require.Zero(t, sm.B.Copied+sm.B.Deleted)
	require.Equal(t, a.content(), b.content())
	require.Zero(t, changes(once(t, e)))
}
