package jmap

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/search"
)

func compiled(t *testing.T, query string) string {
	q, err := search.Parse(query)
	require.NoError(t, err, query)
	c := compileFilter(q.Filter, true)
	if k, ok := c.(constant); ok {
		if k {
			return "TRUE"
		}
		return "FALSE"
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	return string(b)
}

func TestCompileFilter(t *testing.T) {
	assert.Equal(t, `{"from":"alice"}`, compiled(t, "from alice"))
	assert.Equal(t, `{"hasKeyword":"$seen"}`, compiled(t, `flag \Seen`))
	assert.Equal(t, `{"conditions":[{"subject":"a"},{"conditions":[{"body":"b"}],"operator":"NOT"}],"operator":"OR"}`, compiled(t, "subject a or not body b"))
	assert.Equal(t, "TRUE", compiled(t, "date 2024-01-01"), "a date is widened to true")
	assert.Equal(t, "TRUE", compiled(t, "not date 2024-01-01"), "and under not too: the superset of not(x) is not(subset of x)")
	assert.Equal(t, `{"subject":"a"}`, compiled(t, "subject a and after 2024-01-01"))
	assert.Equal(t, "TRUE", compiled(t, "subject a or after 2024-01-01"))
	assert.Equal(t, "TRUE", compiled(t, "not (subject a and date 2024-01-01) and not date 2024-01-02 or not subject a"), "mixed")
	assert.Equal(t, `{"conditions":[{"subject":"a"}],"operator":"NOT"}`, compiled(t, "not (subject a or date 2024-01-01)"), "narrowed under not")
}
