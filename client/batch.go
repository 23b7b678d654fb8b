package client

import (
	"context"
	"errors"
	"io"
	"iter"

	"github.com/ioemail/ioemail/email"
)

// MessagesGetter is a Storage that fetches many messages of one mailbox in one go.
type MessagesGetter interface {
	// GetMessages calls fn once for each message of ids found in mailbox, with a
	// reader of its raw bytes, in the order the backend delivers them (not
	// necessarily the order of ids). r is valid only during the call and
	// fn need not read it to the end. An error from fn stops the fetch and is
	// returned as is. Ids not found are reported after the others: the error
	// then matches email.ErrNotFound (errors.Join of one *email.NotFoundError per
	// missing id). A duplicated id is delivered once. Each message obeys the same
	// size limit as GetMessage.
	GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error
}

// EnvelopeStreamer is a Storage that lists a whole mailbox without holding it.
type EnvelopeStreamer interface {
	// EachEnvelope calls fn for every envelope of mailbox, in the backend's
	// order (not sorted: a caller who needs the Date order uses ListEnvelopes),
	// with the same fields ListEnvelopes fills. Memory is bounded by one batch
	// of the backend (a FETCH response, a JMAP page, a directory chunk), not by
	// the mailbox. An error from fn stops the listing and is returned as is.
	EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error
}

// ReaderSender is a Sender that submits a message read from a stream.
type ReaderSender interface {
	// SendMessageReader submits the raw message read from r (size bytes, or -1
	// when unknown) as SendMessage does, without holding it whole.
	SendMessageReader(ctx context.Context, r io.Reader, size int64, opts email.SendOptions) (email.SendResult, error)
}

// GetMessages calls fn once for each message of ids found in mailbox, with
// a reader of its raw bytes valid only during the call, as
// MessagesGetter.GetMessages says: in the backend's order, each id once, an
// error from fn returned as is, the missing ids reported last as an error
// matching email.ErrNotFound.
//
// It goes to the storage backend of highest priority. One without a
// GetMessages of its own gets one GetMessage per id, in the order of ids,
// streamed to fn through an io.Pipe: fn is called once the first byte has
// come (or the message turned out empty), so a missing id never reaches
// fn, and a failure after that (a checksum mismatch, a broken connection)
// is what r's Read returns and, unless fn returns an error of its own,
// what GetMessages returns.
func (c *Client) GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error {
	s, err := c.store()
	if err != nil {
		return err
	}
	if g, ok := s.(MessagesGetter); ok {
		return g.GetMessages(ctx, mailbox, ids, fn)
	}
	var missing []error
	for _, id := range uniqueIDs(ids) {
		err := getPiped(ctx, s, mailbox, id, fn)
		var nf *email.NotFoundError
		switch {
		case errors.As(err, &nf) && nf.ID != "":
			missing = append(missing, nf)
		case err != nil:
			return err
		}
	}
	return errors.Join(missing...)
}

// uniqueIDs returns ids without repeats, in their first order.
func uniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// errReaderDone is what a fallback GetMessage writing into the pipe gets
// once fn has returned without reading to the end.
var errReaderDone = errors.New("client: the reader was closed before the end of the message")

// getPiped runs s.GetMessage for id into a pipe read by fn. It returns the
// backend's error (a *email.NotFoundError when fn was not called) or fn's.
func getPiped(ctx context.Context, s Storage, mailbox, id string, fn func(string, io.Reader) error) error {
	pr, pw := io.Pipe()
	w := &firstWriter{w: pw, first: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := s.GetMessage(ctx, mailbox, id, w)
		pw.CloseWithError(err) // io.EOF for fn when err is nil
		done <- err
	}()
	select {
	case <-w.first:
	case err := <-done:
		if err != nil {
			return err // nothing was written: fn is not called
		}
		// An empty message: the pipe is closed, fn reads io.EOF.
		return fn(id, pr)
	}
	ferr := fn(id, pr)
	pr.CloseWithError(errReaderDone)
	err := <-done
	if ferr != nil {
		return ferr
	}
	if errors.Is(err, errReaderDone) {
		return nil
	}
	return err
}

// firstWriter writes to w and closes first on its first non-empty Write.
type firstWriter struct {
	w       io.Writer
	first   chan struct{}
	started bool
}

func (f *firstWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if !f.started {
		f.started = true
		close(f.first)
	}
	return f.w.Write(b)
}

// errStopEnvelopes ends an EachEnvelope whose consumer stopped iterating.
var errStopEnvelopes = errors.New("client: envelope iteration stopped")

// Envelopes returns the envelopes of mailbox as an iterator, in the
// backend's order: built on EnvelopeStreamer.EachEnvelope when the storage
// backend of highest priority has it (memory bounded by one batch of the
// backend), else on one unpaged ListEnvelopes (the whole mailbox held, in
// Date order). A failure is yielded once, with a zero Envelope, and ends
// the iteration; breaking out of the loop stops the listing.
func (c *Client) Envelopes(ctx context.Context, mailbox string) iter.Seq2[email.Envelope, error] {
	return func(yield func(email.Envelope, error) bool) {
		s, err := c.store()
		if err != nil {
			yield(email.Envelope{}, err)
			return
		}
		if es, ok := s.(EnvelopeStreamer); ok {
			err := es.EachEnvelope(ctx, mailbox, func(e email.Envelope) error {
				if !yield(e, nil) {
					return errStopEnvelopes
				}
				return nil
			})
			if err != nil && !errors.Is(err, errStopEnvelopes) {
				yield(email.Envelope{}, err)
			}
			return
		}
		envs, err := s.ListEnvelopes(ctx, mailbox, email.ListOptions{})
		if err != nil {
			yield(email.Envelope{}, err)
			return
		}
		for _, e := range envs {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// SendMessageReader submits the raw message read from r (size bytes, or -1
// when unknown) through the sending backend of highest priority, as
// SendMessage does. A backend with a SendMessageReader of its own (SMTP)
// streams it; any other gets the message read whole into memory first.
func (c *Client) SendMessageReader(ctx context.Context, r io.Reader, size int64, opts email.SendOptions) (email.SendResult, error) {
	for _, s := range c.senders {
		if s == nil {
			continue
		}
		if rs, ok := s.(ReaderSender); ok {
			return rs.SendMessageReader(ctx, r, size, opts)
		}
		raw, err := io.ReadAll(r)
		if err != nil {
			return email.SendResult{}, &email.OpError{Backend: s.Name(), Op: "send_message", Err: err}
		}
		return s.SendMessage(ctx, raw, opts)
	}
	return email.SendResult{}, email.ErrNoBackend
}
