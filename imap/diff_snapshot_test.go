package imap

import (
	"os"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
)

func snapState(mailbox string, validity uint32, flags map[string]email.Flags) email.State {
	snap := changes.Snapshot{}
	for id, fl := range flags {
		snap[id] = changes.Item{Hash: changes.FlagsHash(fl)}
	}
	return changes.Encode(snapshotKind, snapshotScope(mailbox, validity), snap)
}

func diffReplay(t *testing.T, script, mailbox string, state email.State) email.EnvelopeDiff {
	t.Helper()
	d, err := replay(t, script, func(s *Session) coroutine.NetMachine[email.EnvelopeDiff] {
		return openThen(s, func(s *Session) coroutine.NetMachine[email.EnvelopeDiff] { return DiffEnvelopes(s, mailbox, state) })
	})
	require.NoError(t, err)
	return d
}

func TestReplayDiffSnapshot(t *testing.T) {
	seen := email.NewFlags(email.FlagSeen)
	old := snapState("inbox", 7, map[string]email.Flags{"9": nil, "10": seen, "11": seen})
	d := diffReplay(t, "diff-snapshot.txt", "INBOX", old)
	require.False(t, d.FullListRequired)
	require.Len(t, d.New, 1, "13 was expunged before its envelope came")
	assert.Equal(t, "12", d.New[0].ID)
	assert.Equal(t, "newest", d.New[0].Subject)
	work := email.NewFlags(email.FlagSeen, email.ParseFlag("$Work"))
	assert.Equal(t, work, d.New[0].Flags, "the unsolicited FETCH after the envelope")
	assert.Equal(t, []string{"9"}, d.Vanished)
	require.Len(t, d.FlagUpdates, 1)
	assert.Equal(t, email.FlagUpdate{ID: "11", Flags: email.NewFlags(email.FlagSeen, email.FlagFlagged)}, d.FlagUpdates[0])

	// The next state holds 10, 11 and 12 (with the envelope's flags), not 13.
	snap, ok := changes.Decode(snapshotKind, snapshotScope("INBOX", 7), d.State)
	require.True(t, ok)
	assert.Equal(t, changes.Snapshot{
		"10": {Hash: changes.FlagsHash(seen)},
		"11": {Hash: changes.FlagsHash(email.NewFlags(email.FlagSeen, email.FlagFlagged))},
		"12": {Hash: changes.FlagsHash(work)},
	}, snap)

	// No state, another mailbox's, or a CONDSTORE state: a baseline.
	for _, st := range []email.State{nil, snapState("Archive", 7, nil), email.State("imap-diff-1\x00INBOX\x007\x001\x0014\x00")} {
		d := diffReplay(t, "diff-snapshot-baseline.txt", "INBOX", st)
		assert.True(t, d.FullListRequired)
		assert.Empty(t, d.New)
		assert.Empty(t, d.Vanished)
		got, ok := changes.Decode(snapshotKind, snapshotScope("INBOX", 7), d.State)
		require.True(t, ok)
		assert.Len(t, got, 4, "the baseline knows every UID fetched")
	}
}

func TestReplayDiffSnapshotEmpty(t *testing.T) {
	d := diffReplay(t, "diff-snapshot-empty.txt", "Archive", snapState("Archive", 8, map[string]email.Flags{"5": nil}))
	assert.False(t, d.FullListRequired)
	assert.Equal(t, []string{"5"}, d.Vanished)
	assert.Empty(t, d.New)

	// UIDVALIDITY 6 is not the mailbox's 8 any more: UID 5 is void, not
	// vanished.
	d = diffReplay(t, "diff-snapshot-empty.txt", "Archive", snapState("Archive", 6, map[string]email.Flags{"5": nil}))
	assert.True(t, d.FullListRequired)
	assert.Empty(t, d.Vanished)
	snap, ok := changes.Decode(snapshotKind, snapshotScope("Archive", 8), d.State)
	require.True(t, ok)
	assert.Empty(t, snap)
}

// FuzzDiffSnapshotState feeds arbitrary states to the snapshot path: a
// state that does not decode gives a baseline, never an error or a panic.
func FuzzDiffSnapshotState(f *testing.F) {
	f.Add([]byte(nil))
	f.Add([]byte(snapState("Archive", 8, map[string]email.Flags{"5": nil, "7": email.NewFlags(email.FlagSeen)})))
	f.Add([]byte(snapState("Archive", 6, map[string]email.Flags{"5": nil})))
	f.Add([]byte("imap-diff-1\x00Archive\x008\x001\x001\x00"))
	text, err := os.ReadFile("../testdata/imap/diff-snapshot-empty.txt")
	require.NoError(f, err)
	turns, err := coroutine.ParseTranscript(string(text))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, state []byte) {
		s := NewSession(true, Limits{})
		m := coroutine.Then(Open(s, OpenOptions{Auth: alice}), func(OpenResult) coroutine.NetMachine[email.EnvelopeDiff] {
			return DiffEnvelopes(s, "Archive", state)
		})
		d, err := coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.New) > 0 || len(d.FlagUpdates) > 0 || d.State == nil {
			t.Fatalf("empty mailbox: %+v", d)
		}
		if d.FullListRequired && len(d.Vanished) > 0 {
			t.Fatalf("a baseline reports nothing vanished: %+v", d)
		}
	})
}

// BenchmarkSnapshotState measures the size of a snapshot state of a
// mailbox of 10,000 messages with a realistic mix of flags.
func BenchmarkSnapshotState(b *testing.B) {
	sets := []email.Flags{nil, email.NewFlags(email.FlagSeen), email.NewFlags(email.FlagSeen, email.FlagAnswered), email.NewFlags(email.FlagSeen, email.FlagFlagged)}
	snap := changes.Snapshot{}
	x, uid := uint64(1), imap.UID(1000)
	for range 10000 {
		// A fixed LCG: gaps of 1 to 4 between UIDs, flags in no pattern.
		x = x*6364136223846793005 + 1442695040888963407
		uid += imap.UID(1 + x>>62)
		snap[formatUID(uid)] = changes.Item{Hash: changes.FlagsHash(sets[x>>33%uint64(len(sets))])}
	}
	var st email.State
	for b.Loop() {
		st = changes.Encode(snapshotKind, snapshotScope("INBOX", 1), snap)
	}
	b.ReportMetric(float64(len(st))/10000, "state-bytes/msg")
}
