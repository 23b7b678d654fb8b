package client

import (
	"context"
	"io"

	"github.com/ioemail/ioemail/email"
)

// GetMessages implements MessagesGetter: one listing of the folder finds
// every id (m2dir.Store.LocateMessages), then the files are read ahead in
// parallel through the file driver, each checked against its checksum as
// its bytes pass, and handed to fn one at a time, in the order of ids,
// with the memory bound of MaildirClient.GetMessages. A message whose
// bytes do not match its checksum is delivered whole; fn's reader then
// returns a *m2dir.ChecksumError instead of io.EOF, and the fetch stops
// with that error unless fn returns one of its own (a caller that must not
// use damaged bytes keeps them until the read ends without error). A
// message larger than Store.MaxMessageSize stops the fetch with an error
// matching email.ErrTooLarge before fn sees it; the ids not found are
// reported last, as MessagesGetter says.
func (m *M2dirClient) GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error {
	loc, err := RunFiles(ctx, m.files, m.store.LocateMessages(mailbox, ids))
	if err != nil {
		return err
	}
	items := make([]batchItem, len(loc.Files))
	for i, f := range loc.Files {
		items[i] = batchItem{id: f.ID, req: f.Read, verify: func(sum []byte) error { return f.Verify(mailbox, sum) }}
	}
	return finishBatch(ctx, m.files, m, "m2dir", mailbox, items, loc.Missing, fn)
}

// EachEnvelope implements EnvelopeStreamer; see m2dir.Store.EachEnvelope:
// the heads (and flags files) are read and handed to fn a chunk
// (m2dir.EachChunk messages) at a time, in the order of the ids, so memory
// holds the file names of the folder and one chunk, never every envelope.
func (m *M2dirClient) EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error {
	return runEach(ctx, m.files, m.store.EachEnvelope(mailbox), fn, "m2dir")
}
