package email

import (
	"strings"
	"time"
)

// Envelope is the summary of a message that listings return.
type Envelope struct {
	// ID identifies the message within its mailbox for the backend that
	// listed it (IMAP: the UID, JMAP: the email id, Maildir: the unique part
	// of the file name, m2dir: <checksum>.<nonce>).
	ID string `json:"id"`
	// MessageID is the Message-ID header value without its angle brackets,
	// or "" when the message has none (RFC 5322 section 3.6.4).
	MessageID string `json:"message-id,omitempty"`
	// Flags holds the message's flags in set order.
	Flags Flags `json:"flags"`
	// Subject is the decoded Subject header, "" when absent.
	Subject string `json:"subject"`
	// From lists the decoded From addresses.
	From []Address `json:"from"`
	// To lists the decoded To addresses.
	To []Address `json:"to"`
	// Cc lists the decoded Cc addresses; nil when the header is absent.
	Cc []Address `json:"cc,omitempty"`
	// ReplyTo lists the decoded Reply-To addresses, where replies should
	// go (RFC 5322 section 3.6.2); nil when the header is absent.
	ReplyTo []Address `json:"reply-to,omitempty"`
	// InReplyTo holds the message ids of the In-Reply-To header, without
	// angle brackets, in order (RFC 5322 section 3.6.4); nil when absent.
	InReplyTo []string `json:"in-reply-to,omitempty"`
	// References holds the message ids of the References header, without
	// angle brackets, oldest first (RFC 5322 section 3.6.4); nil when
	// absent. A backend keeps at most 128 ids of each of InReplyTo and
	// References.
	References []string `json:"references,omitempty"`
	// Date is the Date header with its original UTC offset; the zero Time
	// when the header is missing or unparseable. It never comes from the
	// arrival time or a file's modification time.
	Date time.Time `json:"date,omitzero"`
	// Received is when the message arrived in the store: the IMAP
	// INTERNALDATE (RFC 3501 section 2.3.3), the JMAP receivedAt (RFC 8621
	// section 4.1.1), the file's modification time on Maildir and m2dir.
	// The zero Time when the backend did not report it. AddMessage sets it
	// with [WithReceived].
	Received time.Time `json:"received,omitzero"`
	// Size is the size of the raw message in bytes.
	Size int64 `json:"size"`
	// HasAttachment says whether the message carries an attachment, by the
	// rule of the backend that listed it, or nil when it was not computed.
	HasAttachment *bool `json:"has-attachment,omitempty"`
}

// NormalizeMessageID trims white space and one pair of surrounding angle
// brackets from a Message-ID header value.
func NormalizeMessageID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// ListOptions selects the page of a listing.
//
// The default order of every listing is by Date header, newest first;
// messages without a date come last, ties are broken by ID so pages are
// stable.
type ListOptions struct {
	// Page is the 1-based page number; 0 means 1.
	Page int
	// PageSize is the number of envelopes per page; 0 means no paging (every
	// envelope).
	PageSize int
	// WithAttachment asks the backend to compute HasAttachment where that
	// costs extra.
	WithAttachment bool
}

// Window returns the half-open range [start, end) of a list of n items that
// the page covers. It returns an empty range for a page past the end.
func (o ListOptions) Window(n int) (start, end int) {
	if o.PageSize <= 0 {
		return 0, n
	}
	page := max(o.Page, 1)
	start = (page - 1) * o.PageSize
	if start >= n || start < 0 {
		return n, n
	}
	return start, min(start+o.PageSize, n)
}

// ListMailboxesOptions tunes ListMailboxes.
type ListMailboxesOptions struct {
	// WithCounts asks for Total and Unread on every mailbox.
	WithCounts bool
}
