package client_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

func TestJMAPCyrusSearch(t *testing.T) {
	ctx := context.Background()
	c, _, box := cyrus(t)
	dates := []string{"Mon, 08 Jan 2024 23:30:00 -0500", "Tue, 09 Jan 2024 10:00:00 +0000", "Wed, 10 Jan 2024 10:00:00 +0000"}
	ids := map[string]string{}
	for i, d := range dates {
		subj := fmt.Sprintf("report %c", 'a'+i)
		flags := email.Flags(nil)
		if i == 1 {
			flags = email.ParseFlags(`\Flagged`)
		}
		id, err := c.AddMessage(ctx, box, bytes.NewReader(msg(subj, d)), flags)
		require.NoError(t, err)
		ids[subj] = id
	}
	subjects := func(query string, opts email.ListOptions) []string {
		t.Helper()
		q, err := search.Parse(query)
		require.NoError(t, err, query)
		envs, err := c.SearchEnvelopes(ctx, box, q, opts)
		require.NoError(t, err, query)
		out := []string{}
		for _, e := range envs {
			out = append(out, e.Subject)
		}
		return out
	}
	// Text conditions are checked on the raw header fields, not by
	// Cyrus's full-text index (filled some time after the import): right
	// after the import, every message is found, and "subject repor" (not
	// a word) finds them too.
	assert.Equal(t, []string{"report c", "report b", "report a"}, subjects("subject repor", email.ListOptions{}))
	assert.Equal(t, []string{"report b"}, subjects("subject \"rt b\"", email.ListOptions{}))
	assert.Equal(t, []string{"report c", "report b", "report a"}, subjects("subject report", email.ListOptions{}))
	assert.Equal(t, []string{"report b"}, subjects("flag flagged", email.ListOptions{}))
	assert.Equal(t, []string{"report c", "report a"}, subjects("not flag flagged", email.ListOptions{}))
	// The first message was sent on the 8th in its own offset (the 9th in UTC).
	assert.Equal(t, []string{"report a"}, subjects("date 2024-01-08", email.ListOptions{}))
	assert.Equal(t, []string{"report c", "report b"}, subjects("not date 2024-01-08", email.ListOptions{}), "exact under not")
	assert.Equal(t, []string{"report c", "report b"}, subjects("date 2024-01-10 or flag flagged", email.ListOptions{}), "exact under or")
	assert.Equal(t, []string{"report a", "report b", "report c"}, subjects("subject report order by date asc", email.ListOptions{}))
	assert.Equal(t, []string{"report b"}, subjects("subject report order by date asc", email.ListOptions{Page: 2, PageSize: 1}))
	assert.Equal(t, []string{"report b"}, subjects("after 2024-01-08 and before 2024-01-10", email.ListOptions{}))
	assert.Empty(t, subjects("subject nothing-like-this", email.ListOptions{}))
}
