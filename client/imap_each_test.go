package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

var _ interface {
	EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error
} = (*IMAPClient)(nil)

// eachBox fills a new mailbox with messages whose Dates tie, one without a
// Date and one whose Date does not parse, and returns its name.
func eachBox(t *testing.T, ic *IMAPClient) string {
	name := box(t, ic, "imapperf-each")
	dates := []string{"Mon, 1 Jan 2024 10:00:00 +0000", "Mon, 1 Jan 2024 10:00:00 +0000", "", "Tue, 2 Jan 2024 10:00:00 +0100",
		"garbage", "Mon, 1 Jan 2024 10:00:00 +0000", "Sun, 31 Dec 2023 23:59:59 -0800", ""}
	for i, d := range dates {
		msg := fmt.Sprintf("From: s%d@example.test\r\nTo: r@example.test\r\nSubject: each %d\r\nMessage-ID: <each%d@example.test>\r\n", i, i, i)
		if d != "" {
			msg += "Date: " + d + "\r\n"
		}
		_, err := ic.AddMessage(tctx(t), name, strings.NewReader(msg+"\r\nbody\r\n"), email.Flags{})
		require.NoError(t, err)
	}
	return name
}

// EachEnvelope hands over the envelopes ListEnvelopes returns, the same
// set with the same fields; the unpaged listing (one FETCH, sorted
// locally) gives the order its pages give (UID SORT on Dovecot).
func TestIMAPEachEnvelope(t *testing.T) {
	servers(t, func(t *testing.T, ic *IMAPClient) {
		ctx := tctx(t)
		name := eachBox(t, ic)
		list, err := ic.ListEnvelopes(ctx, name, email.ListOptions{})
		require.NoError(t, err)
		require.Len(t, list, 8)

		var paged []email.Envelope
		for p := 1; ; p++ {
			page, err := ic.ListEnvelopes(ctx, name, email.ListOptions{Page: p, PageSize: 3})
			require.NoError(t, err)
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
		}
		assert.Equal(t, ids(paged), ids(list), "the whole listing in the order of its pages")

		var each []email.Envelope
		require.NoError(t, ic.EachEnvelope(ctx, name, func(e email.Envelope) error {
			each = append(each, e)
			return nil
		}))
		byID := func(a, b email.Envelope) int { return strings.Compare(a.ID, b.ID) }
		sorted := slices.Clone(list)
		slices.SortFunc(sorted, byID)
		slices.SortFunc(each, byID)
		assert.Equal(t, sorted, each, "the same envelopes")

		// An error from fn comes back as is, and the connection goes on.
		stop := errors.New("stop here")
		calls := 0
		err = ic.EachEnvelope(ctx, name, func(email.Envelope) error { calls++; return stop })
		assert.Same(t, stop, err)
		assert.Equal(t, 1, calls)
		again, err := ic.ListEnvelopes(ctx, name, email.ListOptions{})
		require.NoError(t, err)
		assert.Equal(t, ids(list), ids(again))

		err = ic.EachEnvelope(ctx, "no-such-"+name, func(email.Envelope) error { return nil })
		assert.ErrorIs(t, err, email.ErrNotFound)
	})
}

func ids(envs []email.Envelope) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.ID
	}
	return out
}
