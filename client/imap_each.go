package client

import (
	"context"
	"errors"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// EachEnvelope calls fn for every envelope of mailbox, in the server's
// order (not sorted: ListEnvelopes gives the Date order), with the fields
// ListEnvelopes fills. It sends one UID FETCH 1:* and hands each envelope
// to fn as its FETCH response is parsed, so memory is bounded by one
// response, not by the mailbox (see imap.EachEnvelope). An error from fn
// stops the listing and is returned as is; the rest of the server's
// answer is read and dropped, and the connection stays usable. fn runs on
// the caller's goroutine and must not call ic. A connection that breaks
// during the listing is not listed again (fn may have seen part of it):
// the call fails and the next call dials again.
func (ic *IMAPClient) EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error {
	var fnErr error
	_, err := runIMAP(ctx, ic, runOnce, func(s *imap.Session) coroutine.NetMachine[struct{}] {
		return imap.EachEnvelope(s, mailbox, func(e email.Envelope) error {
			fnErr = fn(e)
			return fnErr
		})
	})
	if fnErr != nil && errors.Is(err, fnErr) {
		return fnErr
	}
	return err
}
