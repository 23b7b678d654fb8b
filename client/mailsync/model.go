package mailsync

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/ioemail/ioemail/email"
)

// Msg is one message as one side sees it: what the planner needs of an
// envelope.
type Msg struct {
	// ID is the backend's id of the message in its mailbox.
	ID string `json:"i"`
	// MessageID is the normalized Message-ID header, "" when absent.
	MessageID string `json:"m,omitempty"`
	// Size is the raw size in bytes.
	Size int64 `json:"s"`
	// Date is the Date header in Unix seconds, kept (with Subject) only
	// for a message without a Message-ID, which they identify.
	Date int64 `json:"d,omitempty"`
	// Subject is the Subject header, kept only as Date is.
	Subject string `json:"u,omitempty"`
	// Flags is the message's flag set.
	Flags flagList `json:"f,omitempty"`
	// Received is the arrival time in Unix seconds, 0 when unknown.
	Received int64 `json:"r,omitempty"`
}

// msgOf reduces an envelope to a Msg.
func msgOf(e email.Envelope) Msg {
	m := Msg{ID: e.ID, MessageID: email.NormalizeMessageID(e.MessageID), Size: e.Size, Flags: flagList(email.NewFlags(e.Flags...))}
	if m.MessageID == "" {
		m.Subject = e.Subject
		if !e.Date.IsZero() {
			m.Date = e.Date.Unix()
		}
	}
	if !e.Received.IsZero() {
		m.Received = e.Received.Unix()
	}
	return m
}

// key identifies the message across the sides and across mailboxes: its
// Message-ID, or for a message without one its size, date and subject.
func (m Msg) key() string {
	if m.MessageID != "" {
		return "m:" + m.MessageID
	}
	return "n:" + strconv.FormatInt(m.Size, 10) + ":" + strconv.FormatInt(m.Date, 10) + ":" + m.Subject
}

// receivedTime returns Received as a time, zero when unknown.
func (m Msg) receivedTime() time.Time {
	if m.Received == 0 {
		return time.Time{}
	}
	return time.Unix(m.Received, 0)
}

// flagList is a flag set that encodes as its raw spellings.
type flagList email.Flags

// MarshalJSON encodes the raw spellings.
func (f flagList) MarshalJSON() ([]byte, error) { return json.Marshal(email.Flags(f).Raw()) }

// UnmarshalJSON decodes raw spellings and classifies them again.
func (f *flagList) UnmarshalJSON(b []byte) error {
	var raw []string
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*f = flagList(email.ParseFlags(raw...))
	return nil
}

// has reports whether the set holds a flag of key k (email.Flag.Key).
func (f flagList) has(k string) bool {
	for _, g := range f {
		if g.Key() == k {
			return true
		}
	}
	return false
}

// String lists the raw spellings, for logs and test failures.
func (f flagList) String() string { return strings.Join(email.Flags(f).Raw(), " ") }

// Pair is two messages, one on each side, known to be the same message.
type Pair struct {
	// ID holds the message's id on each side. An empty id with Gone unset
	// is not known yet (an upload whose id the backend did not return): it
	// is found again by Message-ID and size on the next run.
	ID [2]string `json:"id"`
	// Gone marks a side where the message was deleted and, the sync being
	// one way, the deletion is not propagated: the pair is kept so that the
	// message is not copied again.
	Gone [2]bool `json:"gone,omitempty"`
	// Base holds the flags each side had when last in sync.
	Base [2]flagList `json:"base"`
	// Known says whether Base of a side is what the side was seen to
	// hold; after the engine changed the side's flags it is unset, and the
	// next run takes what it sees there as the base.
	Known [2]bool `json:"known"`
	// MessageID identifies the message, as Msg.MessageID.
	MessageID string `json:"m,omitempty"`
	// Size is the message's size on the side it was first seen.
	Size int64 `json:"s"`
	// Date identifies a message without a Message-ID, as Msg.Date.
	Date int64 `json:"d,omitempty"`
	// Subject identifies a message without a Message-ID, as Msg.Subject.
	Subject string `json:"u,omitempty"`
}

// key is the identity of the paired message (Msg.key).
func (p Pair) key() string {
	return Msg{MessageID: p.MessageID, Size: p.Size, Date: p.Date, Subject: p.Subject}.key()
}

// pairOf returns a pair for m with no ids yet.
func pairOf(m Msg) Pair {
	return Pair{MessageID: m.MessageID, Size: m.Size, Date: m.Date, Subject: m.Subject}
}
