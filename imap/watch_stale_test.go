package imap

import (
	"fmt"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// scriptWatch drives a watch through a script of expected writes and the
// reads that answer them, and returns the events it yields. The script
// ends on the write wantLast (the NOOP and IDLE the watch then waits in).
func scriptWatch(t *testing.T, caps []imap.Cap, script [][2]string, wantLast string) []email.WatchEvent {
	t.Helper()
	s := NewSession(true, Limits{})
	s.State = StateAuthenticated
	s.setCaps(caps)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := WatchMailbox(s, "INBOX", WatchOptions{Now: func() time.Time { return now }, Stopped: func() bool { return false }})
	var in coroutine.NetReply
	var events []email.WatchEvent
	i := 0
	for range 1000 {
		req, done := m.Resume(in)
		require.False(t, done, "ended at step %d", i)
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetEvent:
			events = append(events, *req.Event)
		case coroutine.NetWrite:
			if i == len(script) {
				require.Equal(t, wantLast, string(req.Data))
				return events
			}
			require.Equal(t, script[i][0], string(req.Data), "step %d", i)
		case coroutine.NetRead:
			require.Less(t, i, len(script), "the watch reads past the script")
			in.Data = []byte(script[i][1])
			i++
		}
	}
	t.Fatal("too many steps")
	return nil
}

// selectStep is the SELECT of INBOX under tag and its answer, n messages.
func selectStep(tag string, n int) [2]string {
	return [2]string{tag + " SELECT INBOX\r\n", fmt.Sprintf("* %d EXISTS\r\n* OK [UIDVALIDITY 5] v\r\n%s OK [READ-WRITE] ok\r\n", n, tag)}
}

// TestWatchChangeWhileReading: a change the server announces while the
// watch reads the mailbox (between the SELECT and the next IDLE) is not
// announced again in IDLE, so the watch must select again rather than
// idle, or the change is lost until some later wake.
func TestWatchChangeWhileReading(t *testing.T) {
	caps := []imap.Cap{"IMAP4rev1", "IDLE"}
	t.Run("EXISTS after the flags fetch", func(t *testing.T) {
		events := scriptWatch(t, caps, [][2]string{
			selectStep("A1", 1),
			// The message 2 arrives after the server read the UIDs.
			{"A2 UID FETCH 1:* (UID FLAGS)\r\n", "* 1 FETCH (UID 1 FLAGS ())\r\n* 2 EXISTS\r\nA2 OK\r\n"},
			selectStep("A3", 2),
			{"A4 UID FETCH 1:* (UID FLAGS)\r\n", "* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS ())\r\nA4 OK\r\n"},
			{"A5 UID FETCH 2 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])\r\n", "* 2 FETCH (UID 2 FLAGS () RFC822.SIZE 10 ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\nA5 OK\r\n"},
		}, "A6 NOOP\r\nA7 IDLE\r\n")
		require.Len(t, events, 1)
		require.Equal(t, email.EnvelopeAdded, events[0].Kind)
		require.Equal(t, "2", events[0].ID)
		require.Equal(t, "s", events[0].Envelope.Subject)
	})
	t.Run("flag change during the envelope fetch", func(t *testing.T) {
		events := scriptWatch(t, caps, [][2]string{
			selectStep("A1", 1),
			{"A2 UID FETCH 1:* (UID FLAGS)\r\n", "* 1 FETCH (UID 1 FLAGS ())\r\nA2 OK\r\n"},
			{"A3 NOOP\r\nA4 IDLE\r\n", "A3 OK\r\n+ idling\r\n* 2 EXISTS\r\n"},
			{"DONE\r\n", "A4 OK\r\n"},
			selectStep("A5", 2),
			{"A6 UID FETCH 1:* (UID FLAGS)\r\n", "* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS ())\r\nA6 OK\r\n"},
			// The envelope comes, then the server announces that another
			// client flagged message 1.
			{"A7 UID FETCH 2 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])\r\n", "* 2 FETCH (UID 2 FLAGS () RFC822.SIZE 10 ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\nA7 OK\r\n"},
			selectStep("A8", 2),
			{"A9 UID FETCH 1:* (UID FLAGS)\r\n", "* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\n* 2 FETCH (UID 2 FLAGS ())\r\nA9 OK\r\n"},
		}, "A10 NOOP\r\nA11 IDLE\r\n")
		require.Len(t, events, 2)
		require.Equal(t, email.EnvelopeAdded, events[0].Kind)
		require.Equal(t, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: "INBOX", ID: "1", Flags: email.NewFlags(email.FlagFlagged)}, events[1])
	})
}
