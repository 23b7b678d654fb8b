package client

import (
	"context"
	"io"
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
