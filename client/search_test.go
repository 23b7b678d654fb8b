package client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// plainStorage is a Storage that cannot search; only Name is implemented.
type plainStorage struct {
	client.Storage
	name string
}

func (p plainStorage) Name() string { return p.name }

// searchingStorage records the search it was asked for.
type searchingStorage struct {
	plainStorage
	mailbox string
	q       search.Query
	opts    email.ListOptions
}

func (s *searchingStorage) SearchEnvelopes(_ context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error) {
	s.mailbox, s.q, s.opts = mailbox, q, opts
	return []email.Envelope{{ID: s.name}}, nil
}

func TestSearchEnvelopesDispatch(t *testing.T) {
	ctx := context.Background()
	q := search.MustParse("from alice order by subject")

	_, err := client.New().SearchEnvelopes(ctx, "INBOX", q, email.ListOptions{})
	assert.ErrorIs(t, err, email.ErrNoBackend)

	// The backend of highest priority answers, even if a lower one could
	// search.
	low := &searchingStorage{plainStorage: plainStorage{name: "imap"}}
	c := client.New().WithStorage(3, low).WithStorage(0, plainStorage{name: "maildir"})
	_, err = c.SearchEnvelopes(ctx, "INBOX", q, email.ListOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, email.ErrUnsupported)
	var op *email.OpError
	require.True(t, errors.As(err, &op))
	assert.Equal(t, "maildir", op.Backend)
	assert.Equal(t, "search_envelopes", op.Op)

	high := &searchingStorage{plainStorage: plainStorage{name: "m2dir"}}
	c = client.New().WithStorage(3, low).WithStorage(1, high)
	envs, err := c.SearchEnvelopes(ctx, "Lists", q, email.ListOptions{Page: 2, PageSize: 5})
	require.NoError(t, err)
	assert.Equal(t, "m2dir", envs[0].ID)
	assert.Equal(t, "Lists", high.mailbox)
	assert.Equal(t, q, high.q)
	assert.Equal(t, email.ListOptions{Page: 2, PageSize: 5}, high.opts)
	assert.Empty(t, low.mailbox)
}
