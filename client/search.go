package client

import (
	"context"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// Searcher is a Storage that searches a mailbox with a query of package
// search.
type Searcher interface {
	// SearchEnvelopes returns the page (opts) of the envelopes of mailbox
	// that match q's filter, in q's order (search.DefaultSort, newest
	// Date first, when q has none).
	SearchEnvelopes(ctx context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error)
}

// SearchEnvelopes returns a page of the envelopes of a mailbox that match q,
// sorted as q says (newest Date first by default), from the storage backend
// of highest priority. The zero Query lists every message. A backend that
// cannot search returns an *email.OpError matching email.ErrUnsupported.
//
// Parse a query written in the search language with search.Parse.
func (c *Client) SearchEnvelopes(ctx context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error) {
	s, err := c.store()
	if err != nil {
		return nil, err
	}
	se, ok := s.(Searcher)
	if !ok {
		return nil, unsupported(s, "search_envelopes")
	}
	return se.SearchEnvelopes(ctx, mailbox, q, opts)
}
