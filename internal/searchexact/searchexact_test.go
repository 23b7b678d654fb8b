package searchexact

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
