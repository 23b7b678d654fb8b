package email

// State is an opaque checkpoint a backend returns from a diff. Store it and
// hand it back unchanged to the next diff of the same mailbox (or mailbox
// list) on the same backend. A nil State asks for a fresh baseline.
type State []byte

// FlagUpdate is the complete new flag set of one message.
type FlagUpdate struct {
	// ID is the message id.
	ID string `json:"id"`
	// Flags is the whole set, not only what changed.
	Flags Flags `json:"flags"`
}

// EnvelopeDiff is the result of DiffEnvelopes: what changed in one mailbox
// since a State.
//
// When FullListRequired is true the caller must list the mailbox again and
// may keep State (when non-nil) as its next checkpoint; the other fields are
// then empty. Otherwise New, Vanished and FlagUpdates are disjoint: a message
// appears in at most one of them.
type EnvelopeDiff struct {
	// FullListRequired is set when the backend cannot say what changed
	// (no or unusable state, UIDVALIDITY change, lost history).
	FullListRequired bool `json:"full-list-required"`
	// State is the checkpoint to pass to the next diff.
	State State `json:"state"`
	// New holds the envelopes of messages that appeared.
	New []Envelope `json:"new,omitempty"`
	// Vanished holds the ids of messages that are gone.
	Vanished []string `json:"vanished,omitempty"`
	// FlagUpdates holds the messages whose flags changed, with their full
	// new flag sets.
	FlagUpdates []FlagUpdate `json:"flag-updates,omitempty"`
}

// Empty reports whether the diff says nothing changed.
func (d EnvelopeDiff) Empty() bool {
	return !d.FullListRequired && len(d.New) == 0 && len(d.Vanished) == 0 && len(d.FlagUpdates) == 0
}

// MailboxDiff is the result of DiffMailboxes: what changed in the mailbox
// list, or in the contents of mailboxes, since a State.
type MailboxDiff struct {
	// FullListRequired is set when the backend cannot say what changed;
	// the caller should list mailboxes again.
	FullListRequired bool `json:"full-list-required"`
	// State is the checkpoint to pass to the next diff.
	State State `json:"state"`
	// Created holds the ids of mailboxes that appeared.
	Created []string `json:"created,omitempty"`
	// Deleted holds the ids of mailboxes that are gone.
	Deleted []string `json:"deleted,omitempty"`
	// Updated holds the ids of mailboxes whose contents or counts changed.
	Updated []string `json:"updated,omitempty"`
}

// Unchanged reports whether nothing changed.
func (d MailboxDiff) Unchanged() bool {
	return !d.FullListRequired && len(d.Created) == 0 && len(d.Deleted) == 0 && len(d.Updated) == 0
}
