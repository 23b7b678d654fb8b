package imap

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/transcripttest"
	"github.com/ioemail/ioemail/search"
)

// recordedQuery is the query of the recorded search transcripts.
var recordedQuery = search.MustParse(`subject réunion or from "alice martin" or flag work order by date desc`)

func envIDs(envs []email.Envelope) []string {
	out := []string{}
	for _, e := range envs {
		out = append(out, e.ID)
	}
	return out
}

// TestReplaySearchDovecot replays a search recorded from Dovecot: UID SORT
// with a LITERAL+ literal, then the page's UID FETCH in SORT order.
func TestReplaySearchDovecot(t *testing.T) {
	envs, err := replay(t, "search-dovecot-sort.txt", func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			return SearchEnvelopes(s, "srch-rec", recordedQuery, email.ListOptions{Page: 1, PageSize: 2})
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"5", "2"}, envIDs(envs))
	assert.Equal(t, "Deadline", envs[0].Subject)
	assert.Equal(t, "Réunion du lundi", envs[1].Subject)
	assert.True(t, envs[1].Flags.Has(email.ParseFlag("work")))
	assert.True(t, envs[1].Flags.Has(email.FlagFlagged))
	_, off := envs[1].Date.Zone()
	assert.Equal(t, -5*3600, off)
}

// TestReplaySearchFallback replays a search recorded from imapmemserver,
// which has no SORT: UID SEARCH, the sort keys, a local sort, the page.
func TestReplaySearchFallback(t *testing.T) {
	envs, err := replay(t, "search-memserver-fallback.txt", func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			return SearchEnvelopes(s, "INBOX", recordedQuery, email.ListOptions{Page: 1, PageSize: 2})
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"5", "2"}, envIDs(envs))
	assert.Equal(t, "Réunion du lundi", envs[1].Subject)
	assert.Equal(t, int64(259), envs[1].Size)
}

// replayText replays a hand-written transcript against the machine that
// build makes on a session logged in with caps, at several chunk sizes.
func replayText[R any](t *testing.T, caps, text string, build func(*Session) coroutine.NetMachine[R]) (R, error) {
	t.Helper()
	turns, err := coroutine.ParseTranscript(text)
	require.NoError(t, err)
	var out R
	for _, chunk := range []int{0, 1, 3, 11} {
		s := sessionWith(caps, false)
		out, err = coroutine.ReplayNet(build(s), &coroutine.NetScript{Turns: turns, Chunk: chunk})
		var se *coroutine.ScriptError
		require.False(t, errorsAs(err, &se), "chunk %d: %v", chunk, err)
	}
	return out, err
}

func TestSearchSynchronisingLiteral(t *testing.T) {
	// No LITERAL+ and no SORT: the literal waits for "+", the sort is
	// local on the envelopes (newest first, undated last, then subject).
	envs, err := replayText(t, "IMAP4rev1", `
C: A1 EXAMINE INBOX
S: * 4 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SEARCH CHARSET UTF-8 OR SUBJECT {8}
S: + go on
C: réunion BODY "x"
S: * SEARCH 7 9 8 10
S: A2 OK done
C: A3 UID FETCH 7:10 (UID ENVELOPE)
S: * 1 FETCH (UID 7 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0000" "a" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 2 FETCH (UID 8 ENVELOPE (NIL "undated" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 3 FETCH (UID 9 ENVELOPE ("Tue, 3 Feb 2026 10:00:00 +0000" "b" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 4 FETCH (UID 10 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0000" "a again" NIL NIL NIL NIL NIL NIL NIL NIL))
S: A3 OK done
C: A4 UID FETCH 7:10 (UID FLAGS ENVELOPE RFC822.SIZE)
S: * 4 FETCH (UID 10 FLAGS () RFC822.SIZE 4 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0000" "a again" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 1 FETCH (UID 7 FLAGS (\Seen) RFC822.SIZE 1 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0000" "a" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 3 FETCH (UID 9 FLAGS () RFC822.SIZE 3 ENVELOPE ("Tue, 3 Feb 2026 10:00:00 +0000" "b" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 2 FETCH (UID 8 FLAGS () RFC822.SIZE 2 ENVELOPE (NIL "undated" NIL NIL NIL NIL NIL NIL NIL NIL))
S: A4 OK done
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		q := search.MustParse(`subject réunion or body x order by date desc subject`)
		return SearchEnvelopes(s, "inbox", q, email.ListOptions{})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"9", "7", "10", "8"}, envIDs(envs))
	assert.True(t, envs[1].Flags.Has(email.FlagSeen))
}

func TestSearchESearchAndPaging(t *testing.T) {
	// An IMAP4rev2 server answers with ESEARCH; the page is cut from the
	// locally sorted UIDs and fetched alone.
	envs, err := replayText(t, "IMAP4rev1 IMAP4rev2", `
C: A1 EXAMINE INBOX
S: * 9 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SEARCH SEEN
S: * ESEARCH (TAG "OTHER") UID ALL 1:100
S: * ESEARCH (TAG "A2") UID ALL 3:4,6
S: A2 OK done
C: A3 UID FETCH 3:4,6 (UID ENVELOPE)
S: * 1 FETCH (UID 3 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0000" "Banana" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 2 FETCH (UID 4 ENVELOPE ("Mon, 2 Feb 2026 11:00:00 +0000" "re: apple" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 3 FETCH (UID 6 ENVELOPE ("Mon, 2 Feb 2026 12:00:00 +0000" "Cherry" NIL NIL NIL NIL NIL NIL NIL NIL))
S: A3 OK done
C: A4 UID FETCH 3 (UID FLAGS ENVELOPE RFC822.SIZE BODYSTRUCTURE)
S: * 1 FETCH (UID 3 FLAGS (\Seen) RFC822.SIZE 10 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0000" "Banana" NIL NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL))
S: A4 OK done
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.MustParse("flag seen order by subject"), email.ListOptions{Page: 2, PageSize: 1, WithAttachment: true})
	})
	require.NoError(t, err)
	require.Equal(t, []string{"3"}, envIDs(envs))
	require.NotNil(t, envs[0].HasAttachment)
	assert.False(t, *envs[0].HasAttachment)
}

func TestSearchHostileServer(t *testing.T) {
	// SORT repeats a UID and names one the FETCH does not return (expunged
	// meanwhile); the FETCH adds a UID outside the page. The result keeps
	// the SORT order, once per message, and only the page.
	envs, err := replayText(t, "IMAP4rev1 SORT", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SORT (REVERSE DATE) UTF-8 ALL
S: * SORT 30 10 30 20
S: A2 OK done
C: A3 UID FETCH 10,20,30 (UID FLAGS ENVELOPE RFC822.SIZE)
S: * 1 FETCH (UID 10 FLAGS () RFC822.SIZE 1)
S: * 3 FETCH (UID 30 FLAGS () RFC822.SIZE 3)
S: * 4 FETCH (UID 99 FLAGS () RFC822.SIZE 9)
S: A3 OK done
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.Query{}, email.ListOptions{})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"30", "10"}, envIDs(envs))

	// NO [BADCHARSET] and BAD are command errors.
	_, err = replayText(t, "IMAP4rev1 SORT LITERAL+", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK done
C: A2 UID SORT (REVERSE DATE) UTF-8 SUBJECT {2+}
C: é
S: A2 NO [BADCHARSET (US-ASCII)] no UTF-8 here
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.MustParse("subject é"), email.ListOptions{})
	})
	var ce *CommandError
	require.True(t, errorsAs(err, &ce), "%v", err)
	assert.Equal(t, "UID SORT", ce.Command)
	assert.Equal(t, "BADCHARSET", string(ce.Code))
	// An ASCII query is sent again with US-ASCII; a second refusal is
	// the error.
	envs, err = replayText(t, "IMAP4rev1 SORT", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK done
C: A2 UID SORT (REVERSE DATE) UTF-8 SUBJECT "x"
S: A2 NO [BADCHARSET (US-ASCII)] no UTF-8 here
C: A3 UID SORT (REVERSE DATE) US-ASCII SUBJECT "x"
S: * SORT 2
S: A3 OK done
C: A4 UID FETCH 2 (UID FLAGS ENVELOPE RFC822.SIZE)
S: * 2 FETCH (UID 2 FLAGS () RFC822.SIZE 5)
S: A4 OK done
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.MustParse("subject x"), email.ListOptions{})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"2"}, envIDs(envs))
	_, err = replayText(t, "IMAP4rev1 SORT", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK done
C: A2 UID SORT (REVERSE DATE) UTF-8 SUBJECT "x"
S: A2 NO [BADCHARSET] no
C: A3 UID SORT (REVERSE DATE) US-ASCII SUBJECT "x"
S: A3 NO [BADCHARSET] no
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.MustParse("subject x"), email.ListOptions{})
	})
	require.True(t, errorsAs(err, &ce), "%v", err)
	assert.Equal(t, "BADCHARSET", string(ce.Code))
	_, err = replayText(t, "IMAP4rev1", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK done
C: A2 UID SEARCH KEYWORD $Junk
S: A2 BAD unknown search key
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.MustParse("flag junk"), email.ListOptions{})
	})
	assert.ErrorIs(t, err, email.ErrProtocol)
	var oe *email.OpError
	require.True(t, errorsAs(err, &oe))
	assert.Equal(t, "search_envelopes", oe.Op)
}

func TestSearchShortcuts(t *testing.T) {
	// An empty mailbox sends no search; no match sends no FETCH; a second
	// search in the selected mailbox sends no EXAMINE, only the NOOP that
	// brings the view up to date; a page past the end sends nothing after
	// the search.
	envs, err := replayText(t, "IMAP4rev1 SORT", `
C: A1 EXAMINE Empty
S: * 0 EXISTS
S: A1 OK done
C: A2 EXAMINE INBOX
S: * 2 EXISTS
S: A2 OK done
C: A3 UID SORT (REVERSE DATE) UTF-8 SUBJECT "none"
S: * SORT
S: A3 OK done
C: A4 NOOP
S: A4 OK done
C: A5 UID SORT (DATE) UTF-8 ALL
S: * SORT 1 2
S: A5 OK done
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		steps := []func() coroutine.NetMachine[[]email.Envelope]{
			func() coroutine.NetMachine[[]email.Envelope] {
				return SearchEnvelopes(s, "Empty", search.Query{}, email.ListOptions{})
			},
			func() coroutine.NetMachine[[]email.Envelope] {
				return SearchEnvelopes(s, "INBOX", search.MustParse("subject none"), email.ListOptions{})
			},
			func() coroutine.NetMachine[[]email.Envelope] {
				return SearchEnvelopes(s, "INBOX", search.MustParse("order by date"), email.ListOptions{Page: 3, PageSize: 1})
			},
		}
		m := steps[0]()
		for _, next := range steps[1:] {
			next := next
			m = coroutine.Then(m, func(envs []email.Envelope) coroutine.NetMachine[[]email.Envelope] {
				if len(envs) != 0 {
					return failed[[]email.Envelope]("test", assert.AnError)
				}
				return next()
			})
		}
		return m
	})
	require.NoError(t, err)
	assert.Empty(t, envs)
}

// FuzzSearchEnvelopes feeds arbitrary server bytes to a session that opens
// and searches, once with SORT and once without: it must end with a result
// or an error, never panic or loop. Seeds are the server sides of the
// search transcripts.
func FuzzSearchEnvelopes(f *testing.F) {
	for _, server := range transcripttest.Servers(f, "../testdata/imap/search-*.txt") {
		f.Add(server, uint8(7))
	}
	f.Fuzz(func(t *testing.T, server []byte, chunk uint8) {
		s := NewSession(true, Limits{MaxLine: 1 << 12, MaxLiteral: 1 << 14})
		m := openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			return SearchEnvelopes(s, "INBOX", recordedQuery, email.ListOptions{Page: 1, PageSize: 2, WithAttachment: chunk&1 == 0})
		})
		envs, _, err := hostileDrive(m, transcripttest.Chunks(server, int(chunk%64)+1), 0)
		if err == nil {
			assert.LessOrEqual(t, len(envs), 2)
		}
	})
}

// searchBenchServer returns the server side of a search over n messages
// that all match, with a page of size page, in the default order: with
// SORT, or with SEARCH and the Date headers.
func searchBenchServer(n, page int, sort bool) []string {
	date := func(i int) string {
		return time.Date(2026, 2, 1, 0, 0, 0, 0, time.FixedZone("", 3600)).Add(time.Duration(i) * time.Minute).Format(time.RFC1123Z)
	}
	env := func(i int) string {
		return fmt.Sprintf(`ENVELOPE (%q "Subject number %d" (("Sender %d" NIL "s%d" "example.org")) NIL NIL (("Rcpt" NIL "r" "example.net")) NIL NIL NIL "<m%d@x>")`, date(i), i, i%97, i%97, i)
	}
	var b strings.Builder
	out := []string{fmt.Sprintf("* %d EXISTS\r\nA1 OK done\r\n", n)}
	if sort {
		b.WriteString("* SORT")
	} else {
		b.WriteString("* SEARCH")
	}
	for i := n; i >= 1; i-- {
		fmt.Fprintf(&b, " %d", i)
	}
	b.WriteString("\r\nA2 OK done\r\n")
	out = append(out, b.String())
	tag := 3
	if !sort {
		b.Reset()
		for i := 1; i <= n; i++ {
			h := "Date: " + date(i) + "\r\n\r\n"
			fmt.Fprintf(&b, "* %d FETCH (UID %d BODY[HEADER.FIELDS (DATE)] {%d}\r\n%s)\r\n", i, i, len(h), h)
		}
		fmt.Fprintf(&b, "A%d OK done\r\n", tag)
		tag++
		out = append(out, b.String())
	}
	b.Reset()
	for i := 1; i <= n; i++ {
		if i > n-page { // the first page: the newest dates, the highest UIDs
			fmt.Fprintf(&b, "* %d FETCH (UID %d FLAGS (\\Seen) RFC822.SIZE %d %s)\r\n", i, i, 1000+i, env(i))
		}
	}
	fmt.Fprintf(&b, "A%d OK done\r\n", tag)
	return append(out, b.String())
}

// BenchmarkSearchEnvelopes runs the machine alone (no network) over 2,000
// matching messages and the first page of 50, newest first: one UID SORT,
// or UID SEARCH with the envelopes of every match and the local sort.
func BenchmarkSearchEnvelopes(b *testing.B) {
	q := search.MustParse("from sender")
	for _, c := range []struct {
		name, caps string
		sort       bool
	}{{"sort", "IMAP4rev1 SORT SORT=DISPLAY", true}, {"fallback", "IMAP4rev1", false}} {
		server := searchBenchServer(2000, 50, c.sort)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := sessionWith(c.caps, false)
				envs, _, err := hostileDrive(SearchEnvelopes(s, "INBOX", q, email.ListOptions{Page: 1, PageSize: 50}), server, 0)
				if err != nil || len(envs) != 50 {
					b.Fatal(err, len(envs))
				}
			}
		})
	}
}

// TestSearchLongUIDSets: sparse matches in a large mailbox are fetched
// with several pipelined UID FETCH commands, each line short enough for
// any server (Dovecot's default limit is 64 KiB).
func TestSearchLongUIDSets(t *testing.T) {
	var uids []imap.UID
	var b strings.Builder
	b.WriteString("* SEARCH")
	for u := imap.UID(2); u <= 20000; u += 2 {
		uids = append(uids, u)
		fmt.Fprintf(&b, " %d", u)
	}
	sets := uidSetStrings(uids, maxSetLen)
	require.Greater(t, len(sets), 5)
	for _, set := range sets {
		assert.LessOrEqual(t, len(set), maxSetLen+24)
	}
	assert.Equal(t, []string{"1:3,5,9:10"}, uidSetStrings([]imap.UID{10, 2, 1, 5, 3, 9, 2}, 100))

	server := []string{"* 20000 EXISTS\r\nA1 OK done\r\n", b.String() + "\r\nA2 OK done\r\n"}
	var fetched strings.Builder
	for i := range sets {
		fmt.Fprintf(&fetched, "A%d OK done\r\n", 3+i)
	}
	server = append(server, fetched.String())
	s := sessionWith("IMAP4rev1", false)
	envs, written, err := hostileDrive(SearchEnvelopes(s, "INBOX", search.MustParse("flag seen"), email.ListOptions{}), server, 0)
	require.NoError(t, err)
	assert.Empty(t, envs, "no FETCH data, so nothing to list")
	lines := strings.Split(string(written), "\r\n")
	n := 0
	for _, l := range lines {
		assert.Less(t, len(l), 10000)
		if strings.Contains(l, "UID FETCH") {
			n++
		}
	}
	assert.Equal(t, len(sets), n)
}

// TestSearchTooManyMatches: a result of more than maxIDs UIDs is an error
// matching email.ErrTooLarge, reported after the tagged status so the
// session stays usable.
func TestSearchTooManyMatches(t *testing.T) {
	s := sessionWith("IMAP4rev1 IMAP4rev2", false)
	m := coroutine.Then(SearchEnvelopes(s, "INBOX", search.Query{}, email.ListOptions{}), func([]email.Envelope) coroutine.NetMachine[[]email.Envelope] {
		return failed[[]email.Envelope]("test", assert.AnError)
	})
	_, _, err := hostileDrive(m, []string{"* 5 EXISTS\r\nA1 OK x\r\n", "* ESEARCH (TAG \"A2\") UID ALL 1:2000000\r\nA2 OK x\r\n"}, 0)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.NoError(t, s.Err(), "the session is still in step")
}
