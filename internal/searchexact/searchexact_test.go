package searchexact

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

func TestExactAndNeeds(t *testing.T) {
	for q, want := range map[string]bool{
		"": true, "flag seen": true, "not body x or flag draft": true,
		"from a": false, "flag seen and date 2026-01-01": false, "not (body x or subject y)": false,
	} {
		assert.Equal(t, want, Exact(search.MustParse(q).Filter), q)
	}
	assert.Equal(t, []string{"x", "y"}, BodyValues(search.MustParse("body x or (body y and not body x)").Filter))
	q := search.MustParse("from a or flag seen order by subject")
	assert.Equal(t, Needs{From: true, Subject: true, Flags: true}, NeedsOf(q, true))
	assert.Equal(t, Needs{Subject: true}, NeedsOf(q, false), "no local check: only the sort's fields")
}

// TestMatchAgreesWithSearch: with the body answered truthfully, Match is
// search.Query.Match.
func TestMatchAgreesWithSearch(t *testing.T) {
	env := email.Envelope{ID: "1", Subject: "GroupwiseForwardingTest", From: []email.Address{{Name: "Björn", Email: "v@redhat.com"}},
		Date: time.Date(2026, 2, 2, 23, 30, 0, 0, time.FixedZone("", -5*3600)), Flags: email.NewFlags(email.FlagSeen)}
	undated := email.Envelope{ID: "2", Subject: "Test message"}
	raw := []byte("\r\ninvoice")
	for _, qs := range []string{"subject test", "subject testing", "from björn", "date 2026-02-02", "not before 2026-02-03",
		"body invoice and not flag seen", "not (body pizza or from x)", "body invoice or before 2026-01-01"} {
		q := search.MustParse(qs)
		for _, e := range []email.Envelope{env, undated} {
			want, err := q.Match(e, func() ([]byte, error) { return raw, nil })
			assert.NoError(t, err)
			assert.Equal(t, want, Match(q.Filter, &e, func(v string) bool { return v == "invoice" }), "%q on %s", qs, e.ID)
		}
	}
}
