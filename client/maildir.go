package client

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// MaildirClient runs the step machines of a maildir.Store on the local file
// system. It implements Storage, MessagesGetter, EnvelopeStreamer and
// MessagesAdder; its methods are safe for concurrent use.
type MaildirClient struct {
	store maildir.Store
	files *FileDriver
}

// NewMaildir returns a Maildir backend for s, driven by files (a default
// driver when nil), as NewM2dir does for m2dir. Unset nondeterministic
// inputs are filled in: Clock with time.Now, Entropy with
// crypto/rand.Reader, Hostname with os.Hostname, Pid with os.Getpid, and
// LockOwner with "<pid>:<host>" from os.Getpid and os.Hostname (whatever
// Pid and Hostname hold), so that a lock a killed process left is taken
// at once, by this store and by Dovecot.
func NewMaildir(s maildir.Store, files *FileDriver) *MaildirClient {
	if s.Clock == nil {
		s.Clock = time.Now
	}
	if s.Entropy == nil {
		s.Entropy = rand.Reader
	}
	if s.Hostname == "" {
		if h, err := os.Hostname(); err == nil {
			s.Hostname = h
		}
	}
	if s.Pid == 0 {
		s.Pid = os.Getpid()
	}
	if s.LockOwner == "" {
		s.LockOwner = lockOwner()
	}
	if files == nil {
		files = NewFileDriver(0)
	}
	return &MaildirClient{store: s, files: files}
}

// WithMaildir registers a Maildir store as the storage backend of highest
// priority (PriorityMaildir), with the defaults of NewMaildir.
func (c *Client) WithMaildir(s maildir.Store) *Client {
	c.storage[PriorityMaildir] = NewMaildir(s, c.files)
	return c
}

// Maildir returns the registered Maildir backend, or nil.
func (c *Client) Maildir() *MaildirClient {
	m, _ := c.storage[slotMaildir].(*MaildirClient)
	return m
}

// Store returns the store the client runs, with its defaults filled in.
func (m *MaildirClient) Store() maildir.Store { return m.store }

// Name implements Storage.
func (m *MaildirClient) Name() string { return "maildir" }

func runMaildir[R any](ctx context.Context, m *MaildirClient, op string, mach coroutine.FileMachine[R]) (R, error) {
	out, err := RunFiles(ctx, m.files, mach)
	if err != nil {
		return out, &email.OpError{Backend: "maildir", Op: op, Err: err}
	}
	return out, nil
}

// runMaildirBody is runMaildir for an operation with a body stream.
func runMaildirBody[R any](ctx context.Context, m *MaildirClient, op string, mach coroutine.FileMachine[R], body Body) (R, error) {
	out, err := RunFilesBody(ctx, m.files, mach, body)
	if err != nil {
		return out, &email.OpError{Backend: "maildir", Op: op, Err: err}
	}
	return out, nil
}

// ListMailboxes implements Storage; see maildir.Store.ListMailboxes.
func (m *MaildirClient) ListMailboxes(ctx context.Context, opts email.ListMailboxesOptions) ([]email.Mailbox, error) {
	return runMaildir(ctx, m, "list_mailboxes", m.store.ListMailboxes(opts))
}

// CreateMailbox implements Storage; see maildir.Store.CreateMailbox.
func (m *MaildirClient) CreateMailbox(ctx context.Context, name string) error {
	_, err := runMaildir(ctx, m, "create_mailbox", m.store.CreateMailbox(name))
	return err
}

// DeleteMailbox implements Storage; see maildir.Store.DeleteMailbox.
func (m *MaildirClient) DeleteMailbox(ctx context.Context, name string) error {
	_, err := runMaildir(ctx, m, "delete_mailbox", m.store.DeleteMailbox(name))
	return err
}

// ListEnvelopes implements Storage; see maildir.Store.ListEnvelopes.
func (m *MaildirClient) ListEnvelopes(ctx context.Context, mailbox string, opts email.ListOptions) ([]email.Envelope, error) {
	return runMaildir(ctx, m, "list_envelopes", m.store.ListEnvelopes(mailbox, opts))
}

// GetMessage implements Storage; see maildir.Store.GetMessageStream. The
// message is copied to w as it is read, through a fixed buffer, whatever
// its size (at most Store.MaxMessageSize, checked before a byte is
// written).
func (m *MaildirClient) GetMessage(ctx context.Context, mailbox, id string, w io.Writer) (int64, error) {
	return runMaildirBody(ctx, m, "get_message", m.store.GetMessageStream(mailbox, id), Body{Sink: w})
}

// AddMessage implements Storage; see maildir.Store.AddMessageStream. It
// reads r once, to its end, writing to the tmp/ file as it reads; more
// than Store.MaxMessageSize bytes (128 MiB by default) fail with an error
// matching email.ErrTooLarge and leave nothing behind. [email.WithReceived]
// sets the file's modification time.
func (m *MaildirClient) AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error) {
	return runMaildirBody(ctx, m, "add_message", m.store.AddMessageStream(mailbox, flags, opts...), Body{Source: r})
}

// CopyMessages implements Storage; see maildir.Store.CopyMessages.
func (m *MaildirClient) CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return runMaildir(ctx, m, "copy_messages", m.store.CopyMessages(from, to, ids))
}

// MoveMessages implements Storage; see maildir.Store.MoveMessages.
func (m *MaildirClient) MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return runMaildir(ctx, m, "move_messages", m.store.MoveMessages(from, to, ids))
}

// DeleteMessages implements Storage; see maildir.Store.DeleteMessages.
func (m *MaildirClient) DeleteMessages(ctx context.Context, mailbox string, ids []string) error {
	_, err := runMaildir(ctx, m, "delete_message", m.store.DeleteMessages(mailbox, ids))
	return err
}

// StoreFlags implements Storage; see maildir.Store.StoreFlags.
func (m *MaildirClient) StoreFlags(ctx context.Context, mailbox string, ids []string, op email.FlagOp, flags email.Flags) error {
	_, err := runMaildir(ctx, m, "store_flags", m.store.StoreFlags(mailbox, ids, op, flags))
	return err
}

// CleanTmp removes the files a crash left in a mailbox's tmp/ that are
// older than age (36 hours when 0) and returns how many it removed; see
// maildir.Store.CleanTmp.
func (m *MaildirClient) CleanTmp(ctx context.Context, mailbox string, age time.Duration) (int, error) {
	return runMaildir(ctx, m, "clean_tmp", m.store.CleanTmp(mailbox, age))
}
