package mailsync

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestDryRunChangesNothing(t *testing.T) {
	a, b := newMemStore("a"), newMemStore("b")
	a.put("INBOX", "m1")
	b.put("INBOX", "m2")
	path := statePath(t)
	e, err := New(a, b, path, Options{DryRun: true})
	require.NoError(t, err)
	sm := once(t, e)
	require.True(t, sm.DryRun)
	require.Equal(t, 1, sm.A.Copied)
	require.Equal(t, 1, sm.B.Copied)
	require.Equal(t, []string{"m1 []"}, a.content()["INBOX"])
	require.Equal(t, []string{"m2 []"}, b.content()["INBOX"])
	_, err = os.Stat(path)
	require.True(t, os.IsNotExist(err), "no state written")
}

func TestCorruptStateIsAnError(t *testing.T) {
	a, b := newMemStore("a"), newMemStore("b")
	a.put("INBOX", "m1")
	path := statePath(t)
	e, err := New(a, b, path, Options{})
	require.NoError(t, err)
	once(t, e)
	for _, bad := range []string{`{"version":1,"boxes":{`, `{"version":99,"boxes":{}}`, "\x00garbage"} {
		require.NoError(t, os.WriteFile(path, []byte(bad), 0o600))
		_, err = e.Once(context.Background())
		require.ErrorIs(t, err, ErrCorruptState, bad)
		require.Equal(t, []string{"m1 []"}, b.content()["INBOX"], "nothing done")
	}
}

// TestOneWay checks AToB: A's changes reach B; B's own messages, flag
// changes and deletions stay on B and do not come back to A.
func TestOneWay(t *testing.T) {
	a, b, e := newPair(t, Options{Direction: AToB})
	a.put("INBOX", "m1")
	a.put("INBOX", "m2")
	b.put("INBOX", "own")
	sm := once(t, e)
	require.Equal(t, 2, sm.B.Copied)
	require.Zero(t, sm.A.Copied)
	ctx := context.Background()
	require.NoError(t, b.DeleteMessages(ctx, "INBOX", []string{b.where("m1")["INBOX"]}))
	require.NoError(t, b.StoreFlags(ctx, "INBOX", []string{b.where("m2")["INBOX"]}, email.FlagAdd, email.Flags{email.FlagSeen}))
	require.NoError(t, a.StoreFlags(ctx, "INBOX", []string{a.where("m2")["INBOX"]}, email.FlagAdd, email.Flags{email.FlagFlagged}))
	sm = once(t, e)
	require.Zero(t, sm.B.Copied, "a message deleted on B is not copied again")
	require.Zero(t, changes(Summary{A: sm.A}))
	require.Equal(t, []string{"m1 []", "m2 [\\Flagged]"}, a.content()["INBOX"])
	require.Equal(t, []string{"m2 [\\Seen \\Flagged]", "own []"}, b.content()["INBOX"])
	require.NoError(t, a.DeleteMessages(ctx, "INBOX", []string{a.where("m2")["INBOX"]}))
	sm = once(t, e)
	require.Equal(t, 1, sm.B.Deleted)
	require.Equal(t, []string{"own []"}, b.content()["INBOX"])
	require.Zero(t, changes(once(t, e)))
}

// TestNothingChangedIsFewCalls: a run with nothing changed costs one
// mailbox listing and one diff per mailbox and side, whatever the size.
func TestNothingChangedIsFewCalls(t *testing.T) {
	a, b := newMemStore("a"), newMemStore("b")
	for i := range 2000 {
		a.put("INBOX", fmt.Sprintf("m%d", i))
	}
	a.boxes["Archive"] = newMemBox(1)
	f := &faults{}
	e, err := New(faultStore{a, f}, faultStore{b, f}, statePath(t), Options{})
	require.NoError(t, err)
	once(t, e)
	f.n = 0
	require.Zero(t, changes(once(t, e)))
	require.Equal(t, 2+2*2, f.n)
}

func TestMatchAndSelection(t *testing.T) {
	for _, c := range []struct {
		p, n string
		ok   bool
	}{
		{"*", "a/b/c", true}, {"INBOX", "inbox", true}, {"Archive/*", "Archive/2024", true},
		{"Archive/*", "Archive", false}, {"%", "a/b", false}, {"a/%", "a/b", true}, {"a*z", "a/q/z", true}, {"a", "ab", false},
	} {
		require.Equal(t, c.ok, Match(c.p, c.n), "%q %q", c.p, c.n)
	}
	a, b, e := newPair(t, Options{Mailboxes: []string{"INBOX", "Lists/*"}, Exclude: []string{"Lists/spam"}})
	for _, n := range []string{"Lists", "Lists/go", "Lists/spam", "Other"} {
		a.boxes[n] = newMemBox(1)
		a.put(n, "in-"+n)
	}
	once(t, e)
	require.ElementsMatch(t, []string{"INBOX", "Lists/go"}, keys(b.content()))
	p := PrefixMap("Backup")
	n, ok := p.ToB("INBOX")
	require.True(t, ok)
	require.Equal(t, "Backup/INBOX", n)
	_, ok = p.ToA("Other")
	require.False(t, ok)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
