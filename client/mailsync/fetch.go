package mailsync

import (
	"context"
	"errors"
	"io"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// batchGetter is a backend that streams several messages in one request.
type batchGetter interface {
	GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error
}

// envelopeWalker is a backend that lists a whole mailbox without building
// the list in memory.
type envelopeWalker interface {
	EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error
}

// listAll returns the view of the whole mailbox.
func listAll(ctx context.Context, s client.Storage, mailbox string) ([]Msg, error) {
	if w, ok := s.(envelopeWalker); ok {
		var out []Msg
		err := w.EachEnvelope(ctx, mailbox, func(e email.Envelope) error {
			out = append(out, msgOf(e))
			return nil
		})
		if !errors.Is(err, email.ErrUnsupported) {
			if err != nil {
				return nil, err
			}
			sortView(out)
			return out, nil
		}
	}
	envs, err := s.ListEnvelopes(ctx, mailbox, email.ListOptions{})
	if err != nil {
		return nil, err
	}
	return viewOf(envs), nil
}

// fetchEach calls fn with the body of each message ids, streamed, in an
// order of the backend's choice; every id is passed at most once.
func fetchEach(ctx context.Context, s client.Storage, mailbox string, ids []string, fn func(id string, r io.Reader) error) error {
	if g, ok := s.(batchGetter); ok {
		err := g.GetMessages(ctx, mailbox, ids, fn)
		if !errors.Is(err, email.ErrUnsupported) {
			return err
		}
	}
	for _, id := range ids {
		if err := fetchOne(ctx, s, mailbox, id, func(r io.Reader) error { return fn(id, r) }); err != nil {
			return err
		}
	}
	return nil
}

// fetchOne streams one message through a pipe into fn.
func fetchOne(ctx context.Context, s client.Storage, mailbox, id string, fn func(io.Reader) error) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := s.GetMessage(ctx, mailbox, id, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	err := fn(pr)
	pr.CloseWithError(errAbandoned)
	gerr := <-done
	if err == nil && gerr != nil {
		err = gerr
	}
	if errors.Is(err, errAbandoned) && gerr != nil {
		err = gerr
	}
	return err
}

var errAbandoned = errors.New("mailsync: reader abandoned")
