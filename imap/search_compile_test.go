package imap

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// sessionWith returns a session as after login with caps (and
// UTF8=ACCEPT enabled when utf8 is set).
func sessionWith(caps string, utf8 bool) *Session {
	s := NewSession(true, Limits{})
	s.State = StateAuthenticated
	for _, c := range strings.Fields(caps) {
		s.caps[imap.Cap(c)] = struct{}{}
	}
	if utf8 {
		s.enabled[imap.CapUTF8Accept] = struct{}{}
	}
	return s
}

// searchCommand returns the segments of the UID SEARCH command that
// SearchEnvelopes would send for q's whole filter on a session with caps
// (the encoding of every node; which nodes are sent is bound's choice,
// tested in TestBound).
func searchCommand(t *testing.T, caps string, utf8 bool, q search.Query) ([]string, error) {
	t.Helper()
	s := sessionWith(caps, utf8)
	if _, err := compileQuery(q); err != nil {
		return nil, err
	}
	key := q.Filter
	if key == nil {
		key = all()
	}
	m := &searchEnvelopes{s: s, q: q, steps: []searchStep{{key: key}}}
	var r runner
	r.tags = []string{"A1"}
	cmds, _, err := m.searchCommand(&r, 0)
	if err != nil {
		return nil, err
	}
	require.Len(t, cmds, 1)
	var out []string
	for _, seg := range cmds[0].Segments {
		out = append(out, string(seg))
	}
	return out, nil
}

func TestCompileSearchKeys(t *testing.T) {
	cases := []struct {
		q    string
		want string // the keys after "UID SEARCH "
	}{
		{"", "ALL"},
		{"from alice", `FROM "alice"`},
		{"to bob@example.net", `TO "bob@example.net"`},
		{"subject hello", `SUBJECT "hello"`},
		{"body invoice", `BODY "invoice"`},
		{`subject "a \"quoted\" \\ value"`, `SUBJECT "a \"quoted\" \\ value"`},
		{"subject nil", `SUBJECT "nil"`},
		{"from a and to b", `FROM "a" TO "b"`},
		{"from a to b subject c", `FROM "a" TO "b" SUBJECT "c"`},
		{"from a or to b", `OR FROM "a" TO "b"`},
		{"from a or to b or subject c", `OR FROM "a" OR TO "b" SUBJECT "c"`},
		{"not from a", `NOT FROM "a"`},
		{"not not from a", `NOT NOT FROM "a"`},
		{"not (from a and to b)", `NOT (FROM "a" TO "b")`},
		{"from a or to b and subject c", `OR FROM "a" (TO "b" SUBJECT "c")`},
		{"(from a or to b) and subject c", `OR FROM "a" TO "b" SUBJECT "c"`},
		{"(from a or to b) and (subject c or body d)", `OR FROM "a" TO "b" OR SUBJECT "c" BODY "d"`},
		{"date 2026-02-03", "SENTON 3-Feb-2026"},
		{"before 2026-12-31", "SENTBEFORE 31-Dec-2026"},
		{"after 2026-02-28", "SENTSINCE 1-Mar-2026"},
		{"after 2024-02-28", "SENTSINCE 29-Feb-2024"},
		{"after 2026-12-31", "SENTSINCE 1-Jan-2027"},
		{"after 9999-12-31", "NOT ALL"},
		{"before 0001-01-01", "SENTBEFORE 1-Jan-0001"},
		{"after 2026-02-10 before 2026-02-20", "SENTSINCE 11-Feb-2026 SENTBEFORE 20-Feb-2026"},
		{"flag seen", "SEEN"},
		{`flag \Answered`, "ANSWERED"},
		{"flag $flagged", "FLAGGED"},
		{"flag draft", "DRAFT"},
		{"flag deleted", "DELETED"},
		{"flag forwarded", "KEYWORD $Forwarded"},
		{"flag $junk", "KEYWORD $Junk"},
		{"flag notjunk", "KEYWORD $NotJunk"},
		{"flag mdnsent", "KEYWORD $MDNSent"},
		{"flag Work", "KEYWORD Work"},
		{"not flag seen and flag work", "NOT SEEN KEYWORD work"},
	}
	for _, c := range cases {
		got, err := searchCommand(t, "IMAP4rev1", false, search.MustParse(c.q))
		require.NoError(t, err, c.q)
		assert.Equal(t, []string{"A1 UID SEARCH " + c.want + "\r\n"}, got, "%q", c.q)
	}
}

func TestCompileNonASCII(t *testing.T) {
	q := search.MustParse("subject réunion or from ascii")
	// No LITERAL+: a synchronising literal splits the command.
	got, err := searchCommand(t, "IMAP4rev1", false, q)
	require.NoError(t, err)
	assert.Equal(t, []string{"A1 UID SEARCH CHARSET UTF-8 OR SUBJECT {8}\r\n", "réunion FROM \"ascii\"\r\n"}, got)
	// LITERAL+ (RFC 7888): one write.
	got, err = searchCommand(t, "IMAP4rev1 LITERAL+", false, q)
	require.NoError(t, err)
	assert.Equal(t, []string{"A1 UID SEARCH CHARSET UTF-8 OR SUBJECT {8+}\r\nréunion FROM \"ascii\"\r\n"}, got)
	// LITERAL- covers short literals.
	got, err = searchCommand(t, "IMAP4rev1 LITERAL-", false, q)
	require.NoError(t, err)
	assert.Equal(t, []string{"A1 UID SEARCH CHARSET UTF-8 OR SUBJECT {8+}\r\nréunion FROM \"ascii\"\r\n"}, got)
	// UTF8=ACCEPT enabled (RFC 6855): a quoted UTF-8 string.
	got, err = searchCommand(t, "IMAP4rev1", true, q)
	require.NoError(t, err)
	assert.Equal(t, []string{"A1 UID SEARCH CHARSET UTF-8 OR SUBJECT \"réunion\" FROM \"ascii\"\r\n"}, got)
	// A body value, the one text the server is asked, takes the same
	// literal.
	got, err = searchCommand(t, "IMAP4rev1 SORT LITERAL+", false, search.MustParse("body 会議"))
	require.NoError(t, err)
	assert.Equal(t, []string{"A1 UID SEARCH CHARSET UTF-8 BODY {6+}\r\n会議\r\n"}, got)
}

// TestCompileHostileValues builds trees by hand, as a caller that skips the
// parser could: a value can never end the command or start another.
func TestCompileHostileValues(t *testing.T) {
	text := func(v string) search.Query {
		return search.Query{Filter: &search.TextCond{Field: search.Subject, Value: v}}
	}
	cases := []struct {
		value string
		want  []string
	}{
		{"x\r\nA2 DELETE INBOX", []string{"A1 UID SEARCH SUBJECT {18}\r\n", "x\r\nA2 DELETE INBOX\r\n"}},
		{"x\nA2 LOGOUT", []string{"A1 UID SEARCH SUBJECT {11}\r\n", "x\nA2 LOGOUT\r\n"}},
		{`") ALL (`, []string{`A1 UID SEARCH SUBJECT "\") ALL ("` + "\r\n"}},
		{`\" OR ALL "`, []string{`A1 UID SEARCH SUBJECT "\\\" OR ALL \""` + "\r\n"}},
		{"{5}\r\n", []string{"A1 UID SEARCH SUBJECT {5}\r\n", "{5}\r\n\r\n"}},
		{"", []string{`A1 UID SEARCH SUBJECT ""` + "\r\n"}},
		{strings.Repeat("a", 2000), []string{"A1 UID SEARCH SUBJECT {2000}\r\n", strings.Repeat("a", 2000) + "\r\n"}},
	}
	for _, c := range cases {
		got, err := searchCommand(t, "IMAP4rev1", false, text(c.value))
		require.NoError(t, err, "%q", c.value)
		assert.Equal(t, c.want, got, "%q", c.value)
	}
	for _, bad := range []search.Query{
		text("a\x00b"),
		{Filter: &search.FlagCond{Flag: email.ParseFlag("a b")}},
		{Filter: &search.FlagCond{Flag: email.ParseFlag("x]")}},
		{Filter: &search.FlagCond{Flag: email.ParseFlag("caf\u00e9")}},
		{Filter: &search.FlagCond{Flag: email.ParseFlag(`\Recent`)}},
		{Filter: &search.FlagCond{Flag: email.ParseFlag("")}},
		{Filter: &search.FlagCond{Flag: email.ParseFlag("a\r\nb")}},
		{Filter: &search.DateCond{Op: search.On, Day: search.Day{Year: 2023, Month: 2, Day: 29}}},
		{Filter: &search.DateCond{Op: 9, Day: search.Day{Year: 2023, Month: 2, Day: 2}}},
		{Filter: &search.TextCond{Field: 9, Value: "x"}},
		{Filter: &search.And{Nodes: []search.Node{nil, nil}}},
		{Filter: &search.Not{}},
		{Sort: []search.Sorter{{Key: 9}}},
	} {
		_, err := searchCommand(t, "IMAP4rev1 SORT", false, bad)
		assert.ErrorIs(t, err, email.ErrInvalidArgument, "%#v", bad.Filter)
		m := SearchEnvelopes(sessionWith("IMAP4rev1", false), "INBOX", bad, email.ListOptions{})
		req, done := m.Resume(coroutine.NetReply{})
		assert.True(t, done, "refused before any I/O: %v", req)
		_, err = m.Result()
		assert.ErrorIs(t, err, email.ErrInvalidArgument)
	}
}

func TestCompileShapes(t *testing.T) {
	leaf := func(v string) search.Node { return &search.TextCond{Field: search.From, Value: v} }
	cases := []struct {
		n    search.Node
		want string
	}{
		{&search.And{}, "ALL"},
		{&search.Or{}, "NOT ALL"},
		{&search.And{Nodes: []search.Node{leaf("a")}}, `FROM "a"`},
		{&search.Or{Nodes: []search.Node{leaf("a")}}, `FROM "a"`},
		{&search.Not{Node: &search.And{Nodes: []search.Node{leaf("a"), &search.Or{}}}}, `NOT (FROM "a" NOT ALL)`},
		{&search.And{Nodes: []search.Node{leaf("a"), &search.And{Nodes: []search.Node{leaf("b"), leaf("c")}}}}, `FROM "a" (FROM "b" FROM "c")`},
	}
	for _, c := range cases {
		got, err := searchCommand(t, "IMAP4rev1", false, search.Query{Filter: c.n})
		require.NoError(t, err)
		assert.Equal(t, []string{"A1 UID SEARCH " + c.want + "\r\n"}, got)
	}
}

// TestCompileDeepTree: a hand-built tree far deeper than the parser allows
// is refused, not a stack overflow; 10,000 nested parentheses in query text
// are the parser's error.
func TestCompileDeepTree(t *testing.T) {
	var n search.Node = &search.TextCond{Field: search.Subject, Value: "x"}
	for range 100000 {
		n = &search.Not{Node: n}
	}
	_, err := compileQuery(search.Query{Filter: n})
	assert.ErrorIs(t, err, email.ErrInvalidArgument)

	n = &search.TextCond{Field: search.Subject, Value: "x"}
	for range maxSearchDepth - 1 {
		n = &search.Not{Node: n}
	}
	_, err = compileQuery(search.Query{Filter: n})
	assert.NoError(t, err)

	_, err = search.Parse(strings.Repeat("(", 10000) + "from a" + strings.Repeat(")", 10000))
	assert.Error(t, err)
}

// checkCommand verifies the framing of an encoded command: it ends with the
// only CRLF outside literals, every literal carries exactly the bytes it
// announces, and every quoted string is closed.
func checkCommand(t *testing.T, b []byte) {
	t.Helper()
	require.True(t, bytes.HasSuffix(b, []byte("\r\n")), "%q", b)
	b = b[:len(b)-2]
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\r', '\n', 0:
			t.Fatalf("bare %q at %d outside a literal: %q", b[i], i, b)
		case '"':
			j := i + 1
			for ; j < len(b) && b[j] != '"'; j++ {
				if b[j] == '\\' {
					j++
				}
				require.Less(t, j, len(b), "unterminated quoted string: %q", b)
				require.NotContains(t, "\r\n\x00", string(b[j]), "%q", b)
			}
			require.Less(t, j, len(b), "unterminated quoted string: %q", b)
			i = j
		case '{':
			end := bytes.Index(b[i:], []byte("}\r\n"))
			require.Positive(t, end, "%q", b)
			num := strings.TrimSuffix(string(b[i+1:i+end]), "+")
			n, err := strconv.Atoi(num)
			require.NoError(t, err, "%q", b)
			i += end + 3 + n - 1
			require.Less(t, i, len(b), "literal runs past the command: %q", b)
		}
	}
}

// FuzzCompileSearch compiles every query the parser accepts: the command is
// well framed whatever the values hold, and every parsed query compiles.
func FuzzCompileSearch(f *testing.F) {
	for _, s := range []string{
		"", "from alice", `subject "a \"b\" \\ c"`, "subject réunion or body 会議",
		"not (date 2026-02-03 or after 2026-12-31) before 9999-12-31", "flag work and not flag \\Seen",
		"order by from desc subject", `body "x\ny"`, `subject "{5}"`, "to ) or (",
	} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, caps uint8) {
		q, err := search.Parse(text)
		if err != nil {
			return
		}
		capList := "IMAP4rev1"
		if caps&1 != 0 {
			capList += " SORT SORT=DISPLAY"
		}
		if caps&2 != 0 {
			capList += " LITERAL+"
		}
		segs, err := searchCommand(t, capList, caps&4 != 0, q)
		require.NoError(t, err, "%q", text)
		checkCommand(t, []byte(strings.Join(segs, "")))
	})
}
