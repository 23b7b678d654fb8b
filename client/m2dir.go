package client

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// M2dirClient is the m2dir backend: an m2dir.Store driven on the real file
// system. It implements Storage, EnvelopeDiffer, MailboxDiffer, Watcher,
// MessagesGetter and EnvelopeStreamer; its methods are safe for concurrent
// use when the Store's Entropy reader is (crypto/rand.Reader, the default,
// is). Mailboxes are named by their
// folder names ("INBOX", "Lists/Go"); message ids are m2dir ids
// ("<checksum>.<nonce>").
type M2dirClient struct {
	store m2dir.Store
	files *FileDriver
}

// NewM2dir returns an m2dir backend for s, driven by files (a default
// driver when nil). Missing Clock and Entropy are filled with time.Now and
// crypto/rand.
func NewM2dir(s m2dir.Store, files *FileDriver) *M2dirClient {
	if s.Clock == nil {
		s.Clock = time.Now
	}
	if s.Entropy == nil {
		s.Entropy = rand.Reader
	}
	if files == nil {
		files = NewFileDriver(0)
	}
	return &M2dirClient{store: s, files: files}
}

// WithM2dir registers the m2dir store s as a storage backend, after Maildir
// and before JMAP and IMAP in priority.
func (c *Client) WithM2dir(s m2dir.Store) *Client {
	c.storage[slotM2dir] = NewM2dir(s, c.files)
	return c
}

// M2dir returns the registered m2dir backend, or nil.
func (c *Client) M2dir() *M2dirClient {
	m, _ := c.storage[slotM2dir].(*M2dirClient)
	return m
}

// Store returns the store the backend works on, with its defaults filled.
func (m *M2dirClient) Store() m2dir.Store { return m.store }

// Name returns "m2dir".
func (m *M2dirClient) Name() string { return "m2dir" }

// ListMailboxes lists the folders of the store.
func (m *M2dirClient) ListMailboxes(ctx context.Context, opts email.ListMailboxesOptions) ([]email.Mailbox, error) {
	return RunFiles(ctx, m.files, m.store.ListMailboxes(opts))
}

// CreateMailbox creates a folder (and the store's marker when missing).
func (m *M2dirClient) CreateMailbox(ctx context.Context, name string) error {
	_, err := RunFiles(ctx, m.files, m.store.CreateMailbox(name))
	return err
}

// DeleteMailbox deletes a folder and its messages; it refuses INBOX, the
// root and folders with child folders.
func (m *M2dirClient) DeleteMailbox(ctx context.Context, name string) error {
	_, err := RunFiles(ctx, m.files, m.store.DeleteMailbox(name))
	return err
}

// ListEnvelopes lists a page of a folder's envelopes, newest first.
func (m *M2dirClient) ListEnvelopes(ctx context.Context, mailbox string, opts email.ListOptions) ([]email.Envelope, error) {
	return RunFiles(ctx, m.files, m.store.ListEnvelopes(mailbox, opts))
}

// GetMessage copies the message to w as it is read, checking it against
// its checksum on the way (see m2dir.Store.GetMessageStream: a mismatch is
// reported after w has had the bytes).
func (m *M2dirClient) GetMessage(ctx context.Context, mailbox, id string, w io.Writer) (int64, error) {
	return RunFilesBody(ctx, m.files, m.store.GetMessageStream(mailbox, id), Body{Sink: w})
}

// AddMessage stores the message read from r with flags and returns its id,
// reading r once and writing to the temp file as it reads (see
// m2dir.Store.AddMessageStream). More than the store's MaxMessageSize
// bytes fail with email.ErrTooLarge. [email.WithReceived] sets the file's
// modification time.
func (m *M2dirClient) AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error) {
	return RunFilesBody(ctx, m.files, m.store.AddMessageStream(mailbox, flags, opts...), Body{Source: r})
}

// CopyMessages copies messages with their flags and returns the new ids.
func (m *M2dirClient) CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return RunFiles(ctx, m.files, m.store.CopyMessages(from, to, ids))
}

// MoveMessages moves messages with their flags and returns their ids in the
// target (unchanged unless the target already held one).
func (m *M2dirClient) MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return RunFiles(ctx, m.files, m.store.MoveMessages(from, to, ids))
}

// DeleteMessages permanently removes exactly the named messages.
func (m *M2dirClient) DeleteMessages(ctx context.Context, mailbox string, ids []string) error {
	_, err := RunFiles(ctx, m.files, m.store.DeleteMessages(mailbox, ids))
	return err
}

// StoreFlags adds, removes or sets flags on messages.
func (m *M2dirClient) StoreFlags(ctx context.Context, mailbox string, ids []string, op email.FlagOp, flags email.Flags) error {
	_, err := RunFiles(ctx, m.files, m.store.StoreFlags(mailbox, ids, op, flags))
	return err
}

// CleanTmp removes what interrupted writes left in a folder (temporary
// message and flags files, the hidden directory of an interrupted
// DeleteMailbox) that is older than age (36 hours when 0), and returns
// how many it removed; see m2dir.Store.CleanTmp.
func (m *M2dirClient) CleanTmp(ctx context.Context, mailbox string, age time.Duration) (int, error) {
	return RunFiles(ctx, m.files, m.store.CleanTmp(mailbox, age))
}
