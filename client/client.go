package client

import (
	"context"
	"fmt"
	"io"

	"github.com/ioemail/ioemail/email"
)

// Storage is what a storage backend offers the dispatcher. The backend
// clients of this package implement it; so can a caller's own type.
type Storage interface {
	// Name names the backend in errors ("maildir", "imap", ...).
	Name() string
	// ListMailboxes lists every mailbox, with counts when opts asks.
	ListMailboxes(ctx context.Context, opts email.ListMailboxesOptions) ([]email.Mailbox, error)
	// CreateMailbox creates the mailbox name ("/" separates levels); an
	// existing one fails with an error matching email.ErrExists.
	CreateMailbox(ctx context.Context, name string) error
	// DeleteMailbox deletes the mailbox name and the messages in it.
	DeleteMailbox(ctx context.Context, name string) error
	// ListEnvelopes lists a page of the mailbox's envelopes, newest Date
	// first (see email.ListOptions for the order and the paging).
	ListEnvelopes(ctx context.Context, mailbox string, opts email.ListOptions) ([]email.Envelope, error)
	// GetMessage copies the raw message into w and returns the byte count.
	GetMessage(ctx context.Context, mailbox, id string, w io.Writer) (int64, error)
	// AddMessage stores the raw message read from r with flags and returns
	// its id. opts may set the received time (email.WithReceived); a
	// backend that cannot store it ignores it.
	AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error)
	// CopyMessages copies messages and returns the new ids in the order of
	// ids, where the backend knows them ("" where it does not).
	CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error)
	// MoveMessages moves messages and returns the new ids as CopyMessages.
	MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error)
	// DeleteMessages permanently removes exactly the named messages.
	DeleteMessages(ctx context.Context, mailbox string, ids []string) error
	// StoreFlags adds, removes or replaces (op) flags on the messages ids.
	StoreFlags(ctx context.Context, mailbox string, ids []string, op email.FlagOp, flags email.Flags) error
}

// EnvelopeDiffer is a Storage that reports changes in a mailbox since a
// checkpoint.
type EnvelopeDiffer interface {
	// DiffEnvelopes reports what changed in mailbox since state (nil for a
	// first baseline) and the state to pass next time.
	DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error)
}

// MailboxDiffer is a Storage that reports changes in the mailbox list since
// a checkpoint.
type MailboxDiffer interface {
	// DiffMailboxes reports what changed among the mailboxes since state
	// (nil for a first baseline) and the state to pass next time.
	DiffMailboxes(ctx context.Context, state email.State) (email.MailboxDiff, error)
}

// Watcher is a Storage that reports changes in a mailbox as they happen.
// WatchMailbox blocks, calling fn for each event, until ctx is done (it then
// returns nil), fn returns an error (returned as is), or the backend fails.
type Watcher interface {
	// WatchMailbox blocks, calling fn for each event, as the type says.
	WatchMailbox(ctx context.Context, mailbox string, fn func(email.WatchEvent) error) error
}

// Sender is a backend that submits messages.
type Sender interface {
	// Name names the backend in errors ("smtp", "jmap").
	Name() string
	// SendMessage submits the raw RFC 5322 message, the envelope taken
	// from its headers unless opts overrides it.
	SendMessage(ctx context.Context, raw []byte, opts email.SendOptions) (email.SendResult, error)
}

// Priority is the slot of a storage backend in a Client: operations go to
// the registered backend of highest priority, the lowest value. Each With
// and Connect method fills its own slot; WithStorage fills any.
type Priority int

// The storage priorities, highest first.
const (
	PriorityMaildir Priority = iota // WithMaildir
	PriorityM2dir                   // WithM2dir
	PriorityJMAP                    // ConnectJMAP
	PriorityIMAP                    // ConnectIMAP
	numStorage
)

// The slots under their older internal names.
const (
	slotMaildir = PriorityMaildir
	slotM2dir   = PriorityM2dir
	slotJMAP    = PriorityJMAP
	slotIMAP    = PriorityIMAP
)

// The sending priority slots.
const (
	sendJMAP = iota
	sendSMTP
	numSend
)

// Client dispatches operations to registered backends. Build it with New
// and the With and Connect methods, before sharing it: registering is not
// safe concurrently with other calls. Once built, a Client is safe for
// concurrent use: IMAP and SMTP calls run one at a time on their
// connection, JMAP calls and local stores run in parallel.
type Client struct {
	storage [numStorage]Storage
	senders [numSend]Sender
	closers []io.Closer
	files   *FileDriver
}

// New returns a Client with no backend registered.
func New() *Client { return &Client{files: NewFileDriver(0)} }

// WithStorage registers a caller's own storage backend in the slot of
// priority p (PriorityMaildir, PriorityM2dir, PriorityJMAP or
// PriorityIMAP), replacing what was there; another p is ignored. An
// untyped constant such as 3 still works.
func (c *Client) WithStorage(p Priority, s Storage) *Client {
	if p >= 0 && p < numStorage {
		c.storage[p] = s
	}
	return c
}

// Close closes every network connection the client opened.
func (c *Client) Close() error {
	var first error
	for _, cl := range c.closers {
		if err := cl.Close(); err != nil && first == nil {
			first = err
		}
	}
	c.closers = nil
	return first
}

// store returns the storage backend of highest priority.
func (c *Client) store() (Storage, error) {
	for _, s := range c.storage {
		if s != nil {
			return s, nil
		}
	}
	return nil, email.ErrNoBackend
}

func unsupported(s Storage, op string) error {
	return &email.OpError{Backend: s.Name(), Op: op, Err: email.ErrUnsupported}
}

// ListMailboxes lists the mailboxes of the storage backend.
func (c *Client) ListMailboxes(ctx context.Context, opts email.ListMailboxesOptions) ([]email.Mailbox, error) {
	s, err := c.store()
	if err != nil {
		return nil, err
	}
	return s.ListMailboxes(ctx, opts)
}

// CreateMailbox creates a mailbox.
func (c *Client) CreateMailbox(ctx context.Context, name string) error {
	s, err := c.store()
	if err != nil {
		return err
	}
	return s.CreateMailbox(ctx, name)
}

// DeleteMailbox deletes a mailbox and the messages in it.
func (c *Client) DeleteMailbox(ctx context.Context, name string) error {
	s, err := c.store()
	if err != nil {
		return err
	}
	return s.DeleteMailbox(ctx, name)
}

// ListEnvelopes lists a page of envelopes of a mailbox, newest Date first.
func (c *Client) ListEnvelopes(ctx context.Context, mailbox string, opts email.ListOptions) ([]email.Envelope, error) {
	s, err := c.store()
	if err != nil {
		return nil, err
	}
	return s.ListEnvelopes(ctx, mailbox, opts)
}

// GetMessage copies the raw message into w.
func (c *Client) GetMessage(ctx context.Context, mailbox, id string, w io.Writer) (int64, error) {
	s, err := c.store()
	if err != nil {
		return 0, err
	}
	return s.GetMessage(ctx, mailbox, id, w)
}

// AddMessage stores a raw message with flags and returns its id. With
// email.WithReceived the message keeps a given received time (the IMAP
// APPEND date-time, the JMAP receivedAt, the file's modification time), so
// that a backup restores arrival dates.
func (c *Client) AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error) {
	s, err := c.store()
	if err != nil {
		return "", err
	}
	return s.AddMessage(ctx, mailbox, r, flags, opts...)
}

// CopyMessages copies messages to another mailbox and returns their new ids
// where the backend knows them.
func (c *Client) CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	s, err := c.store()
	if err != nil {
		return nil, err
	}
	return s.CopyMessages(ctx, from, to, ids)
}

// MoveMessages moves messages to another mailbox and returns their new ids
// where the backend knows them.
func (c *Client) MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	s, err := c.store()
	if err != nil {
		return nil, err
	}
	return s.MoveMessages(ctx, from, to, ids)
}

// DeleteMessages permanently removes exactly the named messages.
func (c *Client) DeleteMessages(ctx context.Context, mailbox string, ids []string) error {
	s, err := c.store()
	if err != nil {
		return err
	}
	return s.DeleteMessages(ctx, mailbox, ids)
}

// StoreFlags adds, removes or sets flags on messages.
func (c *Client) StoreFlags(ctx context.Context, mailbox string, ids []string, op email.FlagOp, flags email.Flags) error {
	if !op.Valid() {
		return fmt.Errorf("client: flag operation %d: %w", op, email.ErrInvalidArgument)
	}
	s, err := c.store()
	if err != nil {
		return err
	}
	return s.StoreFlags(ctx, mailbox, ids, op, flags)
}

// DiffEnvelopes reports what changed in a mailbox since state (nil for a
// first baseline).
func (c *Client) DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error) {
	s, err := c.store()
	if err != nil {
		return email.EnvelopeDiff{}, err
	}
	d, ok := s.(EnvelopeDiffer)
	if !ok {
		return email.EnvelopeDiff{}, unsupported(s, "diff_envelopes")
	}
	return d.DiffEnvelopes(ctx, mailbox, state)
}

// DiffMailboxes reports what changed among the mailboxes since state.
func (c *Client) DiffMailboxes(ctx context.Context, state email.State) (email.MailboxDiff, error) {
	s, err := c.store()
	if err != nil {
		return email.MailboxDiff{}, err
	}
	d, ok := s.(MailboxDiffer)
	if !ok {
		return email.MailboxDiff{}, unsupported(s, "diff_mailboxes")
	}
	return d.DiffMailboxes(ctx, state)
}

// WatchMailbox blocks, calling fn for every change in the mailbox, until ctx
// is done (it then returns nil) or fn returns an error.
func (c *Client) WatchMailbox(ctx context.Context, mailbox string, fn func(email.WatchEvent) error) error {
	s, err := c.store()
	if err != nil {
		return err
	}
	w, ok := s.(Watcher)
	if !ok {
		return unsupported(s, "watch_mailbox")
	}
	return w.WatchMailbox(ctx, mailbox, fn)
}

// SendMessage submits a raw RFC 5322 message through the sending backend of
// highest priority (JMAP, then SMTP). The envelope comes from the headers
// unless opts overrides it; the Bcc header never goes on the wire unless
// opts.KeepBcc is set.
func (c *Client) SendMessage(ctx context.Context, raw []byte, opts email.SendOptions) (email.SendResult, error) {
	for _, s := range c.senders {
		if s != nil {
			return s.SendMessage(ctx, raw, opts)
		}
	}
	return email.SendResult{}, email.ErrNoBackend
}
