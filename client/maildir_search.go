package client

import (
	"context"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// SearchEnvelopes returns a page of the envelopes of a mailbox that match
// q, in q's order (newest Date first by default). It reads message heads,
// and whole messages only where a body condition decides; see
// maildir.Store.SearchEnvelopes. Errors are *email.OpError values.
func (m *MaildirClient) SearchEnvelopes(ctx context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error) {
	return runMaildir(ctx, m, "search_envelopes", m.store.SearchEnvelopes(mailbox, q, opts))
}
