package m2dir

import (
	"io"
	"path"
	"time"
)

// Marker and metadata names of the layout.
const (
	// StoreMarker is the empty file that marks the root of an m2store.
	StoreMarker = ".m2store"
	// FolderMarker is the empty file that marks a folder (an m2dir).
	FolderMarker = ".m2dir"
	// MetaDir is the folder's metadata directory.
	MetaDir = ".meta"
	// FlagsSuffix ends the name of a message's flags file in MetaDir.
	FlagsSuffix = ".flags"
	// TempPrefix starts the names of files being written.
	TempPrefix = ".m2dir.tmp."
	// InboxDir is the directory of the INBOX folder under the root.
	InboxDir = "INBOX"
)

// Default limits.
const (
	// DefaultMaxMessageSize bounds the messages GetMessage, CopyMessages
	// and AddMessage handle when Store.MaxMessageSize is 0.
	DefaultMaxMessageSize = 256 << 20
	// DefaultHeadSize is how much of each message ListEnvelopes reads first
	// when Store.HeadSize is 0; a header that does not end within it is
	// read again, up to MaxHeadSize.
	DefaultHeadSize = 8 << 10
	// MaxHeadSize bounds the bytes read to find the end of one header.
	MaxHeadSize = 256 << 10
	// MaxFlagsFileSize bounds a flags file; a larger one is garbage.
	MaxFlagsFileSize = 64 << 10
	// maxDepth bounds the folder nesting ListMailboxes walks.
	maxDepth = 64
)

// Store is an m2store rooted at Root. It is a plain value: the machines it
// builds do no I/O themselves, and take the time and randomness they need
// from Clock and Entropy.
type Store struct {
	// Root is the directory of the store, with "/" separators.
	Root string
	// Clock gives the time used to name undated messages. Nil means the
	// Unix epoch (the client fills in time.Now).
	Clock func() time.Time
	// Entropy supplies random bytes for message nonces and temporary file
	// names. The client fills in crypto/rand; machines that need it fail
	// with email.ErrInvalidArgument when it is nil.
	Entropy io.Reader
	// MaxMessageSize bounds message sizes (0: DefaultMaxMessageSize).
	MaxMessageSize int64
	// HeadSize is the first read per message when listing (0:
	// DefaultHeadSize).
	HeadSize int64
}

func (s Store) now() time.Time {
	if s.Clock == nil {
		return time.Unix(0, 0).UTC()
	}
	return s.Clock()
}

func (s Store) maxMessage() int64 {
	if s.MaxMessageSize > 0 {
		return s.MaxMessageSize
	}
	return DefaultMaxMessageSize
}

func (s Store) headSize() int64 {
	if s.HeadSize > 0 {
		return min(s.HeadSize, MaxHeadSize)
	}
	return DefaultHeadSize
}

// FolderPath returns the directory of the mailbox name, or a
// *email.NameError when the name cannot be stored.
func (s Store) FolderPath(name string) (string, error) {
	parts, err := EncodeName(name)
	if err != nil {
		return "", err
	}
	return path.Join(append([]string{s.Root}, parts...)...), nil
}

// folder is a resolved mailbox: its name as given and its directory.
type folder struct {
	name string
	dir  string
	alt  string // the other tools' spelling of dir, when it differs
}

func (f folder) meta() string            { return path.Join(f.dir, MetaDir) }
func (f folder) file(name string) string { return path.Join(f.dir, name) }
func (f folder) flagsFile(id string) string {
	return path.Join(f.dir, MetaDir, id+FlagsSuffix)
}

func (s Store) folder(name string) (folder, error) {
	dir, err := s.FolderPath(name)
	return folder{name: name, dir: dir}, err
}
