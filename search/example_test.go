package search_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// Parse a query, print it back in canonical form, and walk its tree as a
// backend compiler would.
func ExampleParse() {
	q, err := search.Parse(`From alice subject "order by" OR not flag \Seen order by date desc`)
	if err != nil {
		panic(err)
	}
	fmt.Println(q)
	search.Walk(q.Filter, func(n search.Node) bool {
		if c, ok := n.(*search.TextCond); ok {
			fmt.Printf("%s contains %q\n", c.Field, c.Value)
		}
		return true
	})
	// Output:
	// from alice and subject "order by" or not flag \Seen order by date desc
	// from contains "alice"
	// subject contains "order by"
}

// A query that does not parse says where and what was expected.
func ExampleSyntaxError() {
	_, err := search.Parse("subject hello and (from bob")
	var se *search.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Pos, se.Expected)
	}
	fmt.Println(err)
	// Output:
	// 27 ")", "and", "or" or a condition
	// search: syntax error at offset 27: expected ")", "and", "or" or a condition, got end of query
}

// Match and sort envelopes in memory, as the local stores do.
func ExampleQuery_Match() {
	envs := []email.Envelope{
		{ID: "1", Subject: "Lunch?", Date: time.Date(2026, 3, 2, 23, 30, 0, 0, time.FixedZone("", -5*3600)),
			From: []email.Address{{Name: "Alice", Email: "alice@example.org"}}},
		{ID: "2", Subject: "Report", Date: time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC),
			From: []email.Address{{Name: "Bob", Email: "bob@example.org"}}},
		{ID: "3", Subject: "Re: Lunch?", From: []email.Address{{Email: "carol@example.org"}}},
	}
	q := search.MustParse("(date 2026-03-02 or subject lunch) order by subject from")
	var hits []email.Envelope
	for _, e := range envs {
		if ok, _ := q.Match(e, nil); ok {
			hits = append(hits, e)
		}
	}
	q.SortEnvelopes(hits)
	for _, e := range hits {
		fmt.Println(e.ID, e.Subject)
	}
	// Output:
	// 1 Lunch?
	// 3 Re: Lunch?
}
