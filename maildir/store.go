package maildir

import (
	"fmt"
	"io"
	"path"
	"time"

	"github.com/ioemail/ioemail/email"
)

// Layout is the way a store maps mailbox names to directories.
type Layout uint8

const (
	// LayoutMaildirPP is Maildir++ (Courier, Dovecot's default): the root
	// maildir is INBOX and every other mailbox is a maildir directly under
	// the root named "." plus its name with "." between hierarchy levels:
	// "Lists/Go" is <root>/.Lists.Go. Components may not contain ".".
	LayoutMaildirPP Layout = iota
	// LayoutFS nests real directories (Dovecot LAYOUT=fs, mbsync Verbatim,
	// aerc): "Lists/Go" is <root>/Lists/Go and INBOX is still the root.
	// Components may not be exactly cur, new or tmp; CreateMailbox also
	// refuses a component starting with "." (other programs' dot folders
	// are still listed and usable).
	LayoutFS
)

// String names the layout.
func (l Layout) String() string {
	switch l {
	case LayoutMaildirPP:
		return "maildir++"
	case LayoutFS:
		return "fs"
	}
	return "invalid"
}

// Defaults of the Store limits.
const (
	// DefaultHeadLimit is how much of each file ListEnvelopes reads first:
	// 8 KiB holds the whole header of nearly every message.
	DefaultHeadLimit = 8 << 10
	// DefaultMaxHeader bounds the second, longer read ListEnvelopes makes
	// when a header does not end within the head limit. A header longer
	// than this is scanned as far as it was read (best effort).
	DefaultMaxHeader = 256 << 10
	// DefaultMaxMessageSize bounds the messages GetMessage, CopyMessages
	// and the client's AddMessage hold in memory.
	DefaultMaxMessageSize = 128 << 20
	// DefaultBatchSize bounds how many file reads one batch holds, so that
	// listing a folder of any size keeps memory bounded while the driver
	// still runs each batch in parallel.
	DefaultBatchSize = 4096
)

// Store is a tree of maildirs. It is a plain value: copy it freely. Each
// operation is a method that returns a step machine (coroutine.FileMachine)
// asking for file requests; run it with client.RunFiles, coroutine.Run or a
// loop of your own.
//
// Mailbox names are UTF-8 with "/" between hierarchy levels; "INBOX" (any
// case) and "" name the root maildir. See ValidateName for the names that
// are refused.
type Store struct {
	// Root is the directory of the store, "/"-separated.
	Root string
	// Layout maps names to directories; the zero value is Maildir++.
	Layout Layout
	// Separator is the byte between a message's unique key and its info
	// ("2,FS"): ':' (the zero value means ':') or ';' (the usual choice on
	// file systems that forbid ':'). A store reads and writes one
	// separator only.
	Separator byte
	// Hostname is written into new unique names (escaped as the Maildir
	// specification says); "localhost" when empty.
	Hostname string
	// Pid is the process id written into new unique names; 0 omits it.
	Pid int
	// Clock gives the time for new unique names and for judging stale
	// lock files. Required by operations that write messages.
	Clock func() time.Time
	// LockOwner is written into the dovecot-uidlist.lock this store
	// takes: "<pid>:<host>", the process id and the host name as
	// gethostname gives it, which is what Dovecot writes into its own
	// dotlocks. A lock naming a process of the same host that no longer
	// runs is then taken at once, by this store (which asks its driver,
	// see coroutine.OwnerAlive) and by Dovecot, instead of after two
	// minutes. Empty writes empty locks, judged by their age only.
	// client.NewMaildir sets it. A value not of that form makes the
	// operations that take the lock fail with email.ErrInvalidArgument.
	LockOwner string
	// Entropy gives the random part of new unique names. Required by
	// operations that write messages; crypto/rand.Reader is the right
	// choice.
	Entropy io.Reader
	// HeadLimit is how many bytes of each file ListEnvelopes reads first
	// (DefaultHeadLimit when 0).
	HeadLimit int64
	// MaxHeader bounds the longer read made when the header does not end
	// within HeadLimit (DefaultMaxHeader when 0).
	MaxHeader int64
	// MaxMessageSize bounds a message held in memory (DefaultMaxMessageSize
	// when 0); larger ones fail with email.ErrTooLarge.
	MaxMessageSize int64
	// BatchSize bounds the number of reads in one batch (DefaultBatchSize
	// when 0).
	BatchSize int
}

func (s Store) sep() byte {
	if s.Separator == 0 {
		return ':'
	}
	return s.Separator
}

func (s Store) headLimit() int64 {
	if s.HeadLimit <= 0 {
		return DefaultHeadLimit
	}
	return s.HeadLimit
}

func (s Store) maxHeader() int64 {
	if s.MaxHeader <= 0 {
		return DefaultMaxHeader
	}
	return max(s.MaxHeader, s.headLimit())
}

func (s Store) maxMessage() int64 {
	if s.MaxMessageSize <= 0 {
		return DefaultMaxMessageSize
	}
	return s.MaxMessageSize
}

func (s Store) batchSize() int {
	if s.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return s.BatchSize
}

// valid checks the Store's own settings.
func (s Store) valid() error {
	if s.Root == "" {
		return fmt.Errorf("maildir: Store.Root is empty: %w", email.ErrInvalidArgument)
	}
	if sep := s.sep(); sep != ':' && sep != ';' {
		return fmt.Errorf("maildir: Store.Separator %q is neither ':' nor ';': %w", sep, email.ErrInvalidArgument)
	}
	if s.Layout != LayoutMaildirPP && s.Layout != LayoutFS {
		return fmt.Errorf("maildir: Store.Layout %d: %w", s.Layout, email.ErrInvalidArgument)
	}
	return nil
}

// canWrite checks what operations that mint unique names need.
func (s Store) canWrite() error {
	if err := s.valid(); err != nil {
		return err
	}
	if s.Clock == nil || s.Entropy == nil {
		return fmt.Errorf("maildir: Store.Clock and Store.Entropy are required to write messages: %w", email.ErrInvalidArgument)
	}
	return nil
}

// Dir returns the directory of a mailbox ("/"-separated, under Root), or
// an error matching email.ErrInvalidName (a *email.NameError) for a name
// the layout cannot hold, or email.ErrInvalidArgument for a bad Store.
func (s Store) Dir(mailbox string) (string, error) {
	if err := s.valid(); err != nil {
		return "", err
	}
	comps, err := s.components(mailbox)
	if err != nil {
		return "", err
	}
	return s.dirOf(comps), nil
}

// dirOf maps validated components (nil for INBOX) to a directory.
func (s Store) dirOf(comps []string) string {
	if len(comps) == 0 {
		return path.Clean(s.Root)
	}
	if s.Layout == LayoutFS {
		return path.Join(append([]string{s.Root}, comps...)...)
	}
	return path.Join(s.Root, ppDirName(comps))
}
