package imap

import (
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// TestWatchChangedSince replays a watch with QRESYNC enabled: each wake
// fetches only what changed since the previous HIGHESTMODSEQ, and falls
// back to the full fetch when the changes do not add up to the message
// count. The events are those of the full comparison.
func TestWatchChangedSince(t *testing.T) {
	turns := loadScript(t, "watch-changedsince.txt")
	for _, chunk := range []int{0, 1, 2, 5, 17} {
		s := NewSession(true, Limits{})
		script := &coroutine.NetScript{Turns: turns, Chunk: chunk}
		// The watch ends before its third IDLE, once both wakes reported.
		opts := WatchOptions{
			Now:     func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
			Stopped: func() bool { return len(script.Events) >= 5 },
		}
		_, err := coroutine.ReplayNet(openThen(s, func(s *Session) coroutine.NetMachine[struct{}] {
			return WatchMailbox(s, "w", opts)
		}), script)
		require.NoError(t, err, "chunk %d", chunk)

		ev := script.Events
		require.Len(t, ev, 5, "chunk %d: %+v", chunk, ev)
		assert.Equal(t, email.WatchEvent{Kind: email.EnvelopeRemoved, Mailbox: "w", ID: "2"}, ev[0])
		assert.Equal(t, email.FlagsRemoved, ev[1].Kind)
		assert.Equal(t, "1", ev[1].ID)
		assert.True(t, ev[1].Flags.Equal(email.NewFlags(email.FlagSeen)), "%v", ev[1].Flags)
		assert.Equal(t, email.FlagsAdded, ev[2].Kind)
		assert.Equal(t, "3", ev[2].ID)
		assert.True(t, ev[2].Flags.Equal(email.NewFlags(email.FlagAnswered)), "only the added flag: %v", ev[2].Flags)
		for i, want := range []struct{ id, subject string }{{"4", "q3"}, {"5", "q4"}} {
			e := ev[3+i]
			assert.Equal(t, email.EnvelopeAdded, e.Kind)
			assert.Equal(t, want.id, e.ID)
			require.NotNil(t, e.Envelope)
			assert.Equal(t, want.subject, e.Envelope.Subject, "full envelope")
			assert.Equal(t, "w", e.Mailbox)
		}
	}
}

// TestWatchApplyChanges covers applyChanges alone: a hostile VANISHED
// range far larger than the mailbox is matched against the known UIDs
// without being expanded, and changes that do not add up to the message
// count leave the shadow untouched and yield no events.
func TestWatchApplyChanges(t *testing.T) {
	s := NewSession(true, Limits{})
	w := &watch{s: s, mailbox: "w", shadow: map[imap.UID]email.Flags{
		1: email.NewFlags(email.FlagSeen), 2: nil, 3: nil,
	}}
	w.vanished.AddRange(2, 4_000_000_000)
	w.chg = map[imap.UID]email.Flags{1: email.NewFlags(email.FlagSeen, email.FlagFlagged)}
	s.exists = 2 // does not add up: 3 - 2 gone + 0 new
	require.False(t, w.applyChanges())
	assert.Empty(t, w.events)
	assert.Len(t, w.shadow, 3)

	s.exists = 1
	require.True(t, w.applyChanges())
	require.Len(t, w.events, 3)
	assert.Equal(t, email.WatchEvent{Kind: email.EnvelopeRemoved, Mailbox: "w", ID: "2"}, w.events[0])
	assert.Equal(t, email.WatchEvent{Kind: email.EnvelopeRemoved, Mailbox: "w", ID: "3"}, w.events[1])
	assert.Equal(t, email.FlagsAdded, w.events[2].Kind)
	assert.True(t, w.events[2].Flags.Equal(email.NewFlags(email.FlagFlagged)))
	assert.Equal(t, map[imap.UID]email.Flags{1: email.NewFlags(email.FlagSeen, email.FlagFlagged)}, w.shadow)
	assert.Empty(t, w.added)
}

// TestWatchChangedSinceRefused replays a server that refuses the
// CHANGEDSINCE fetch: the wake falls back to the full fetch.
func TestWatchChangedSinceRefused(t *testing.T) {
	turns := loadScript(t, "watch-changedsince-refused.txt")
	for _, chunk := range []int{0, 1, 3} {
		script := &coroutine.NetScript{Turns: turns, Chunk: chunk}
		opts := WatchOptions{
			Now:     func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
			Stopped: func() bool { return len(script.Events) >= 1 },
		}
		_, err := coroutine.ReplayNet(openThen(NewSession(true, Limits{}), func(s *Session) coroutine.NetMachine[struct{}] {
			return WatchMailbox(s, "w", opts)
		}), script)
		require.NoError(t, err, "chunk %d", chunk)
		require.Equal(t, []email.WatchEvent{{Kind: email.FlagsAdded, Mailbox: "w", ID: "1", Flags: email.NewFlags(email.FlagSeen)}}, script.Events)
	}
}
