package search

import (
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// HeaderFields names the header fields the matcher and the sorter read,
// besides the flags: what a network backend fetches for each candidate
// (IMAP FETCH BODY.PEEK[HEADER.FIELDS (...)], JMAP Email/get
// "header:NAME" properties) to evaluate a query exactly with
// EnvelopeFromHeader and MatchWith.
var HeaderFields = []string{"From", "To", "Subject", "Date", "Message-ID"}

// EnvelopeFromHeader parses a message header exactly as the local stores
// do when they list envelopes, and returns the envelope fields the matcher
// and the sorter use, and those every listing shows: MessageID, Subject,
// From, To, Cc, ReplyTo, InReplyTo, References and Date (zero when missing
// or unparseable). ID, Flags, Size, Received and HasAttachment are left
// for the caller to fill.
//
// head may be a whole message, its header alone, or only some of its
// fields as "Name: value" lines (CRLF or LF, folded or not), such as the
// answer to FETCH BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE
// MESSAGE-ID)], or JMAP raw header values (RFC 8621 section 4.1.2.1,
// "header:From:asRaw") written back as "From:" + value + "\r\n". When a
// field occurs more than once, the first one counts. It never fails.
func EnvelopeFromHeader(head []byte) email.Envelope {
	return header.Scan(head).Envelope()
}
