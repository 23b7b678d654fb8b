package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

// batchDownloads is the number of downloads GetMessages runs at once, each
// on a kept-alive connection of its own: enough to hide the latency of a
// download's first bytes behind the reading of the one before, few enough
// to stay under the maxConcurrentRequests servers announce (Cyrus: 5).
const batchDownloads = 4

// errAbandoned ends a download whose reader fn left unread.
var errAbandoned = errors.New("client: message left unread by the caller")

// errSomeMissing tells withMailbox to look the mailbox up again when ids
// were missing with a cached mailbox id (it may be stale).
var errSomeMissing = errors.New("client: some ids not found")

// delivery is one message on its way to fn.
type delivery struct {
	id     string
	r      *io.PipeReader
	result chan error // the download's outcome, once it ended
}

// GetMessages calls fn once for each message of ids found in mailbox,
// with a reader of its raw bytes, in the order the server lists them: one
// Email/get for the blobs of every id (jmap.LocateMessages), then the
// downloads, batchDownloads (4) at a time over kept-alive connections,
// each streamed to fn as it arrives. fn is called from one goroutine at a
// time, the one that called GetMessages; r is valid only during the call,
// and fn need not read it to the end (the rest of that download is then
// dropped). An error from fn stops the fetch and is returned as it is.
// Ids not found are reported after the others: the error then matches
// email.ErrNotFound (errors.Join of one *email.NotFoundError per missing
// id). A duplicated id is delivered once. Each message obeys
// Options.MaxMessageSize as GetMessage does; a message over it, or a
// download that fails, stops the fetch with that error.
func (j *JMAPClient) GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error {
	s := j.sess(ctx)
	var loc jmap.Located
	err := j.withMailbox(ctx, s, mailbox, func(mid string) (err error) {
		if loc, err = runJMAP(ctx, j, jmap.LocateMessages(s, mid, ids)); err == nil && len(loc.Missing) > 0 {
			err = errSomeMissing
		}
		return err
	})
	if err != nil && !errors.Is(err, errSomeMissing) {
		return jmapErr("get_messages", err)
	}
	if err := j.deliver(ctx, s, loc.Found, fn); err != nil {
		return err
	}
	var missing []error
	for _, id := range loc.Missing {
		missing = append(missing, &email.NotFoundError{Mailbox: mailbox, ID: id})
	}
	return errors.Join(missing...)
}

// deliver downloads the blobs, batchDownloads at a time, and hands each to
// fn in the order the downloads started.
func (j *JMAPClient) deliver(ctx context.Context, s *jmap.Session, blobs []jmap.MessageBlob, fn func(id string, r io.Reader) error) error {
	if len(blobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan jmap.MessageBlob)
	ready := make(chan delivery, batchDownloads)
	var wg sync.WaitGroup
	for range min(batchDownloads, len(blobs)) {
		wg.Go(func() {
			for b := range jobs {
				pr, pw := io.Pipe()
				d := delivery{id: b.ID, r: pr, result: make(chan error, 1)}
				ready <- d
				_, err := runJMAPBody(ctx, j, jmap.DownloadMessage(s, b, j.maxMessage), &Body{Sink: pw})
				if err != nil {
					err = fmt.Errorf("message %s: %w", b.ID, err)
				}
				pw.CloseWithError(err)
				d.result <- err
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, b := range blobs {
			select {
			case jobs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(ready)
	}()
	var failed error
	for d := range ready {
		if failed != nil {
			// Stopping: let the downloads started meanwhile end.
			d.r.CloseWithError(errAbandoned)
			continue
		}
		ferr := fn(d.id, d.r)
		d.r.CloseWithError(errAbandoned)
		derr := <-d.result
		switch {
		case ferr != nil:
			failed = ferr
		case derr != nil && !errors.Is(derr, errAbandoned):
			failed = jmapErr("get_messages", derr)
		case ctx.Err() != nil:
			failed = ctx.Err()
		}
		if failed != nil {
			cancel()
		}
	}
	return failed
}

// EachEnvelope calls fn for every envelope of mailbox, in the order of
// ListEnvelopes (newest Date first), with the fields ListEnvelopes fills,
// one page of maxObjectsInGet envelopes at a time: each page is one
// exchange (Email/query and the back-referenced Email/get, see
// jmap.ListEnvelopes) and is handed to fn before the next is asked for,
// so memory is bounded by one page, not by the mailbox. Pages are taken
// by position: an email added or removed during the listing may shift a
// later page by that much (an envelope then seen twice or not at all). An
// error from fn stops the listing and is returned as it is.
func (j *JMAPClient) EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error {
	s := j.sess(ctx)
	size := s.MaxGet()
	var fnErr, last error
	delivered := false // envelopes went to fn
	err := j.withMailbox(ctx, s, mailbox, func(id string) error {
		if delivered {
			return last // envelopes went to fn: not to be listed again
		}
		for page := 1; ; page++ {
			envs, err := runJMAP(ctx, j, jmap.ListEnvelopes(s, id, email.ListOptions{PageSize: size, Page: page}))
			if err != nil {
				last = err
				return err
			}
			for _, e := range envs {
				delivered = true
				if err := fn(e); err != nil {
					fnErr = err
					return nil // not a failure of the mailbox id
				}
			}
			if len(envs) < size {
				return nil
			}
		}
	})
	if fnErr != nil {
		return fnErr
	}
	return jmapErr("each_envelope", err)
}
