package mailsync

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// awkwardState is a state with every field set and strings holding what
// the codec escapes.
func awkwardState() *state {
	st := newState()
	st.Stores = [2]string{"imap://a\tb", `maildir:///x\y`}
	st.Boxes["INBOX"] = &boxState{
		Name: [2]string{"INBOX", "pre/INBOX"},
		Diff: [2]email.State{nil, email.State("\x00\n\tbin\xff")},
		View: [2][]Msg{
			{{ID: "1", MessageID: "a@x", Size: 10, Flags: flagList(email.ParseFlags(`\Seen`, "$Label1")), Received: 1700000000}},
			{{ID: "1:2,S\tx", Size: 7, Date: -5, Subject: "tab\there\nnew\\line\r\xfe"}},
		},
		Pairs: []Pair{
			{ID: [2]string{"1", ""}, Gone: [2]bool{false, true}, Base: [2]flagList{flagList(email.ParseFlags(`\Flagged`)), nil},
				Known: [2]bool{true, false}, MessageID: "a@x", Size: 10},
			{ID: [2]string{"", "x"}, Size: 7, Date: -5, Subject: "s\\t"},
		},
	}
	st.Boxes["Empty"] = &boxState{Name: [2]string{"Empty", "pre/Empty"}, Diff: [2]email.State{{}, nil}}
	return st
}

// TestStateCodecRoundTrip checks that version 2 gives back what it was
// given, byte for byte in strings, and the same encoding again.
func TestStateCodecRoundTrip(t *testing.T) {
	st := awkwardState()
	b := encodeState(st)
	got, err := decodeState("s", b, nil)
	require.NoError(t, err)
	require.Equal(t, b, got.saved)
	require.Equal(t, st.Stores, got.Stores)
	require.Equal(t, b, encodeState(got))
	require.Len(t, got.Boxes, 2)
	for k, want := range st.Boxes {
		g := got.Boxes[k]
		require.Equal(t, want.Name, g.Name, k)
		require.Equal(t, want.Diff, g.Diff, k)
		for s := range Side(2) {
			require.Len(t, g.View[s], len(want.View[s]))
			for i, m := range want.View[s] {
				require.Equal(t, m.Flags.String(), g.View[s][i].Flags.String())
				m.Flags, g.View[s][i].Flags = nil, nil
				require.Equal(t, m, g.View[s][i])
			}
		}
		require.Len(t, g.Pairs, len(want.Pairs))
		for i, p := range want.Pairs {
			for s := range Side(2) {
				require.Equal(t, p.Base[s].String(), g.Pairs[i].Base[s].String())
				p.Base[s], g.Pairs[i].Base[s] = nil, nil
			}
			require.Equal(t, p, g.Pairs[i])
		}
	}
}

// TestStateCodecRefusesDamage checks that a truncated or altered file is
// ErrCorruptState, never a smaller state.
func TestStateCodecRefusesDamage(t *testing.T) {
	b := encodeState(awkwardState())
	for n := range len(b) {
		_, err := decodeState("s", b[:n], nil)
		require.ErrorIs(t, err, ErrCorruptState, "truncated at %d", n)
	}
	for _, bad := range []string{
		strings.Replace(string(b), "\tend\n", "\t", 1),
		strings.Replace(string(b), "\n", "\nz\t1\n", 2),
		strings.Replace(string(b), "\t10\t", "\tten\t", 1),
		strings.Replace(string(b), "\t10\t", "\t10\t\t", 1),
		strings.Replace(string(b), "\t01\t", "\t02\t", 1),
		strings.Replace(string(b), "\tbAAoJ", "\tAAoJ", 1),
		strings.Replace(string(b), "\t1\t1\t2\n", "\t1\t1\t3\n", 1) + "",
		string(b) + "more\n",
	} {
		if bad == string(b) {
			continue
		}
		_, err := decodeState("s", []byte(bad), nil)
		require.ErrorIs(t, err, ErrCorruptState, bad)
	}
}

// TestStateVersion1Migrates checks that a version-1 (JSON) state file is
// read as it was and written again in version 2 by the next run, even
// with nothing changed, and that the run after it reads that.
func TestStateVersion1Migrates(t *testing.T) {
	a, b := newMemStore("a"), newMemStore("b")
	a.put("INBOX", "m1")
	a.put("INBOX", "m2")
	path := statePath(t)
	e, err := New(a, b, path, Options{})
	require.NoError(t, err)
	once(t, e)
	st, err := loadState(path)
	require.NoError(t, err)
	v1 := struct {
		*state
		Version int `json:"version"`
	}{st, 1}
	old, err := json.Marshal(v1)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, old, 0o600))

	e, err = New(a, b, path, Options{})
	require.NoError(t, err)
	sm, err := e.Once(context.Background())
	require.NoError(t, err)
	require.Zero(t, sm.A.Copied+sm.B.Copied+sm.A.Deleted+sm.B.Deleted, "the pairs were read")
	now, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(now, []byte(stateMagic+"\n")), "written in version 2: %q", now)
	a.put("INBOX", "m3")
	sm = once(t, e)
	require.Equal(t, 1, sm.B.Copied)
	require.Len(t, b.content()["INBOX"], 3)
}
