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

// batchDrive runs a GetMessages machine against the server's turns (read
// in pieces of chunk bytes), gathering each message by the id ID names at
// its start; skip names messages whose first chunk is answered with
// ErrSkipBody. It returns the messages in delivery order.
func batchDrive(m *MessagesMachine, server []string, chunk int, skip string) ([]string, map[string]string, []error, []byte, error) {
	var order []string
	got := map[string]string{}
	var written []byte
	var in coroutine.NetReply
	all := strings.Join(server, "")
	for range 1000000 {
		req, done := m.Resume(in)
		if done {
			problems, err := m.Result()
			return order, got, problems, written, err
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			written = append(written, req.Data...)
		case coroutine.NetSink:
			id := m.ID()
			if len(req.Data) == 0 {
				order = append(order, id)
				got[id] = ""
				continue
			}
			if id == skip {
				in.Err = ErrSkipBody
				continue
			}
			got[id] += string(req.Data)
		case coroutine.NetRead:
			if all == "" {
				in.EOF = true
				continue
			}
			n := len(all)
			if chunk > 0 {
				n = min(n, chunk)
			}
			in.Data, all = []byte(all[:n]), all[n:]
		}
	}
	return nil, nil, nil, nil, coroutine.ErrTooManySteps
}

func TestGetMessagesBatch(t *testing.T) {
	server := []string{
		"* 1 FETCH (UID 3 BODY[] {5}\r\nthree)\r\n",
		"* 2 FETCH (UID 1 FLAGS (\\Seen))\r\n", // unsolicited
		"* 1 FETCH (UID 1 BODY[] {3}\r\none)\r\n",
		"* 1 FETCH (UID 1 BODY[] {3}\r\nONE)\r\n", // a second copy
		"* 3 FETCH (UID 7 BODY[] \"seven\")\r\n",
		"* 4 FETCH (UID 9 BODY[] {20}\r\n" + strings.Repeat("z", 20) + ")\r\n",
		"* 5 FETCH (UID 4 BODY[] {0}\r\n)\r\n",
		"A5 OK done\r\n",
	}
	for _, chunk := range []int{0, 1, 4} {
		s := selected(t)
		order, got, problems, written, err := batchDrive(GetMessages(s, "INBOX", []string{"3", "1", "7", "9", "1", "4", "8"}, 10), server, chunk, "")
		require.NoError(t, err, "chunk %d", chunk)
		assert.Equal(t, "A5 UID FETCH 1,3:4,7:9 (UID BODY.PEEK[])\r\n", string(written))
		assert.Equal(t, []string{"3", "1", "7", "4"}, order)
		assert.Equal(t, map[string]string{"3": "three", "1": "one", "7": "seven", "4": ""}, got)
		require.Len(t, problems, 2)
		assert.ErrorIs(t, problems[0], email.ErrTooLarge)
		var nf *email.NotFoundError
		require.ErrorAs(t, problems[1], &nf)
		assert.Equal(t, "8", nf.ID)
		next(t, s, "A6")
	}
}

// Large batches go as several pipelined commands.
func TestGetMessagesPipelined(t *testing.T) {
	s := selected(t)
	ids := make([]string, 0, 2*batchUIDs*batchCmds+1)
	for i := range cap(ids) {
		ids = append(ids, itoa(2*i+1)) // no two consecutive: no ranges
	}
	server := []string{"A5 OK noop\r\n"} // UIDs past UIDNEXT: NOOP first
	for i := range 2 * batchCmds {
		server = append(server, "A"+itoa(6+i)+" OK\r\n")
	}
	server = append(server, "* 1 FETCH (UID "+ids[len(ids)-1]+" BODY[] {1}\r\nx)\r\nA"+itoa(6+2*batchCmds)+" OK\r\n")
	order, _, problems, written, err := batchDrive(GetMessages(s, "INBOX", ids, 0), server, 0, "")
	require.NoError(t, err)
	assert.Equal(t, []string{ids[len(ids)-1]}, order)
	assert.Len(t, problems, len(ids)-1)
	assert.Equal(t, 2*batchCmds+1, strings.Count(string(written), "UID FETCH"))
}

// A message the driver skips is dropped, the next still comes; a body for
// a UID not asked for, or without a UID first, fails the batch at its
// end, the session in step; Stop drops the rest.
func TestGetMessagesHostile(t *testing.T) {
	body := strings.Repeat("b", 50)
	s := selected(t)
	order, got, problems, _, err := batchDrive(GetMessages(s, "INBOX", []string{"1", "2"}, 0),
		[]string{"* 1 FETCH (UID 1 BODY[] {50}\r\n" + body + ")\r\n* 2 FETCH (UID 2 BODY[] {3}\r\ntwo)\r\nA5 OK\r\n"}, 7, "1")
	require.NoError(t, err)
	assert.Empty(t, problems)
	assert.Equal(t, []string{"1", "2"}, order)
	assert.Equal(t, "two", got["2"])
	assert.Less(t, len(got["1"]), 50)

	_, got, _, _, err = batchDrive(GetMessages(s, "INBOX", []string{"1"}, 0),
		[]string{"* 1 FETCH (UID 5 BODY[] {6}\r\nsecret)\r\n* 2 FETCH (UID 1 BODY[] {3}\r\none)\r\nA6 OK\r\n"}, 3, "")
	var se *StreamError
	require.ErrorAs(t, err, &se)
	assert.EqualValues(t, 5, se.UID)
	assert.NotContains(t, got, "5")
	next(t, s, "A7")

	_, _, _, _, err = batchDrive(GetMessages(s, "INBOX", []string{"1"}, 0),
		[]string{"* 1 FETCH (BODY[] {3}\r\none UID 1)\r\nA8 OK\r\n"}, 0, "")
	require.ErrorAs(t, err, &se)
	next(t, s, "A9")

	_, _, _, _, err = batchDrive(GetMessages(s, "INBOX", []string{"1"}, 0),
		[]string{"* 1 FETCH (UID 1 BODY[] {30}\r\ncut short"}, 2, "")
	var te *TruncatedError
	require.ErrorAs(t, err, &te)
	assert.Error(t, s.Err())

	s = selected(t)
	m := GetMessages(s, "INBOX", []string{"1", "2"}, 0)
	var in coroutine.NetReply
	all := "* 1 FETCH (UID 1 BODY[] {3}\r\none)\r\n* 2 FETCH (UID 2 BODY[] {3}\r\ntwo)\r\nA5 OK\r\n"
	var sunk []string
	for {
		req, done := m.Resume(in)
		if done {
			break
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetRead:
			in.Data, all = []byte(all), ""
			in.EOF = len(in.Data) == 0
		case coroutine.NetSink:
			sunk = append(sunk, m.ID()+":"+string(req.Data))
			m.Stop()
			in.Err = ErrSkipBody
		}
	}
	problems, err = m.Result()
	require.NoError(t, err)
	assert.Empty(t, problems)
	assert.Equal(t, []string{"1:"}, sunk)
	next(t, s, "A6")

	_, _, _, _, err = batchDrive(GetMessages(s, "INBOX", nil, 0), nil, 0, "")
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	_, _, _, _, err = batchDrive(GetMessages(s, "INBOX", []string{"x"}, 0), nil, 0, "")
	assert.True(t, errors.Is(err, email.ErrInvalidID))
}
