package search

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ioemail/ioemail/email"
)

var fuzzEnvelopes = []email.Envelope{
	{},
	{Subject: "Hello Wörld", Flags: email.ParseFlags(`\Seen`, "Work"),
		From: []email.Address{{Name: "Alice", Email: "alice@example.org"}}, To: []email.Address{{Email: "b@x"}},
		Date: time.Date(2026, 3, 2, 23, 30, 0, 0, time.FixedZone("", -5*3600))},
}

var fuzzBody = []byte("Content-Type: text/plain; charset=utf-8\r\n\r\nhello body text\r\n")

// FuzzParse checks that Parse never panics, that its errors are
// SyntaxErrors inside the input, and that whatever parses prints to text
// that parses back to an equal query, which prints the same again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "subject hello", `subject "foo \"bar\" \\ baz"`, `subject foo\ bar\(\)`,
		"from a and to b or not subject c", "(from a or to b) subject c",
		"flag \\Seen not flag $Junk flag Work", "date 2026-03-02 before 2026/3/2 after 02-03-2026",
		"order by date desc from to asc subject", `subject "x order by date" order by to`,
		"not not (from a)", "SUBJECT \"AND\" Or From \"OR\"", "subject \r\n\"\x00\"",
		strings.Repeat("(", 120) + "from a" + strings.Repeat(")", 120),
		"subject 日本語 body élan", "from \\", `"`, ")", "order by",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %T %v is not a *SyntaxError", s, err, err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("%q: position %d outside the input", s, se.Pos)
			}
			return
		}
		printed := q.String()
		back, err := Parse(printed)
		if err != nil {
			t.Fatalf("%q printed as %q does not parse: %v", s, printed, err)
		}
		if !reflect.DeepEqual(q, back) {
			t.Fatalf("%q printed as %q parses to a different query", s, printed)
		}
		if again := back.String(); again != printed {
			t.Fatalf("%q prints %q then %q", s, printed, again)
		}
		// Evaluation never fails on a good body, and the envelope-only
		// answer, when known, is the full answer.
		for _, env := range fuzzEnvelopes {
			ok, err := q.Match(env, func() ([]byte, error) { return fuzzBody, nil })
			if err != nil {
				t.Fatalf("%q: Match: %v", s, err)
			}
			if m, known := q.MatchEnvelope(env); known && m != ok {
				t.Fatalf("%q: MatchEnvelope says %v, Match %v", s, m, ok)
			}
		}
	})
}
