package client

import (
	"context"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/search"
)

// SearchEnvelopes returns the page (opts) of the envelopes of mailbox that
// match q, in q's order (newest Date first when q has none). The server
// searches (UID SORT, or UID SEARCH and a local sort when it lacks SORT),
// so text matching, collation and the treatment of undated messages are
// its own; see imap.SearchEnvelopes.
func (ic *IMAPClient) SearchEnvelopes(ctx context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error) {
	return RunIMAPRetry(ctx, ic, func(s *imap.Session) coroutine.NetMachine[[]email.Envelope] {
		return imap.SearchEnvelopes(s, mailbox, q, opts)
	})
}

var _ Searcher = (*IMAPClient)(nil)
