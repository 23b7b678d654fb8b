package imap

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

const (
	greetNoSort = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n"
	loginNoSort = "A1 OK [CAPABILITY IMAP4rev1 UIDPLUS] in\r\n"
)

func listINBOX(s *Session) coroutine.NetMachine[[]email.Envelope] {
	return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		// A page: the SORT (or date FETCH) first, then the page's FETCH.
		return ListEnvelopes(s, "INBOX", email.ListOptions{PageSize: 100})
	})
}

// FETCH answers without a UID inside a UID FETCH are an error, not an
// empty page, in the page fetch and in the date fetch of servers
// without SORT.
func TestHostileFetchWithoutUID(t *testing.T) {
	for name, server := range map[string][]string{
		"page": {greet, loginOK, selOK, "* SORT 2 1\r\nA3 OK\r\n",
			"* 1 FETCH (FLAGS () ENVELOPE (NIL \"one\" NIL NIL NIL NIL NIL NIL NIL NIL) RFC822.SIZE 3)\r\n* 2 FETCH (FLAGS () ENVELOPE (NIL \"two\" NIL NIL NIL NIL NIL NIL NIL NIL) RFC822.SIZE 3)\r\nA4 OK\r\n"},
		"dates": {greetNoSort, loginNoSort, selOK,
			"* 1 FETCH (BODY[HEADER.FIELDS (DATE)] {2}\r\n\r\n)\r\n* 2 FETCH (BODY[HEADER.FIELDS (DATE)] {2}\r\n\r\n)\r\nA3 OK\r\n"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, chunk := range []int{0, 1, 5} {
				envs, _, err := hostileDrive(listINBOX(NewSession(true, Limits{})), server, chunk)
				var fe *FetchError
				require.ErrorAs(t, err, &fe, "chunk %d", chunk)
				assert.Equal(t, "UID", fe.Item)
				assert.Equal(t, uint32(1), fe.Seq)
				assert.ErrorIs(t, err, email.ErrProtocol)
				assert.Nil(t, envs)
			}
		})
	}
	// A FETCH of flags alone without a UID is an unsolicited update: it is
	// no error.
	envs, _, err := hostileDrive(listINBOX(NewSession(true, Limits{})), []string{greet, loginOK, selOK, "* SORT 1\r\nA3 OK\r\n",
		"* 2 FETCH (FLAGS (\\Seen))\r\n* 1 FETCH (UID 1 FLAGS () ENVELOPE (NIL \"one\" NIL NIL NIL NIL NIL NIL NIL NIL) RFC822.SIZE 3)\r\nA4 OK\r\n"}, 0)
	require.NoError(t, err)
	require.Len(t, envs, 1)
}

// The error of the FETCH that replaces SORT on servers without it names
// UID FETCH, the command actually sent.
func TestListEnvelopesFallbackErrorNamesFetch(t *testing.T) {
	_, _, err := hostileDrive(listINBOX(NewSession(true, Limits{})), []string{greetNoSort, loginNoSort, selOK, "A3 NO [SERVERBUG] cannot fetch\r\n"}, 0)
	var ce *CommandError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "UID FETCH", ce.Command)
	_, _, err = hostileDrive(listINBOX(NewSession(true, Limits{})), []string{greet, loginOK, selOK, "A3 NO [SERVERBUG] cannot sort\r\n"}, 0)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "UID SORT", ce.Command)
	// A read-only selection is labelled EXAMINE, not SELECT.
	_, _, err = hostileDrive(SearchEnvelopes(sessionWith("IMAP4rev1", false), "Gone", search.Query{}, email.ListOptions{}),
		[]string{"A1 NO [NONEXISTENT] no such mailbox\r\n"}, 0)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "EXAMINE", ce.Command)
	assert.ErrorIs(t, err, email.ErrNotFound)
}

// Untagged responses that carry state the command needs fail it once the
// tagged status is in, so the stream stays in step; others are skipped.
func TestHostileBrokenUntagged(t *testing.T) {
	for _, c := range []struct {
		name, resp, want string
	}{
		{"SORT", "* SORT 1 x 2\r\nA3 OK\r\n", "SORT"},
		{"SEARCH", "* SORT 1\r\n* SEARCH 1 (\r\nA3 OK\r\n", "SEARCH"},
		{"ESEARCH", "* ESEARCH (TAG \"A3\") UID ALL ((\r\nA3 OK\r\n", "ESEARCH"},
		{"FETCH", "* 1 FETCH UID 1\r\nA3 OK\r\n", "FETCH"},
		{"UIDVALIDITY", "* OK [UIDVALIDITY 99999999999] v\r\nA3 OK\r\n", "OK [UIDVALIDITY]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewSession(true, Limits{})
			envs, _, err := hostileDrive(listINBOX(s), []string{greet, loginOK, selOK, c.resp, "A4 OK\r\n"}, 0)
			var ue *UntaggedError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, c.want, ue.Name)
			assert.ErrorIs(t, err, email.ErrProtocol)
			assert.Nil(t, envs)
			// The tagged status was read: the session is still in step.
			require.NoError(t, s.Err())
		})
	}
	// In the SELECT too.
	_, _, err := hostileDrive(listINBOX(NewSession(true, Limits{})), []string{greet, loginOK, "* 2 EXISTS\r\n* OK [UIDVALIDITY 99999999999] v\r\nA2 OK sel\r\n"}, 0)
	var ue *UntaggedError
	require.ErrorAs(t, err, &ue)
	// A broken EXISTS during a command forgets the selection: the next
	// operation selects again.
	s := NewSession(true, Limits{})
	_, _, err = hostileDrive(listINBOX(s), []string{greet, loginOK, selOK, "* SORT\r\n* 99999999999 EXISTS\r\nA3 OK\r\n"}, 0)
	require.Error(t, err)
	assert.Equal(t, "", s.Selected())
}

// A LIST or STATUS answer that does not parse fails a listing of
// mailboxes instead of leaving a mailbox out unseen.
func TestHostileBrokenList(t *testing.T) {
	for _, c := range []struct{ name, resp, want string }{
		{"LIST", "* LIST () \"/\" INBOX\r\n* LIST (\\HasNoChildren \"/\" Archive\r\nA2 OK\r\n", "LIST"},
		{"STATUS", "* LIST () \"/\" INBOX\r\nA2 OK\r\n* STATUS INBOX (MESSAGES x)\r\nA3 OK\r\n", "STATUS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewSession(true, Limits{})
			boxes, _, err := hostileDrive(openThen(s, func(s *Session) coroutine.NetMachine[[]email.Mailbox] {
				return ListMailboxes(s, email.ListMailboxesOptions{WithCounts: true})
			}), []string{greet, loginOK, c.resp}, 0)
			var ue *UntaggedError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, c.want, ue.Name)
			assert.Nil(t, boxes)
			require.NoError(t, s.Err(), "in step")
		})
	}
}

// A broken ENVELOPE next to the envelope's raw header fields is no error:
// the header fields give the envelope.
func TestHostileBrokenEnvelopeWithHeaderFields(t *testing.T) {
	head := "Subject: from the header\r\nFrom: a@example.test\r\n\r\n"
	envs, _, err := hostileDrive(listINBOX(NewSession(true, Limits{})), []string{greet, loginOK, selOK, "* SORT 1\r\nA3 OK\r\n",
		"* 1 FETCH (UID 1 FLAGS () ENVELOPE (NIL \"s\" x) RFC822.SIZE 42 BODY[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)] {" +
			strconv.Itoa(len(head)) + "}\r\n" + head + ")\r\nA4 OK\r\n"}, 0)
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, "from the header", envs[0].Subject)
	assert.Equal(t, int64(42), envs[0].Size)
}
