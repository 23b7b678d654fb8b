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

// TestReplaySearchDovecot replays a search recorded from Dovecot: the
// filter has text conditions, so no SEARCH is sent; the header fields of
// every message are fetched in one batch, checked and sorted here, and the
// page's envelopes fetched.
func TestReplaySearchDovecot(t *testing.T) {
	envs, err := replay(t, "search-dovecot-whole.txt", func(s *Session) coroutine.NetMachine[[]email.Envelope] {
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

// TestReplaySearchMemServer replays the same search recorded from
// imapmemserver: the same commands, the same answer.
func TestReplaySearchMemServer(t *testing.T) {
	envs, err := replay(t, "search-memserver-whole.txt", func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			return SearchEnvelopes(s, "INBOX", recordedQuery, email.ListOptions{Page: 1, PageSize: 2})
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"5", "2"}, envIDs(envs))
	assert.Equal(t, "Réunion du lundi", envs[1].Subject)
	assert.Equal(t, int64(259), envs[1].Size)
}

// TestReplaySearchSuperset replays a search recorded from Dovecot where a
// superset exists: OR BODY pizza SEEN narrows the candidates to 1 and 3,
// BODY pizza says which body holds pizza, the candidates' header fields
// decide "from alice and flag seen".
func TestReplaySearchSuperset(t *testing.T) {
	envs, err := replay(t, "search-dovecot-superset.txt", func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return openThen(s, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			return SearchEnvelopes(s, "srch-rec", supersetQuery, email.ListOptions{Page: 1, PageSize: 2})
		})
	})
	require.NoError(t, err)
	// By base subject: "Lunch plans" (Re: dropped), "Quarterly report".
	assert.Equal(t, []string{"3", "1"}, envIDs(envs))
}

// supersetQuery is the query of search-dovecot-superset.txt.
var supersetQuery = search.MustParse("body pizza or from alice and flag seen order by subject")

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

// fetchHeaders returns the transcript lines of the FETCH answer of one
// message's header fields, given with LF line ends (sent as CRLF).
func fetchHeaders(seq, uid int, flags, fields string) string {
	lines := strings.Split(strings.TrimSuffix(fields, "\n"), "\n")
	var b strings.Builder
	n := 0
	for _, l := range lines {
		n += len(l) + 2
	}
	fmt.Fprintf(&b, "S: * %d FETCH (UID %d FLAGS (%s) BODY[HEADER.FIELDS (DATE FROM SUBJECT)] {%d}\n", seq, uid, flags, n)
	for _, l := range lines {
		b.WriteString("S: " + l + "\n")
	}
	b.WriteString("S: )")
	return b.String()
}

func TestSearchSynchronisingLiteral(t *testing.T) {
	// No LITERAL+: the body value waits for "+". The superset is the body
	// condition itself (its answer serves the check too); the check on
	// the header fields keeps the messages from alice.
	text := `
C: A1 EXAMINE INBOX
S: * 4 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SEARCH CHARSET UTF-8 BODY {5}
S: + go on
C: café
S: * SEARCH 7 9 8
S: A2 OK done
C: A3 UID FETCH 7:9 (UID BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID FROM)])
` + fetchHeaders(1, 7, "", "From: Alice <a@x>\nDate: Mon, 2 Feb 2026 10:00:00 +0000\n\n") + `
` + fetchHeaders(2, 8, "", "From: alice@x\n\n") + `
` + fetchHeaders(3, 9, "", "From: Bob <b@x>\nDate: Tue, 3 Feb 2026 10:00:00 +0000\n\n") + `
S: A3 OK done
C: A4 UID FETCH 7:8 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])
S: * 2 FETCH (UID 8 FLAGS () RFC822.SIZE 2 ENVELOPE (NIL "undated" NIL NIL NIL NIL NIL NIL NIL NIL))
S: * 1 FETCH (UID 7 FLAGS (\Seen) RFC822.SIZE 1 ENVELOPE ("Mon, 2 Feb 2026 10:00:00 +0000" "a" NIL NIL NIL NIL NIL NIL NIL NIL))
S: A4 OK done
`
	// The header fields are literals too, not parsed by FETCH's section
	// name: the test transcript names DATE FROM SUBJECT.
	envs, err := replayText(t, "IMAP4rev1", text, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "inbox", search.MustParse(`body café and from alice`), email.ListOptions{})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"7", "8"}, envIDs(envs), "newest first, undated last")
	assert.True(t, envs[0].Flags.Has(email.FlagSeen))
}

func TestSearchESearchAndPaging(t *testing.T) {
	// An IMAP4rev2 server answers with ESEARCH; the flag filter is the
	// server's answer; the order comes from the subjects; the page is cut
	// from it and fetched alone.
	envs, err := replayText(t, "IMAP4rev1 IMAP4rev2", `
C: A1 EXAMINE INBOX
S: * 9 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SEARCH SEEN
S: * ESEARCH (TAG "OTHER") UID ALL 1:100
S: * ESEARCH (TAG "A2") UID ALL 3:4,6
S: A2 OK done
C: A3 UID FETCH 3:4,6 (UID BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID SUBJECT)])
`+fetchHeaders(1, 3, "", "Subject: Banana\nDate: Mon, 2 Feb 2026 10:00:00 +0000\n\n")+`
`+fetchHeaders(2, 4, "", "Subject: re: apple\nDate: Mon, 2 Feb 2026 11:00:00 +0000\n\n")+`
`+fetchHeaders(3, 6, "", "Subject: Cherry\nDate: Mon, 2 Feb 2026 12:00:00 +0000\n\n")+`
S: A3 OK done
C: A4 UID FETCH 3 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)] BODYSTRUCTURE)
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

// TestSearchUndated: the server is never asked a date condition. A
// message without a usable Date (Dovecot calls it 1970-01-01 in SENT*)
// matches no date condition, so "before D" leaves it out and "not before
// D" keeps it; the day is the header's own, 23:30 -0500 on 2 Feb is 2 Feb.
func TestSearchUndated(t *testing.T) {
	answer := func(q string) string {
		return `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 FETCH 1:3 (UID BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID)])
` + fetchHeaders(1, 1, "", "Date: Mon, 2 Feb 2026 23:30:00 -0500\n\n") + `
` + fetchHeaders(2, 2, "", "Date: someday\n\n") + `
` + fetchHeaders(3, 3, "", "\n") + `
S: A2 OK done
` + map[string]string{
			"before 2026-02-03": `C: A3 UID FETCH 1 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])
S: * 1 FETCH (UID 1 FLAGS () RFC822.SIZE 1)
S: A3 OK done
`,
			"not before 2026-02-03": `C: A3 UID FETCH 2:3 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])
S: * 2 FETCH (UID 2 FLAGS () RFC822.SIZE 1)
S: * 3 FETCH (UID 3 FLAGS () RFC822.SIZE 1)
S: A3 OK done
`,
			"date 2026-02-02": `C: A3 UID FETCH 1 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])
S: * 1 FETCH (UID 1 FLAGS () RFC822.SIZE 1)
S: A3 OK done
`,
			"after 2026-02-02 or date 1970-01-01": ``,
		}[q]
	}
	for q, want := range map[string][]string{
		"before 2026-02-03":                   {"1"},
		"not before 2026-02-03":               {"2", "3"}, // undated: ties by id
		"date 2026-02-02":                     {"1"},
		"after 2026-02-02 or date 1970-01-01": {},
	} {
		envs, err := replayText(t, "IMAP4rev1 SORT", answer(q), func(s *Session) coroutine.NetMachine[[]email.Envelope] {
			return SearchEnvelopes(s, "INBOX", search.MustParse(q), email.ListOptions{})
		})
		require.NoError(t, err, q)
		assert.Equal(t, want, envIDs(envs), q)
	}
}

func TestSearchHostileServer(t *testing.T) {
	// The SEARCH repeats a UID; the FETCH answers a UID twice (the first
	// answer counts), one the SEARCH did not give, and not at all for one
	// (expunged meanwhile). The result holds each match once.
	envs, err := replayText(t, "IMAP4rev1 SORT", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SEARCH SEEN
S: * SEARCH 30 10 30 20
S: A2 OK done
C: A3 UID FETCH 10,20,30 (UID FLAGS BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID FROM)])
`+fetchHeaders(1, 10, "", "From: alice@x\nDate: Mon, 2 Feb 2026 10:00:00 +0000\n\n")+`
`+fetchHeaders(1, 10, "", "From: bob@x\nDate: Mon, 2 Feb 2026 10:00:00 +0000\n\n")+`
`+fetchHeaders(3, 30, "\\Seen", "From: alice@y\nDate: Tue, 3 Feb 2026 10:00:00 +0000\n\n")+`
`+fetchHeaders(4, 99, "\\Seen", "From: alice@z\n\n")+`
S: A3 OK done
C: A4 UID FETCH 30 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])
S: * 3 FETCH (UID 30 FLAGS () RFC822.SIZE 3)
S: * 4 FETCH (UID 99 FLAGS () RFC822.SIZE 9)
S: A4 OK done
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		// 10 is from alice in its first answer but has no \Seen in its
		// fetched flags: the local check is the last word.
		return SearchEnvelopes(s, "INBOX", search.MustParse("from alice and flag seen"), email.ListOptions{})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"30"}, envIDs(envs))

	// NO [BADCHARSET] and BAD are command errors.
	_, err = replayText(t, "IMAP4rev1 SORT LITERAL+", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK done
C: A2 UID SEARCH CHARSET UTF-8 BODY {2+}
C: é
S: A2 NO [BADCHARSET (US-ASCII)] no UTF-8 here
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.MustParse("body é"), email.ListOptions{})
	})
	var ce *CommandError
	require.True(t, errorsAs(err, &ce), "%v", err)
	assert.Equal(t, "UID SEARCH", ce.Command)
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
	// A FETCH refused mid-way is the error of the search.
	_, err = replayText(t, "IMAP4rev1", `
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK done
C: A2 FETCH 1:3 (UID BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID SUBJECT)])
S: A2 NO [SERVERBUG] broken
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		return SearchEnvelopes(s, "INBOX", search.MustParse("subject x"), email.ListOptions{})
	})
	require.True(t, errorsAs(err, &ce), "%v", err)
	assert.Equal(t, "FETCH", ce.Command)
}

// TestSearchHugeHeaderFields: header fields larger than the session's
// literal limit are an error, not an allocation; under the limit, only
// maxHeaderFields bytes of them are scanned.
func TestSearchHugeHeaderFields(t *testing.T) {
	s := NewSession(true, Limits{MaxLiteral: 1 << 16})
	s.State = StateAuthenticated
	huge := "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (DATE SUBJECT)] {10000000000}\r\n"
	_, _, err := hostileDrive(SearchEnvelopes(s, "INBOX", search.MustParse("subject x"), email.ListOptions{}),
		[]string{"* 1 EXISTS\r\nA1 OK done\r\n", huge}, 0)
	require.Error(t, err)
	assert.ErrorIs(t, err, email.ErrTooLarge)

	// A Subject past maxHeaderFields is cut: "needle" at its end is not
	// seen, at its start it is.
	for _, c := range []struct {
		subject string
		want    []string
	}{
		{strings.Repeat("a", maxHeaderFields) + "needle", []string{}},
		{"needle" + strings.Repeat("a", maxHeaderFields), []string{"1"}},
	} {
		h := "Subject: " + c.subject + "\r\n\r\n"
		server := []string{"* 1 EXISTS\r\nA1 OK done\r\n",
			fmt.Sprintf("* 1 FETCH (UID 1 BODY[HEADER.FIELDS (DATE SUBJECT)] {%d}\r\n%s)\r\nA2 OK done\r\n", len(h), h),
			"* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 1)\r\nA3 OK done\r\n"}
		envs, _, err := hostileDrive(SearchEnvelopes(sessionWith("IMAP4rev1", false), "INBOX", search.MustParse("subject needle"), email.ListOptions{}), server, 0)
		require.NoError(t, err)
		assert.Equal(t, c.want, envIDs(envs))
	}
}

func TestSearchShortcuts(t *testing.T) {
	// An empty mailbox sends nothing; an empty superset sends no FETCH; a
	// second search in the selected mailbox sends no EXAMINE, only the NOOP
	// that brings the view up to date; a page past the end fetches no
	// envelopes.
	envs, err := replayText(t, "IMAP4rev1 SORT", `
C: A1 EXAMINE Empty
S: * 0 EXISTS
S: A1 OK done
C: A2 EXAMINE INBOX
S: * 2 EXISTS
S: A2 OK done
C: A3 UID SEARCH BODY "none"
S: * SEARCH
S: A3 OK done
C: A4 NOOP
S: A4 OK done
C: A5 FETCH 1:2 (UID BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID)])
`+fetchHeaders(1, 1, "", "\n")+`
`+fetchHeaders(2, 2, "", "\n")+`
S: A5 OK done
`, func(s *Session) coroutine.NetMachine[[]email.Envelope] {
		steps := []func() coroutine.NetMachine[[]email.Envelope]{
			func() coroutine.NetMachine[[]email.Envelope] {
				return SearchEnvelopes(s, "Empty", search.Query{}, email.ListOptions{})
			},
			func() coroutine.NetMachine[[]email.Envelope] {
				return SearchEnvelopes(s, "INBOX", search.MustParse("body none and subject x"), email.ListOptions{})
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
// (n a multiple of searchBatch, all fetched in one round) that all match "from sender",
// with a page of size page in the default order: the header fields of the
// whole mailbox, then the page.
func searchBenchServer(n, page int) []string {
	date := func(i int) string {
		return time.Date(2026, 2, 1, 0, 0, 0, 0, time.FixedZone("", 3600)).Add(time.Duration(i) * time.Minute).Format(time.RFC1123Z)
	}
	env := func(i int) string {
		return fmt.Sprintf(`ENVELOPE (%q "Subject number %d" (("Sender %d" NIL "s%d" "example.org")) NIL NIL (("Rcpt" NIL "r" "example.net")) NIL NIL NIL "<m%d@x>")`, date(i), i, i%97, i%97, i)
	}
	var b strings.Builder
	out := []string{fmt.Sprintf("* %d EXISTS\r\nA1 OK done\r\n", n)}
	tag := 2
	for i := 1; i <= n; i++ {
		h := fmt.Sprintf("From: Sender %d <s%d@example.org>\r\nDate: %s\r\n\r\n", i%97, i%97, date(i))
		fmt.Fprintf(&b, "* %d FETCH (UID %d BODY[HEADER.FIELDS (DATE FROM)] {%d}\r\n%s)\r\n", i, i, len(h), h)
		if i%searchBatch == 0 {
			fmt.Fprintf(&b, "A%d OK done\r\n", tag)
			tag++
		}
	}
	out = append(out, b.String())
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
// messages that all match "from sender" and the first page of 50, newest
// first: the header fields of every message, checked and sorted here.
func BenchmarkSearchEnvelopes(b *testing.B) {
	q := search.MustParse("from sender")
	server := searchBenchServer(2000, 50)
	b.ReportAllocs()
	for b.Loop() {
		s := sessionWith("IMAP4rev1 SORT", false)
		envs, _, err := hostileDrive(SearchEnvelopes(s, "INBOX", q, email.ListOptions{Page: 1, PageSize: 50}), server, 0)
		if err != nil || len(envs) != 50 {
			b.Fatal(err, len(envs))
		}
	}
}

// TestSearchLongUIDSets: a large superset is fetched in batches of
// searchBatch UIDs, searchInFlight bytes of commands at a time, each line short
// enough for any server (Dovecot's default limit is 64 KiB); the whole
// mailbox likewise by sequence ranges.
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

	for _, c := range []struct {
		q       string
		server  []string
		batches int
		cmd     string
	}{
		{"flag seen and subject x", []string{"* 20000 EXISTS\r\nA1 OK done\r\n", b.String() + "\r\nA2 OK done\r\n"}, len(uids) / searchBatch, "UID FETCH"},
		{"subject x", []string{"* 20000 EXISTS\r\nA1 OK done\r\n"}, 20000 / searchBatch, " FETCH"},
	} {
		// Each round is answered once all its commands are in: the
		// script learns a round's size from what was written.
		s := sessionWith("IMAP4rev1", false)
		m := SearchEnvelopes(s, "INBOX", search.MustParse(c.q), email.ListOptions{})
		written, rounds, err := driveRounds(m, c.server, len(c.server)+1)
		require.NoError(t, err, c.q)
		n := 0
		for _, l := range strings.Split(string(written), "\r\n") {
			assert.Less(t, len(l), 10000)
			if strings.Contains(l, c.cmd) {
				n++
			}
		}
		assert.Equal(t, c.batches, n, c.q)
		assert.Less(t, rounds, c.batches, "%s: batches are pipelined", c.q)
	}
}

// driveRounds runs m against server (the answers before the header
// fetch), then answers every batch of commands m writes with a tagged OK
// each, from tag on. It returns what m wrote and the number of batches.
func driveRounds(m interface {
	Resume(coroutine.NetReply) (coroutine.NetRequest, bool)
	Result() ([]email.Envelope, error)
}, server []string, tag int) ([]byte, int, error) {
	var written, pending []byte
	var in coroutine.NetReply
	turn, rounds := 0, 0
	for range 1000000 {
		req, done := m.Resume(in)
		if done {
			_, err := m.Result()
			return written, rounds, err
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			written = append(written, req.Data...)
			pending = append(pending, req.Data...)
		case coroutine.NetRead:
			if turn < len(server) {
				in.Data = []byte(server[turn])
				turn++
				pending = nil
				continue
			}
			k := strings.Count(string(pending), "\r\n")
			if k == 0 {
				in.EOF = true
				continue
			}
			var b strings.Builder
			for range k {
				fmt.Fprintf(&b, "A%d OK done\r\n", tag)
				tag++
			}
			in.Data, pending = []byte(b.String()), nil
			rounds++
		}
	}
	return written, rounds, coroutine.ErrTooManySteps
}

// TestSearchTooManyMatches: a result of more than maxIDs UIDs is an error
// matching email.ErrTooLarge, reported after the tagged status so the
// session stays usable.
func TestSearchTooManyMatches(t *testing.T) {
	s := sessionWith("IMAP4rev1 IMAP4rev2", false)
	m := coroutine.Then(SearchEnvelopes(s, "INBOX", search.MustParse("flag seen"), email.ListOptions{}), func([]email.Envelope) coroutine.NetMachine[[]email.Envelope] {
		return failed[[]email.Envelope]("test", assert.AnError)
	})
	_, _, err := hostileDrive(m, []string{"* 5 EXISTS\r\nA1 OK x\r\n", "* ESEARCH (TAG \"A2\") UID ALL 1:2000000\r\nA2 OK x\r\n"}, 0)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.NoError(t, s.Err(), "the session is still in step")
}
