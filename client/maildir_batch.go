package client

import (
	"context"
	"errors"
	"io"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// AddMessages implements MessagesAdder; see maildir.Store.AddMessages:
// every tmp/ file of the batch is written and synced (in parallel, through
// the file driver), then all are renamed into cur/, then cur/ is synced
// once, so the batch costs one directory sync instead of one a message.
// The messages are held in memory, each at most Store.MaxMessageSize
// bytes (email.ErrTooLarge otherwise, before anything is written).
func (m *MaildirClient) AddMessages(ctx context.Context, mailbox string, msgs []NewMessage) ([]string, error) {
	batch := make([]maildir.NewMessage, len(msgs))
	for i, msg := range msgs {
		batch[i] = maildir.NewMessage{Raw: msg.Raw, Flags: msg.Flags, Received: msg.Received}
	}
	return runMaildir(ctx, m, "add_messages", m.store.AddMessages(mailbox, batch))
}

// GetMessages implements MessagesGetter: one scan of the mailbox finds
// every id (maildir.Store.LocateMessages), then the files are read ahead in
// parallel through the file driver and handed to fn one at a time, in the
// order of ids. Messages up to 512 KiB are read whole ahead of their turn,
// at most 8 at once; larger ones are opened ahead and streamed, so the
// memory taken is at most 4 MiB plus one copy buffer whatever the batch.
// A file renamed meanwhile (a flag change) is found again by its id. A
// message larger than Store.MaxMessageSize stops the fetch with an error
// matching email.ErrTooLarge before fn sees it; the ids not found are
// reported last, as MessagesGetter says.
func (m *MaildirClient) GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error {
	loc, err := runMaildir(ctx, m, "get_messages", m.store.LocateMessages(mailbox, ids))
	if err != nil {
		return err
	}
	items := make([]batchItem, len(loc.Files))
	for i, f := range loc.Files {
		items[i] = batchItem{id: f.ID, req: f.Read}
	}
	return finishBatch(ctx, m.files, m, "maildir", mailbox, items, loc.Missing, fn)
}

// finishBatch reads items through files for fn, then
// reports missing, the ids a listing did not find, and those that vanished
// and were not found again by one GetMessage of s each.
func finishBatch(ctx context.Context, files *FileDriver, s Storage, backend, mailbox string, items []batchItem, missing []string, fn func(string, io.Reader) error) error {
	// fn's errors are marked, to come back as they are.
	mark := func(id string, r io.Reader) error {
		if err := fn(id, r); err != nil {
			return callerError{err}
		}
		return nil
	}
	var notFound []error
	err := files.getEach(ctx, items, mark, func(id string) error {
		err := getPiped(ctx, s, mailbox, id, mark)
		var nf *email.NotFoundError
		if errors.As(err, &nf) && nf.ID != "" {
			notFound = append(notFound, nf)
			return nil
		}
		return err
	})
	var ce callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	if err != nil {
		var op *email.OpError
		if errors.As(err, &op) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &email.OpError{Backend: backend, Op: "get_messages", Err: err}
	}
	for _, id := range missing {
		notFound = append(notFound, &email.NotFoundError{Mailbox: mailbox, ID: id})
	}
	return errors.Join(notFound...)
}

// callerError marks an error of the caller's fn.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }
func (e callerError) Unwrap() error { return e.err }

// EachEnvelope implements EnvelopeStreamer; see maildir.Store.EachEnvelope:
// the heads are read and handed to fn a chunk (maildir.EachChunk files)
// at a time, in the order of the folder's scan, so memory holds the file
// names of the mailbox and one chunk, never every envelope.
func (m *MaildirClient) EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error {
	return runEach(ctx, m.files, m.store.EachEnvelope(mailbox), fn, "maildir")
}
