package email

// WatchKind names what a WatchEvent reports.
type WatchKind string

// The watch event kinds.
const (
	// EnvelopeAdded: a message appeared; Envelope is set.
	EnvelopeAdded WatchKind = "envelope-added"
	// EnvelopeRemoved: a message is gone; ID is set.
	EnvelopeRemoved WatchKind = "envelope-removed"
	// FlagsAdded: flags were set on a message; ID and Flags (only the newly
	// set flags) are set.
	FlagsAdded WatchKind = "flags-added"
	// FlagsRemoved: flags were cleared; ID and Flags (only the cleared
	// flags) are set.
	FlagsRemoved WatchKind = "flags-removed"
	// MailboxReset: the backend lost continuity (IMAP UIDVALIDITY changed,
	// the folder was replaced); every id seen before is void and the caller
	// must list again.
	MailboxReset WatchKind = "mailbox-reset"
	// KeepAlive: the transport is alive and nothing changed.
	KeepAlive WatchKind = "keep-alive"
)

// WatchEvent is one change reported while watching a mailbox.
type WatchEvent struct {
	// Kind says what happened and which other fields are set.
	Kind WatchKind `json:"type"`
	// Mailbox is the mailbox argument the watch was started with.
	Mailbox string `json:"mailbox,omitempty"`
	// ID is the message id for removals and flag changes.
	ID string `json:"id,omitempty"`
	// Envelope is the new message for EnvelopeAdded.
	Envelope *Envelope `json:"envelope,omitempty"`
	// Flags are the added or removed flags.
	Flags Flags `json:"flags,omitempty"`
}
