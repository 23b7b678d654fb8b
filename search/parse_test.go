package search

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func subj(v string) Node          { return &TextCond{Field: Subject, Value: v} }
func from(v string) Node          { return &TextCond{Field: From, Value: v} }
func to(v string) Node            { return &TextCond{Field: To, Value: v} }
func and(n ...Node) Node          { return &And{Nodes: n} }
func or(n ...Node) Node           { return &Or{Nodes: n} }
func not(n Node) Node             { return &Not{Node: n} }
func flag(raw string) Node        { return &FlagCond{Flag: email.ParseFlag(raw)} }
func day(y, m, d int) Day         { return Day{y, time.Month(m), d} }
func on(y, m, d int) Node         { return &DateCond{Op: On, Day: day(y, m, d)} }
func before(y, m, d int) Node     { return &DateCond{Op: Before, Day: day(y, m, d)} }
func after(y, m, d int) Node      { return &DateCond{Op: After, Day: day(y, m, d)} }
func filter(n Node) Query         { return Query{Filter: n} }
func sorted(s ...Sorter) []Sorter { return s }

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Query
	}{
		{"", Query{}},
		{"  \r\n\t ", Query{}},
		{"subject hello", filter(subj("hello"))},
		{"SUBJECT Hello", filter(subj("Hello"))},
		{"Subject hello AND From bob", filter(and(subj("hello"), from("bob")))},
		// Precedence: not > and > or.
		{"from a and to b or subject c", filter(or(and(from("a"), to("b")), subj("c")))},
		{"from a or to b and not subject c", filter(or(from("a"), and(to("b"), not(subj("c")))))},
		{"from a or to b or subject c", filter(or(from("a"), to("b"), subj("c")))},
		{"from a and to b and subject c", filter(and(from("a"), to("b"), subj("c")))},
		{"(from a or to b) and subject c", filter(and(or(from("a"), to("b")), subj("c")))},
		{"from a and (to b and subject c)", filter(and(from("a"), and(to("b"), subj("c"))))},
		{"not not from a", filter(not(not(from("a"))))},
		{"not (from a or from b)", filter(not(or(from("a"), from("b"))))},
		{"( from a )", filter(from("a"))},
		{"((from a))", filter(from("a"))},
		// Implicit AND by juxtaposition.
		{"from a to b", filter(and(from("a"), to("b")))},
		{"from a to b and subject c", filter(and(from("a"), to("b"), subj("c")))},
		{"from a or to b subject c", filter(or(from("a"), and(to("b"), subj("c"))))},
		{"from a (to b or to c)", filter(and(from("a"), or(to("b"), to("c"))))},
		{"from a not flag seen", filter(and(from("a"), not(flag("seen"))))},
		// Quoting and escapes.
		{`subject "foo bar"`, filter(subj("foo bar"))},
		{`subject "say \"hi\""`, filter(subj(`say "hi"`))},
		{`subject "back\\slash"`, filter(subj(`back\slash`))},
		{`subject "keep\nit"`, filter(subj(`keep\nit`))},
		{`subject ""`, filter(subj(""))},
		{`subject "or"`, filter(subj("or"))},
		{`subject "AND"`, filter(subj("AND"))},
		{`subject "order by date"`, filter(subj("order by date"))},
		{`subject "a (b) c"`, filter(subj("a (b) c"))},
		{`subject foo\ bar`, filter(subj("foo bar"))},
		{`subject \(x\)`, filter(subj("(x)"))},
		{`subject a\\b`, filter(subj(`a\b`))},
		{`subject \"x`, filter(subj(`"x`))},
		{`subject x"y"`, filter(subj(`x"y"`))},
		{`subject \or`, filter(subj(`\or`))},
		{`subject trailing\`, filter(subj(`trailing\`))},
		{`subject by`, filter(subj("by"))},
		{`subject desc`, filter(subj("desc"))},
		{"subject élan", filter(subj("élan"))},
		{"subject 日本語", filter(subj("日本語"))},
		{"subject\r\nhello", filter(subj("hello"))},
		{"from a@b.c", filter(from("a@b.c"))},
		// Flags.
		{"flag seen", filter(flag("seen"))},
		{`flag \Seen`, filter(flag(`\Seen`))},
		{`flag $Forwarded`, filter(flag("$Forwarded"))},
		{`flag "\Flagged"`, filter(flag(`\Flagged`))},
		{"flag Work", filter(flag("Work"))},
		{"flag $label1", filter(flag("$label1"))},
		// Dates.
		{"date 2026-03-02", filter(on(2026, 3, 2))},
		{"before 2026/3/2", filter(before(2026, 3, 2))},
		{"after 02-03-2026", filter(after(2026, 3, 2))},
		{"after 2/3/2026", filter(after(2026, 3, 2))},
		{`date "2024-02-29"`, filter(on(2024, 2, 29))},
		{"after 2026-01-01 before 2026-02-01", filter(and(after(2026, 1, 1), before(2026, 2, 1)))},
		// Sorting.
		{"order by date", Query{Sort: sorted(Sorter{Key: ByDate})}},
		{"order by", Query{}},
		{"ORDER BY Subject DESC", Query{Sort: sorted(Sorter{Key: BySubject, Desc: true})}},
		{"order by date desc from asc to subject", Query{Sort: sorted(
			Sorter{Key: ByDate, Desc: true}, Sorter{Key: ByFrom}, Sorter{Key: ByTo}, Sorter{Key: BySubject})}},
		{"from a order by from", Query{Filter: from("a"), Sort: sorted(Sorter{Key: ByFrom})}},
		{`subject "x order by date" order by to desc`, Query{Filter: subj("x order by date"), Sort: sorted(Sorter{Key: ByTo, Desc: true})}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		require.NoError(t, err, "%q", c.in)
		assert.Equal(t, c.want, got, "%q", c.in)
		// Round trip.
		back, err := Parse(got.String())
		require.NoError(t, err, "%q printed as %q", c.in, got.String())
		assert.Equal(t, got, back, "%q printed as %q", c.in, got.String())
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in       string
		pos      int
		expected string // a substring of Expected
		got      string
	}{
		{"subject", 7, "a value after \"subject\"", gotEnd},
		{"subject or", 8, `quote "or"`, `"or"`},
		{"subject (x)", 8, "a value", `"("`},
		{"hello", 0, "a condition", `"hello"`},
		{"from a hello", 7, `"order by" or end of query`, `"hello"`},
		{"from a)", 6, "closes nothing", `")"`},
		{"(from a", 7, `")"`, gotEnd},
		{"()", 1, "a condition", `")"`},
		{"from a and", 10, "a condition", gotEnd},
		{"from a or or from b", 10, "a condition", `"or"`},
		{"not", 3, "a condition", gotEnd},
		{"and from a", 0, "a condition", `"and"`},
		{`subject "abc`, 12, `closing '"' for the string at offset 8`, gotEnd},
		{`subject "abc\"`, 14, `closing '"'`, gotEnd},
		{"date 2026-13-01", 5, "a date", `"2026-13-01"`},
		{"date 2023-02-29", 5, "a date", `"2023-02-29"`},
		{"date tomorrow", 5, "a date", `"tomorrow"`},
		{"date 2026-01-01-01", 5, "a date", `"2026-01-01-01"`},
		{"date 26-01-01", 5, "a date", `"26-01-01"`},
		{"date 2026-01/01", 5, "a date", `"2026-01/01"`},
		{"before", 6, "a date", gotEnd},
		{"flag", 4, "a flag", gotEnd},
		{`flag "my flag"`, 5, "a flag", `"\"my flag\""`},
		{`flag \Custom`, 5, "a flag", `"\\Custom"`},
		{`flag a%b`, 5, "a flag", `"a%b"`},
		{`flag ""`, 5, "a flag", `"\"\""`},
		{"order date", 6, `"by" after "order"`, `"date"`},
		{"order", 5, `"by"`, gotEnd},
		{"order by size", 9, "a sort key", `"size"`},
		{"order by date desc desc", 19, "a sort key", `"desc"`},
		{"order by date from a", 19, `"asc", "desc"`, `"a"`},
		{`order by "date"`, 9, "a sort key", `"\"date\""`},
		{"order by date and from a", 14, "a sort key", `"and"`},
		{"from a order by date from b", 26, "a sort key", `"b"`},
		{"(from a order by date)", 8, `")"`, `"order"`},
		{"subject a\x00b", 9, "printable text", "control character"},
		{"subject \"a\r\nb\"", 10, "printable text", "control character"},
		{"subject \"a\tb\"", 10, "printable text", "control character"},
		{"subject \x1b[31m", 8, "printable text", "control character"},
		{"subject \xff", 8, "UTF-8 text", `"\xff"`},
		{"subject a\xc3", 9, "UTF-8 text", `"\xc3"`},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		require.Error(t, err, "%q", c.in)
		var se *SyntaxError
		require.True(t, errors.As(err, &se), "%q: %v", c.in, err)
		assert.Equal(t, c.pos, se.Pos, "%q: %v", c.in, err)
		assert.Contains(t, se.Expected, c.expected, "%q", c.in)
		assert.Contains(t, se.Got, c.got, "%q", c.in)
		assert.True(t, errors.Is(err, email.ErrInvalidArgument))
		assert.Contains(t, err.Error(), "offset "+itoa(c.pos))
	}
}

func TestParseDepth(t *testing.T) {
	deep := strings.Repeat("(", 10000) + "from a" + strings.Repeat(")", 10000)
	_, err := Parse(deep)
	var se *SyntaxError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, MaxDepth, se.Pos)
	assert.Contains(t, se.Expected, "at most 100 nested")

	_, err = Parse(strings.Repeat("(", 10000))
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Expected, "at most 100 nested")

	_, err = Parse(strings.Repeat("not ", 10000) + "from a")
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 4*MaxDepth, se.Pos)

	ok := strings.Repeat("(", MaxDepth) + "from a" + strings.Repeat(")", MaxDepth)
	q, err := Parse(ok)
	require.NoError(t, err)
	assert.Equal(t, from("a"), q.Filter)

	ok = strings.Repeat("not ", MaxDepth) + "from a"
	q, err = Parse(ok)
	require.NoError(t, err)
	back, err := Parse(q.String())
	require.NoError(t, err)
	assert.Equal(t, q, back)

	// A long flat chain is not nesting: it parses, and prints back.
	long := strings.Repeat("from a or ", 5000) + "from b"
	q, err = Parse(long)
	require.NoError(t, err)
	assert.Len(t, q.Filter.(*Or).Nodes, 5001)
}

func TestHostile(t *testing.T) {
	for _, in := range []string{
		"subject \"\r\nA1 LOGOUT\r\n\"",
		"subject \"x\" \r\n A1 LOGOUT",
		"subject \"\\\"\\\\\\\"\"",
		"subject \\\\\\\\\\",
		"subject \"\x00\"",
		"\x00",
		`"""""`,
		`subject "\`,
		"subject )))",
		strings.Repeat(`\`, 1000),
		strings.Repeat(`"`, 1001),
		strings.Repeat("(", 10000) + strings.Repeat(")", 10000),
		strings.Repeat(")", 10000),
	} {
		q, err := Parse(in)
		if err != nil {
			var se *SyntaxError
			require.ErrorAs(t, err, &se, "%q", in)
			assert.LessOrEqual(t, se.Pos, len(in))
			assert.LessOrEqual(t, len(err.Error()), 300, "errors stay short")
			continue
		}
		back, err := Parse(q.String())
		require.NoError(t, err, "%q", in)
		assert.Equal(t, q, back)
	}
	// A CRLF outside quotes separates tokens; inside quotes it is refused,
	// so no value can ever carry a line break to a server.
	q, err := Parse("subject \"x\" \r\n from y")
	require.NoError(t, err)
	assert.Equal(t, and(subj("x"), from("y")), q.Filter)
}

func TestParseDay(t *testing.T) {
	for in, want := range map[string]Day{
		"2026-03-02": day(2026, 3, 2), "2026/3/2": day(2026, 3, 2), "02-03-2026": day(2026, 3, 2),
		"2/3/2026": day(2026, 3, 2), "2024-02-29": day(2024, 2, 29), "0001-01-01": day(1, 1, 1),
		"9999-12-31": day(9999, 12, 31),
	} {
		got, err := ParseDay(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "2026", "2026-03", "2026-03-", "-03-02", "2026-00-10", "2026-04-31", "0000-01-01",
		"2026-3-2x", "2026.03.02", "20260302", "2026-003-02", "02/03-2026", "１２３４-01-01"} {
		_, err := ParseDay(in)
		assert.Error(t, err, in)
	}
	assert.Equal(t, "0001-02-03", day(1, 2, 3).String())
	assert.Equal(t, day(2024, 3, 1), day(2024, 2, 29).AddDays(1))
	assert.Equal(t, day(2023, 12, 31), day(2024, 1, 1).AddDays(-1))
	assert.Equal(t, -1, day(2024, 1, 1).Compare(day(2024, 1, 2)))
	assert.Equal(t, 1, day(2024, 2, 1).Compare(day(2024, 1, 31)))
	assert.Equal(t, 0, day(2024, 2, 1).Compare(day(2024, 2, 1)))
}

func TestString(t *testing.T) {
	cases := map[string]Query{
		"":                          {},
		"subject hello":             filter(subj("hello")),
		`subject "foo bar"`:         filter(subj("foo bar")),
		`subject ""`:                filter(subj("")),
		`subject "or"`:              filter(subj("or")),
		`subject "Subject"`:         filter(subj("Subject")),
		`subject "a\\"`:             filter(subj(`a\`)),
		`subject "\"x"`:             filter(subj(`"x`)),
		`subject "say \"hi\""`:      filter(subj(`say "hi"`)),
		`flag \Seen`:                filter(flag(`\Seen`)),
		"flag seen":                 filter(flag("seen")),
		"from a and (to b or to c)": filter(and(from("a"), or(to("b"), to("c")))),
		"from a or to b and to c":   filter(or(from("a"), and(to("b"), to("c")))),
		"(from a or to b) or to c":  filter(or(or(from("a"), to("b")), to("c"))),
		"not (from a and to b)":     filter(not(and(from("a"), to("b")))),
		"not not from a":            filter(not(not(from("a")))),
		"before 2026-01-02 order by date desc to": {Filter: before(2026, 1, 2), Sort: sorted(Sorter{Key: ByDate, Desc: true}, Sorter{Key: ByTo})},
		"order by subject":                        {Sort: sorted(Sorter{Key: BySubject})},
	}
	for want, q := range cases {
		assert.Equal(t, want, q.String())
		back, err := Parse(want)
		require.NoError(t, err, want)
		assert.Equal(t, q, back, want)
	}
}

func TestNeedsBody(t *testing.T) {
	assert.False(t, Query{}.NeedsBody())
	assert.False(t, MustParse("from a or subject b").NeedsBody())
	assert.True(t, MustParse("from a or not (subject b and body c)").NeedsBody())
	assert.Panics(t, func() { MustParse("from") })
}

func TestWalk(t *testing.T) {
	q := MustParse("from a or not (subject b and body c)")
	var seen []string
	Walk(q.Filter, func(n Node) bool {
		seen = append(seen, n.String())
		return true
	})
	assert.Equal(t, []string{"from a or not (subject b and body c)", "from a", "not (subject b and body c)",
		"subject b and body c", "subject b", "body c"}, seen)
	count := 0
	Walk(q.Filter, func(Node) bool { count++; return false })
	assert.Equal(t, 1, count)
	Walk(nil, func(Node) bool { t.Fatal("visited nil"); return true })
}
