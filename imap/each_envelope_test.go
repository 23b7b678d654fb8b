package imap

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

const selectFive = "* 5 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\n* OK [UIDNEXT 6] n\r\nA1 OK [READ-WRITE] sel\r\n"

// listFetchOf is a FETCH response with a Date header field (none when date is
// "") and an INTERNALDATE.
func listFetchOf(uid int, date, internal, subject string) string {
	head := "Subject: " + subject + "\r\nFrom: a@example.test\r\nMessage-ID: <" + subject + "@x>\r\n"
	if date != "" {
		head += "Date: " + date + "\r\n"
	}
	head += "\r\n"
	return fmt.Sprintf("* %d FETCH (UID %d FLAGS () RFC822.SIZE 10 INTERNALDATE %q %s {%d}\r\n%s)\r\n",
		uid, uid, internal, "BODY"+strings.TrimPrefix(envelopeHeaders, "BODY.PEEK"), len(head), head)
}

// The five messages of the order tests: three with one Date, one without
// Date, one whose Date does not parse; the last two received in 2027,
// after the others' Date, or in 2023, before it.
func fiveFetches(internalUndated string) string {
	same := "Mon, 1 Jan 2024 10:00:00 +0000"
	return listFetchOf(1, same, "01-Jan-2024 09:00:00 +0000", "b") +
		listFetchOf(2, same, "01-Jan-2024 09:00:00 +0000", "a") +
		listFetchOf(3, same, "01-Jan-2024 09:00:00 +0000", "c") +
		listFetchOf(4, "", internalUndated, "d") +
		listFetchOf(5, "garbage", internalUndated, "e")
}

func listedIDs(envs []email.Envelope) string {
	ids := make([]string, len(envs))
	for i, e := range envs {
		ids[i] = e.ID
	}
	return strings.Join(ids, " ")
}

// An unpaged listing sends no SORT: one UID FETCH 1:*, ordered locally as
// the server's UID SORT (REVERSE DATE) would order it. The expected orders
// are Dovecot 2.3's answers to UID SORT (REVERSE DATE) on these five
// messages: an undated message sorts by its INTERNALDATE, ties in UID
// order, oldest first.
func TestListEnvelopesUnpagedEmulatesSort(t *testing.T) {
	for internal, want := range map[string]string{
		"15-Jan-2027 08:00:00 +0000": "4 5 1 2 3",
		"14-Nov-2023 22:13:20 +0000": "1 2 3 4 5",
	} {
		s := sessionWith("IMAP4rev1 SORT", false)
		w, envs, err := exchange(t, ListEnvelopes(s, "INBOX", email.ListOptions{}), selectFive, fiveFetches(internal)+"A2 OK\r\n")
		require.NoError(t, err)
		require.Len(t, w, 2)
		assert.Equal(t, "A2 UID FETCH 1:* ("+listItems+")\r\n", w[1])
		assert.Equal(t, want, listedIDs(envs), "undated received %s", internal)
		assert.Equal(t, "b", envs[strings.Index(want, "1")/2].Subject)
	}
}

// Without SORT, the unpaged listing keeps the order of the paged one:
// undated last, ties by UID, newest first.
func TestListEnvelopesUnpagedWithoutSort(t *testing.T) {
	s := sessionWith("IMAP4rev1", false)
	w, envs, err := exchange(t, ListEnvelopes(s, "INBOX", email.ListOptions{}), selectFive, fiveFetches("15-Jan-2027 08:00:00 +0000")+"A2 OK\r\n")
	require.NoError(t, err)
	require.Len(t, w, 2)
	assert.Equal(t, "3 2 1 5 4", listedIDs(envs))
}

// EachEnvelope hands every envelope over in the server's order; an error
// from fn stops the calls, the rest of the answer is read (the session
// stays in step) and the error comes back.
func TestEachEnvelope(t *testing.T) {
	s := sessionWith("IMAP4rev1 SORT", false)
	var got []string
	w, _, err := exchange(t, EachEnvelope(s, "INBOX", func(e email.Envelope) error {
		got = append(got, e.ID+":"+e.Subject)
		return nil
	}), selectFive, fiveFetches("15-Jan-2027 08:00:00 +0000")+"A2 OK\r\n")
	require.NoError(t, err)
	assert.Equal(t, "A2 UID FETCH 1:* ("+listItems+")\r\n", w[1])
	assert.Equal(t, []string{"1:b", "2:a", "3:c", "4:d", "5:e"}, got)

	stop := errors.New("enough")
	got = nil
	_, _, err = exchange(t, EachEnvelope(s, "INBOX", func(e email.Envelope) error {
		got = append(got, e.ID)
		if len(got) == 2 {
			return stop
		}
		return nil
	}), "A3 OK noop\r\n", fiveFetches("15-Jan-2027 08:00:00 +0000")+"A4 OK\r\n")
	require.ErrorIs(t, err, stop)
	assert.Equal(t, []string{"1", "2"}, got)
	require.NoError(t, s.Err(), "in step")

	// The next call runs on the same session.
	got = nil
	_, _, err = exchange(t, EachEnvelope(s, "INBOX", func(e email.Envelope) error { got = append(got, e.ID); return nil }),
		"A5 OK noop\r\n", listFetchOf(7, "", "15-Jan-2027 08:00:00 +0000", "z")+"A6 OK\r\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"7"}, got)
}

// A broken FETCH response fails EachEnvelope with a *FetchError after the
// envelopes before it; an empty mailbox sends no FETCH.
func TestEachEnvelopeErrors(t *testing.T) {
	s := sessionWith("IMAP4rev1", false)
	var got []string
	_, _, err := exchange(t, EachEnvelope(s, "INBOX", func(e email.Envelope) error { got = append(got, e.ID); return nil }),
		selectFive, listFetchOf(1, "", "15-Jan-2027 08:00:00 +0000", "a")+"* 2 FETCH (UID 2 FLAGS (\\Seen RFC822.SIZE 3)\r\nA2 OK\r\n")
	var fe *FetchError
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, email.ErrProtocol)
	assert.Equal(t, []string{"1"}, got)

	s = sessionWith("IMAP4rev1", false)
	w, _, err := exchange(t, EachEnvelope(s, "INBOX", func(email.Envelope) error { t.Fatal("called"); return nil }),
		"* 0 EXISTS\r\n* OK [UIDVALIDITY 9] v\r\nA1 OK [READ-WRITE] sel\r\n")
	require.NoError(t, err)
	assert.Len(t, w, 1)
	_, _, err = exchange(t, EachEnvelope(s, "a\x00b", func(email.Envelope) error { return nil }))
	assert.Error(t, err)
}
