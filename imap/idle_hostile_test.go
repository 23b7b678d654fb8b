package imap

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
)

// watchUntilIdle runs a watch of an empty INBOX up to its IDLE and returns
// the machine, waiting for its first read in IDLE.
func watchUntilIdle(t *testing.T, stopped *bool) (*Session, coroutine.NetMachine[struct{}]) {
	s := sessionWith("IMAP4rev1 IDLE", false)
	m := WatchMailbox(s, "INBOX", WatchOptions{Now: func() time.Time { return time.Unix(0, 0) }, Stopped: func() bool { return *stopped }})
	req, _ := m.Resume(coroutine.NetReply{})
	require.Equal(t, "A1 SELECT INBOX\r\n", string(req.Data))
	req, _ = m.Resume(coroutine.NetReply{})
	require.Equal(t, coroutine.NetRead, req.Op)
	req, _ = m.Resume(coroutine.NetReply{Data: []byte("* 0 EXISTS\r\n* OK [UIDVALIDITY 1] v\r\nA1 OK sel\r\n")})
	require.Equal(t, "A2 NOOP\r\nA3 IDLE\r\n", string(req.Data))
	req, _ = m.Resume(coroutine.NetReply{})
	require.Equal(t, coroutine.NetRead, req.Op)
	req, _ = m.Resume(coroutine.NetReply{Data: []byte("A2 OK\r\n")})
	require.Equal(t, coroutine.NetRead, req.Op)
	require.Equal(t, IdleRefresh, req.Wait)
	return s, m
}

// A server that never answers IDLE with "+": stopping the watch waits
// StopWait for the "+" (a server that answers sends it at once), sends no
// DONE without it, then ends with ErrStoppedUnanswered, and the session is
// broken since the IDLE's answer is still due.
func TestWatchStoppedBeforeIdleContinuation(t *testing.T) {
	stopped := false
	s, m := watchUntilIdle(t, &stopped)
	stopped = true
	req, _ := m.Resume(coroutine.NetReply{TimedOut: true})
	require.Equal(t, coroutine.NetRead, req.Op, "no DONE before +")
	assert.Equal(t, DefaultStopWait, req.Wait)
	req, done := m.Resume(coroutine.NetReply{TimedOut: true})
	require.True(t, done, "no more I/O: got %v %q", req.Op, req.Data)
	_, err := m.Result()
	require.ErrorIs(t, err, ErrStoppedUnanswered)
	require.ErrorIs(t, s.Err(), ErrStoppedUnanswered)

	// A "+" that comes after the stop lets DONE go, and the watch ends
	// cleanly.
	stopped = false
	s, m = watchUntilIdle(t, &stopped)
	stopped = true
	m.Resume(coroutine.NetReply{TimedOut: true})
	req, _ = m.Resume(coroutine.NetReply{Data: []byte("+ idling\r\n")})
	assert.Equal(t, "DONE\r\n", string(req.Data))
	m.Resume(coroutine.NetReply{})
	_, done = m.Resume(coroutine.NetReply{Data: []byte("A3 OK idle done\r\n")})
	require.True(t, done)
	_, err = m.Result()
	require.NoError(t, err)
	require.NoError(t, s.Err())

	// Once "+" came, stopping ends IDLE cleanly with DONE.
	stopped = false
	s, m = watchUntilIdle(t, &stopped)
	req, _ = m.Resume(coroutine.NetReply{Data: []byte("+ idling\r\n")})
	require.Equal(t, coroutine.NetRead, req.Op)
	stopped = true
	req, _ = m.Resume(coroutine.NetReply{TimedOut: true})
	assert.Equal(t, "DONE\r\n", string(req.Data))
	m.Resume(coroutine.NetReply{})
	_, done = m.Resume(coroutine.NetReply{Data: []byte("A3 OK idle done\r\n")})
	require.True(t, done)
	_, err = m.Result()
	require.NoError(t, err)
	require.NoError(t, s.Err())

	// DONE unanswered: the watch waits DefaultStopWait, then ends with
	// ErrStoppedUnanswered (not a protocol error) and breaks the session.
	stopped = false
	s, m = watchUntilIdle(t, &stopped)
	m.Resume(coroutine.NetReply{Data: []byte("+ idling\r\n")})
	stopped = true
	req, _ = m.Resume(coroutine.NetReply{TimedOut: true})
	assert.Equal(t, "DONE\r\n", string(req.Data))
	req, _ = m.Resume(coroutine.NetReply{})
	require.Equal(t, coroutine.NetRead, req.Op)
	assert.Equal(t, DefaultStopWait, req.Wait)
	_, done = m.Resume(coroutine.NetReply{TimedOut: true})
	require.True(t, done)
	_, err = m.Result()
	require.ErrorIs(t, err, ErrStoppedUnanswered)
	require.ErrorIs(t, s.Err(), ErrStoppedUnanswered)
}

// Data that arrives before the server's "+" does not make the watch send
// DONE early (RFC 2177 section 3): DONE follows the continuation.
func TestWatchDoneWaitsForContinuation(t *testing.T) {
	stopped := false
	_, m := watchUntilIdle(t, &stopped)
	req, _ := m.Resume(coroutine.NetReply{Data: []byte("* 1 EXISTS\r\n")})
	require.Equal(t, coroutine.NetRead, req.Op, "no DONE before +")
	req, _ = m.Resume(coroutine.NetReply{Data: []byte("+ idling\r\n")})
	require.Equal(t, coroutine.NetWrite, req.Op)
	assert.Equal(t, "DONE\r\n", string(req.Data))
}
