package imap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// exchange runs m, answering the i-th write with replies[i], and returns
// the writes (one per NetWrite request) and the result.
func exchange[R any](t *testing.T, m coroutine.NetMachine[R], replies ...string) ([]string, R, error) {
	t.Helper()
	var writes []string
	var in coroutine.NetReply
	pending := ""
	for range 10000 {
		req, done := m.Resume(in)
		if done {
			out, err := m.Result()
			return writes, out, err
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			writes = append(writes, string(req.Data))
			if len(replies) > 0 {
				pending += replies[0]
				replies = replies[1:]
			}
		case coroutine.NetRead:
			if pending == "" {
				in.EOF = true
				continue
			}
			in.Data, pending = []byte(pending), ""
		}
	}
	t.Fatal("too many steps")
	panic("unreachable")
}

// selectedINBOX returns a session with INBOX selected: 2 messages, UIDNEXT 5.
func selectedINBOX(t *testing.T) *Session {
	s := sessionWith("IMAP4rev1 SORT UIDPLUS", false)
	w, _, err := exchange(t, ListEnvelopes(s, "INBOX", email.ListOptions{PageSize: 1}),
		"* 2 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n* OK [UIDNEXT 5] n\r\nA1 OK [READ-WRITE] sel\r\n",
		"* SORT 4 3\r\nA2 OK\r\n",
		"* 2 FETCH (UID 4 FLAGS () ENVELOPE (NIL \"four\" NIL NIL NIL NIL NIL NIL NIL NIL) RFC822.SIZE 3)\r\nA3 OK\r\n")
	require.NoError(t, err)
	require.Equal(t, "A1 SELECT INBOX\r\n", w[0])
	return s
}

// A message delivered by another client after the SELECT (UID 5, at or
// above UIDNEXT) is found: GetMessage sends NOOP first, and its UID FETCH
// only after the NOOP's OK (Dovecot answers a pipelined FETCH from the
// older view).
func TestGetMessageAfterOutsideDelivery(t *testing.T) {
	s := selectedINBOX(t)
	w, raw, err := exchange(t, getBytes(s, "INBOX", "5"),
		"* 3 EXISTS\r\nA4 OK noop\r\n", "* 3 FETCH (UID 5 BODY[] {2}\r\nhi)\r\nA5 OK\r\n")
	require.NoError(t, err)
	assert.Equal(t, "hi", string(raw))
	assert.Equal(t, []string{"A4 NOOP\r\n", "A5 UID FETCH 5 (UID BODY.PEEK[])\r\n"}, w)
	assert.Equal(t, uint32(3), s.Exists())

	// A UID below the UIDNEXT of the SELECT was in the view from the
	// start: no NOOP.
	w, _, err = exchange(t, getBytes(s, "INBOX", "3"), "* 1 FETCH (UID 3 BODY[] {2}\r\nho)\r\nA6 OK\r\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"A6 UID FETCH 3 (UID BODY.PEEK[])\r\n"}, w)

	// UID operations on new UIDs refresh first too.
	w, _, err = exchange(t, StoreFlags(s, "INBOX", []string{"6"}, email.FlagAdd, email.NewFlags(email.FlagSeen)),
		"* 4 EXISTS\r\nA7 OK\r\n", "A8 OK\r\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"A7 NOOP\r\n", "A8 UID STORE 6 +FLAGS.SILENT (\\Seen)\r\n"}, w)
}

// A listing of the selected mailbox sends NOOP first: an EXISTS the server
// held back is seen, and a mailbox that was empty at SELECT time is not
// taken as empty still.
func TestListEnvelopesSeesOutsideDelivery(t *testing.T) {
	s := sessionWith("IMAP4rev1 SORT", false)
	_, envs, err := exchange(t, ListEnvelopes(s, "INBOX", email.ListOptions{}),
		"* 0 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n* OK [UIDNEXT 1] n\r\nA1 OK [READ-WRITE] sel\r\n")
	require.NoError(t, err)
	require.Empty(t, envs)
	w, envs, err := exchange(t, ListEnvelopes(s, "INBOX", email.ListOptions{}),
		"* 1 EXISTS\r\n* 1 RECENT\r\nA2 OK noop\r\n",
		"* 1 FETCH (UID 1 FLAGS () ENVELOPE (NIL \"new\" NIL NIL NIL NIL NIL NIL NIL NIL) RFC822.SIZE 3)\r\nA3 OK\r\n")
	require.NoError(t, err)
	assert.Equal(t, "A2 NOOP\r\n", w[0])
	require.Len(t, envs, 1)
	assert.Equal(t, "new", envs[0].Subject)

	// VANISHED (QRESYNC) lowers the count as EXPUNGE does.
	_, _, err = exchange(t, ListEnvelopes(s, "INBOX", email.ListOptions{}), "* VANISHED 1\r\nA4 OK noop\r\n")
	require.NoError(t, err)
	assert.Equal(t, uint32(0), s.Exists())
}
