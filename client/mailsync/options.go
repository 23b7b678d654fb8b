package mailsync

import (
	"log/slog"
	"strings"
	"time"

	"github.com/ioemail/ioemail/client"
)

// Side names one of the pair.
type Side int

// The two sides of a pair.
const (
	A Side = iota // the first store given to New
	B             // the second store given to New
)

// String returns "A" or "B".
func (s Side) String() string {
	if s == B {
		return "B"
	}
	return "A"
}

// Other returns the other side.
func (s Side) Other() Side { return 1 - s }

// Direction says which way changes flow.
type Direction int

// The directions.
const (
	Both Direction = iota // changes flow both ways
	AToB                  // A's changes are made on B; B's are undone from A
	BToA                  // B's changes are made on A; A's are undone from B
)

// String returns "both", "a-to-b" or "b-to-a".
func (d Direction) String() string {
	switch d {
	case AToB:
		return "a-to-b"
	case BToA:
		return "b-to-a"
	}
	return "both"
}

// Options says what to sync and how. The zero Options syncs every mailbox
// both ways, deletes for real, has no size limit and lets A win conflicts.
type Options struct {
	// Mailboxes are patterns on A's mailbox names: "*" every mailbox (the
	// default when empty), "INBOX", "Archive/*" (see Match).
	Mailboxes []string
	// Exclude are patterns of A names to leave out.
	Exclude []string
	// Names maps mailbox names between the sides; nil is the identity.
	Names NameMap
	// Direction says which way changes flow.
	Direction Direction
	// Trash, when set, is the mailbox (by its name on each side, mapped
	// through Names) that deletions move to instead of deleting.
	Trash string
	// MaxSize leaves out messages larger than this many bytes (counted in
	// Summary.Skipped); 0 is no limit.
	MaxSize int64
	// DryRun plans and reports, changes nothing and writes no state.
	DryRun bool
	// FlagConflict is the side that wins when both sides changed the same
	// flag differently since the last sync; the default is A.
	FlagConflict Side
	// Progress is called as work is done; nil for none.
	Progress func(Progress)
	// Logger receives the engine's log; nil for none.
	Logger *slog.Logger

	// The fields below concern Run only.

	// Watch holds, per side, what Run watches for changes. Nil watches the
	// side's own store when it is a client.Watcher that can watch beside
	// the sync (a local store, JMAP); an IMAP client's watch holds its
	// connection, so give a second connection here for an IMAP side.
	Watch [2]client.Watcher
	// WatchMailboxes are the A names Run watches; nil watches every synced
	// mailbox. An IMAP watcher watches one mailbox per connection: name one
	// (usually "INBOX").
	WatchMailboxes []string
	// PollInterval is how often Run syncs without a change seen; 0 means
	// DefaultPollInterval. Mailboxes that are not watched, and new or
	// deleted folders, are seen at the latest then.
	PollInterval time.Duration
	// Quiet is how long Run waits after a change for the burst to end
	// before it syncs (at most ten times as long in all); 0 means
	// DefaultQuiet.
	Quiet time.Duration
}

// The defaults of Run's timing options.
const (
	DefaultPollInterval = time.Minute
	DefaultQuiet        = 200 * time.Millisecond
)

// NameMap maps mailbox names between the sides. A name that maps to false
// is not synced.
type NameMap interface {
	// ToB returns B's name for A's mailbox aName.
	ToB(aName string) (string, bool)
	// ToA returns A's name for B's mailbox bName.
	ToA(bName string) (string, bool)
}

// DefaultNames returns the identity map: every name is the same on both
// sides ("/" separated, as every backend of package client names them).
func DefaultNames() NameMap { return identity{} }

type identity struct{}

func (identity) ToB(a string) (string, bool) { return a, true }
func (identity) ToA(b string) (string, bool) { return b, true }

// PrefixMap returns a map that puts A's mailboxes under the folder prefix
// on B (for example "Backup"), keeping INBOX at prefix + "/INBOX". Names
// on B outside prefix are not synced.
func PrefixMap(prefix string) NameMap {
	return prefixMap{strings.Trim(prefix, "/")}
}

type prefixMap struct{ p string }

func (m prefixMap) ToB(a string) (string, bool) {
	if m.p == "" {
		return a, true
	}
	return m.p + "/" + a, true
}

func (m prefixMap) ToA(b string) (string, bool) {
	if m.p == "" {
		return b, true
	}
	rest, ok := strings.CutPrefix(b, m.p+"/")
	if !ok || rest == "" {
		return "", false
	}
	return rest, true
}

// Progress is a snapshot of a run in progress.
type Progress struct {
	// Mailbox is the A name of the mailbox being worked on ("" between
	// mailboxes).
	Mailbox string
	// Phase is "scan", "copy", "flags", "delete" or "folders".
	Phase string
	// Done and Total count the units of the current phase.
	Done, Total int
	// Bytes counts the message bytes copied so far in the run.
	Bytes int64
}

// Summary is what a run did, per side: the counts of A are the changes made
// ON A.
type Summary struct {
	// A and B count the changes made on each side.
	A, B SideCounts
	// Conflicts counts flags both sides changed differently.
	Conflicts int
	// Skipped counts messages left out (Options.MaxSize).
	Skipped int
	// Mailboxes counts the mailbox pairs synced.
	Mailboxes int
	// DryRun says nothing was changed: the counts are what would be done.
	DryRun bool
}

// SideCounts counts the changes made on one side.
type SideCounts struct {
	// Copied counts the messages added.
	Copied int
	// FlagsChanged counts the messages whose flags were changed.
	FlagsChanged int
	// Deleted counts the messages deleted (or moved to Options.Trash).
	Deleted int
	// Moved counts the messages moved between mailboxes.
	Moved int
	// MailboxesCreated and MailboxesDeleted count the folder changes.
	MailboxesCreated, MailboxesDeleted int
	// Bytes counts the message bytes added.
	Bytes int64
}

// add adds the counts of o to sm.
func (sm *Summary) add(o Summary) {
	for s := range Side(2) {
		c, d := sm.side(s), o.side(s)
		c.Copied += d.Copied
		c.FlagsChanged += d.FlagsChanged
		c.Deleted += d.Deleted
		c.Moved += d.Moved
		c.MailboxesCreated += d.MailboxesCreated
		c.MailboxesDeleted += d.MailboxesDeleted
		c.Bytes += d.Bytes
	}
	sm.Conflicts += o.Conflicts
	sm.Skipped = o.Skipped
	sm.Mailboxes = o.Mailboxes
}

// side returns the counts of s.
func (sm *Summary) side(s Side) *SideCounts {
	if s == B {
		return &sm.B
	}
	return &sm.A
}
