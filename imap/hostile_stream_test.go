package imap

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// sinkRun is what streamDrive saw of a streaming machine.
type sinkRun struct {
	written  []byte
	sunk     []byte
	sinks    int
	maxChunk int
	marks    int
}

// streamDrive (hostileDrive's engine) runs m against the server's turns (read in pieces of chunk
// bytes, whole when 0; EOF after the last), gathering what it sinks;
// sinkErr, when set, answers every NetSink.
func streamDrive[R any](m coroutine.NetMachine[R], server []string, chunk int, sinkErr error) (R, sinkRun, error) {
	var run sinkRun
	var in coroutine.NetReply
	turn, pos := 0, 0
	for range 1000000 {
		req, done := m.Resume(in)
		if done {
			out, err := m.Result()
			return out, run, err
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			run.written = append(run.written, req.Data...)
		case coroutine.NetSink:
			if len(req.Data) == 0 {
				run.marks++
				continue
			}
			run.sinks++
			run.sunk = append(run.sunk, req.Data...)
			run.maxChunk = max(run.maxChunk, len(req.Data))
			in.Err = sinkErr
		case coroutine.NetRead:
			for turn < len(server) && pos >= len(server[turn]) {
				turn, pos = turn+1, 0
			}
			if turn >= len(server) {
				in.EOF = true
				continue
			}
			end := len(server[turn])
			if chunk > 0 {
				end = min(end, pos+chunk)
			}
			in.Data = []byte(server[turn][pos:end])
			pos = end
		}
	}
	var zero R
	return zero, run, coroutine.ErrTooManySteps
}

// selected returns a session opened and with INBOX selected, the way the
// hostile transcripts start.
func selected(t *testing.T) *Session {
	t.Helper()
	s := NewSession(true, Limits{MaxLiteral: 1 << 10})
	_, _, err := hostileDrive(openThen(s, func(s *Session) coroutine.NetMachine[struct{}] { return Noop(s) }),
		[]string{greet, loginOK, "A2 OK\r\n"}, 0)
	require.NoError(t, err)
	_, _, err = hostileDrive(ListEnvelopes(s, "INBOX", email.ListOptions{PageSize: 1}),
		[]string{"* 2 EXISTS\r\n* OK [UIDVALIDITY 5] v\r\n* OK [UIDNEXT 50] n\r\nA3 OK [READ-WRITE] sel\r\n", "* SORT\r\nA4 OK\r\n"}, 0)
	require.NoError(t, err)
	return s
}

// fetchOf answers UID FETCH with a body for uid and the tagged OK.
func fetchOf(tag, uid, body string) string {
	return "* 1 FETCH (UID " + uid + " BODY[] {" + itoa(len(body)) + "}\r\n" + body + ")\r\n" + tag + " OK done\r\n"
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// A body far over the session's literal limit streams through in pieces
// no larger than what each read brought, whatever the cut.
func TestGetMessageStreams(t *testing.T) {
	body := strings.Repeat("0123456789abcdef", 1<<12) // 64 KiB, limit 1 KiB
	for _, chunk := range []int{0, 1, 7, 4096} {
		s := selected(t)
		n, run, err := streamDrive(GetMessage(s, "INBOX", "1", 0), []string{fetchOf("A5", "1", body)}, chunk, nil)
		require.NoError(t, err, "chunk %d", chunk)
		assert.Equal(t, int64(len(body)), n)
		assert.Equal(t, body, string(run.sunk))
		if chunk > 0 {
			assert.LessOrEqual(t, run.maxChunk, chunk)
		}
		assert.Zero(t, run.marks)
		assert.NoError(t, s.Err())
	}
}

// next runs one more GetMessage on s, which must work: the session is in
// step.
func next(t *testing.T, s *Session, tag string) {
	t.Helper()
	_, run, err := streamDrive(GetMessage(s, "INBOX", "2", 0), []string{fetchOf(tag, "2", "after")}, 3, nil)
	require.NoError(t, err)
	assert.Equal(t, "after", string(run.sunk))
}

// A message over the caller's limit fails with ErrTooLarge, nothing of it
// reaches the sink, and the session goes on.
func TestGetMessageTooLarge(t *testing.T) {
	for _, chunk := range []int{0, 1, 5} {
		s := selected(t)
		_, run, err := streamDrive(GetMessage(s, "INBOX", "1", 10), []string{fetchOf("A5", "1", strings.Repeat("x", 11))}, chunk, nil)
		require.ErrorIs(t, err, email.ErrTooLarge)
		assert.Empty(t, run.sunk)
		assert.NoError(t, s.Err())
		next(t, s, "A6")
		// At the limit is fine.
		_, run, err = streamDrive(GetMessage(s, "INBOX", "1", 10), []string{fetchOf("A7", "1", strings.Repeat("x", 10))}, chunk, nil)
		require.NoError(t, err)
		assert.Len(t, run.sunk, 10)
	}
}

// A connection closed inside the body (a literal announced larger than
// sent) is a *TruncatedError with the counts; the session is broken.
func TestGetMessageTruncated(t *testing.T) {
	for _, chunk := range []int{0, 1, 3} {
		s := selected(t)
		_, run, err := streamDrive(GetMessage(s, "INBOX", "1", 0), []string{"* 1 FETCH (UID 1 BODY[] {100}\r\nonly forty bytes of the hundred announced"}, chunk, nil)
		var te *TruncatedError
		require.ErrorAs(t, err, &te, "chunk %d", chunk)
		assert.Equal(t, int64(100), te.Size)
		assert.Equal(t, int64(len(run.sunk)), te.Got)
		assert.Equal(t, "only forty bytes of the hundred announced", string(run.sunk))
		assert.ErrorIs(t, err, email.ErrProtocol)
		assert.Error(t, s.Err())
	}
}

// A body for another UID is refused: dropped unseen when its UID comes
// first, reported after the fact when it comes last; the session goes on.
func TestGetMessageOtherUID(t *testing.T) {
	for _, chunk := range []int{0, 1, 4} {
		s := selected(t)
		_, run, err := streamDrive(GetMessage(s, "INBOX", "1", 0), []string{fetchOf("A5", "9", "secret")}, chunk, nil)
		var se *StreamError
		require.ErrorAs(t, err, &se)
		assert.EqualValues(t, 9, se.UID)
		assert.ErrorIs(t, err, email.ErrProtocol)
		assert.Empty(t, run.sunk)
		next(t, s, "A6")

		_, _, err = streamDrive(GetMessage(s, "INBOX", "1", 0), []string{"* 1 FETCH (BODY[] {6}\r\nsecret UID 9)\r\nA7 OK\r\n"}, chunk, nil)
		require.ErrorAs(t, err, &se)
		next(t, s, "A8")

		// The UID after the body, and the right one, is fine.
		_, run, err = streamDrive(GetMessage(s, "INBOX", "1", 0), []string{"* 1 FETCH (BODY[] {5}\r\nhello UID 1)\r\nA9 OK\r\n"}, chunk, nil)
		require.NoError(t, err)
		assert.Equal(t, "hello", string(run.sunk))
	}
}

// A sink that fails drops the rest of the body; the machine fails with the
// sink's error once the server answered, and the session goes on.
func TestGetMessageSinkError(t *testing.T) {
	boom := errors.New("disk full")
	s := selected(t)
	_, run, err := streamDrive(GetMessage(s, "INBOX", "1", 0), []string{fetchOf("A5", "1", strings.Repeat("y", 100))}, 10, boom)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, 1, run.sinks)
	next(t, s, "A6")
}

// A body sent as a quoted string, an empty one, and none at all.
func TestGetMessageOtherShapes(t *testing.T) {
	s := selected(t)
	_, run, err := streamDrive(GetMessage(s, "INBOX", "1", 0), []string{"* 1 FETCH (UID 1 BODY[] \"hi there\")\r\nA5 OK\r\n"}, 0, nil)
	require.NoError(t, err)
	assert.Equal(t, "hi there", string(run.sunk))
	n, run, err := streamDrive(GetMessage(s, "INBOX", "1", 0), []string{fetchOf("A6", "1", "")}, 0, nil)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Empty(t, run.sunk)
	_, _, err = streamDrive(GetMessage(s, "INBOX", "1", 0), []string{"* 1 FETCH (UID 1 FLAGS ())\r\nA7 OK\r\n"}, 0, nil)
	assert.ErrorIs(t, err, email.ErrNotFound)
	_, _, err = streamDrive(GetMessage(s, "INBOX", "1", 4), []string{"* 1 FETCH (UID 1 BODY[] \"hi there\")\r\nA8 OK\r\n"}, 0, nil)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	next(t, s, "A9")
}
