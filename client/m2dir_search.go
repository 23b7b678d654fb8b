package client

import (
	"context"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// SearchEnvelopes returns a page of the envelopes of a folder that match q,
// in q's order (newest Date first by default). It reads message heads, and
// whole messages only where a body condition decides; see
// m2dir.Store.SearchEnvelopes.
func (m *M2dirClient) SearchEnvelopes(ctx context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error) {
	return RunFiles(ctx, m.files, m.store.SearchEnvelopes(mailbox, q, opts))
}
