package client

import (
	"context"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/search"
)

// SearchEnvelopes returns the page (opts) of the envelopes of mailbox that
// match q, in q's order (newest Date first when q has none): the answer
// package search gives over the same messages, as on Maildir and m2dir.
// The server is asked only what it answers exactly or provably
// over-answers (flags; body conditions, which stay the server's); text and
// date conditions, the order and the page are decided here on the
// messages' header fields. See imap.SearchEnvelopes.
func (ic *IMAPClient) SearchEnvelopes(ctx context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error) {
	return RunIMAPRetry(ctx, ic, func(s *imap.Session) coroutine.NetMachine[[]email.Envelope] {
		return imap.SearchEnvelopes(s, mailbox, q, opts)
	})
}

var _ Searcher = (*IMAPClient)(nil)
