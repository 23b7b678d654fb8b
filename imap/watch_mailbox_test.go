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

// TestWatchRefreshAndReset drives a watch by hand: IDLE is re-issued when
// the injected clock passes IdleRefresh, a new UIDVALIDITY gives
// MailboxReset, a NOOP before the first IDLE of each wake catches a
// change made during the wake, and Stopped ends the watch with DONE.
func TestWatchRefreshAndReset(t *testing.T) {
	s := NewSession(true, Limits{})
	s.State = StateAuthenticated
	s.setCaps([]imap.Cap{"IMAP4rev1", "IDLE"})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stopped := false
	m := WatchMailbox(s, "INBOX", WatchOptions{Now: func() time.Time { return now }, Stopped: func() bool { return stopped }})

	type step struct {
		write    string // expected write ("" for none)
		read     string // bytes to answer a read with
		timeout  bool   // answer a read with TimedOut
		advance  time.Duration
		wantWait time.Duration
	}
	steps := []step{
		{write: "A1 SELECT INBOX\r\n"},
		{read: "* 2 EXISTS\r\n* OK [UIDVALIDITY 5] v\r\nA1 OK [READ-WRITE] ok\r\n"},
		{write: "A2 UID FETCH 1:* (UID FLAGS)\r\n"},
		{read: "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n* 2 FETCH (UID 2 FLAGS ())\r\nA2 OK\r\n"},
		{write: "A3 NOOP\r\nA4 IDLE\r\n"}, // the NOOP collects what changed during the fetch
		{read: "A3 OK\r\n+ idling\r\n", wantWait: IdleRefresh},
		{timeout: true, advance: 10 * time.Minute}, // early wake: keep idling
		{timeout: true, advance: 20 * time.Minute}, // past 29 minutes: refresh
		{write: "DONE\r\n"},
		{read: "A4 OK done\r\n"},
		{write: "A5 IDLE\r\n"}, // a refresh sends no NOOP
		{read: "+ idling\r\n* 3 EXISTS\r\n"},
		{write: "DONE\r\n"},
		{read: "A5 OK done\r\n"},
		{write: "A6 SELECT INBOX\r\n"},
		{read: "* 1 EXISTS\r\n* OK [UIDVALIDITY 6] new\r\nA6 OK ok\r\n"},
		{write: "A7 UID FETCH 1:* (UID FLAGS)\r\n"},
		{read: "* 1 FETCH (UID 1 FLAGS ())\r\nA7 OK\r\n"},
		{write: "A8 NOOP\r\nA9 IDLE\r\n"},
		{read: "* 2 EXISTS\r\nA8 OK\r\n"}, // a change during the wake: DONE after "+"
		{read: "+ idling\r\n"},
		{write: "DONE\r\n"},
		{read: "A9 OK done\r\n"},
		{write: "A10 SELECT INBOX\r\n"},
		{read: "* 1 EXISTS\r\n* OK [UIDVALIDITY 6] new\r\nA10 OK ok\r\n"},
		{write: "A11 UID FETCH 1:* (UID FLAGS)\r\n"},
		{read: "* 1 FETCH (UID 1 FLAGS ())\r\nA11 OK\r\n"},
	}
	var in coroutine.NetReply
	var events []email.WatchEvent
	i := 0
	for n := 0; n < 1000; n++ {
		req, done := m.Resume(in)
		require.False(t, done, "ended early at step %d", i)
		in = coroutine.NetReply{}
		if req.Op == coroutine.NetEvent {
			events = append(events, *req.Event)
			continue
		}
		if i == len(steps) {
			// Stop: the next read times out with Stopped set.
			require.Equal(t, "A12 NOOP\r\nA13 IDLE\r\n", string(req.Data))
			break
		}
		st := steps[i]
		i++
		switch req.Op {
		case coroutine.NetWrite:
			require.Equal(t, st.write, string(req.Data), "step %d", i-1)
		case coroutine.NetRead:
			require.Empty(t, st.write, "step %d: machine reads, script wants a write", i-1)
			if st.wantWait > 0 {
				assert.Equal(t, st.wantWait, req.Wait)
			}
			now = now.Add(st.advance)
			in.Data, in.TimedOut = []byte(st.read), st.timeout
		}
	}
	require.Equal(t, []email.WatchEvent{{Kind: email.MailboxReset, Mailbox: "INBOX"}}, events)
	req, _ := m.Resume(coroutine.NetReply{})
	require.Equal(t, coroutine.NetRead, req.Op)
	req, _ = m.Resume(coroutine.NetReply{Data: []byte("A12 OK\r\n+ idling\r\n")})
	stopped = true
	req, _ = m.Resume(coroutine.NetReply{TimedOut: true})
	require.Equal(t, "DONE\r\n", string(req.Data))
	m.Resume(coroutine.NetReply{})
	_, done := m.Resume(coroutine.NetReply{Data: []byte("A13 OK\r\n")})
	require.True(t, done)
	_, err := m.Result()
	require.NoError(t, err)
}
