package compose

import (
	"io"
	"time"

	"github.com/ioemail/ioemail/email"
)

// Message is the content of a message to write. The zero Message is not
// valid: Write needs at least one From address.
type Message struct {
	// From lists the authors (RFC 5322 section 3.6.2); at least one.
	From []email.Address
	// Sender is the agent that sends on the authors' behalf, written only
	// when its Email is set (RFC 5322 section 3.6.2).
	Sender email.Address
	// ReplyTo lists where replies should go, when not to From.
	ReplyTo []email.Address
	// To and Cc list the visible recipients (RFC 5322 section 3.6.3).
	To, Cc []email.Address
	// Bcc lists the blind recipients. Write never writes them: pass
	// Recipients() as email.SendOptions.To (see the package doc).
	Bcc []email.Address
	// Subject is the unstructured subject; non-ASCII text is RFC 2047
	// encoded. Folding keeps it under the line limit, so a run of white
	// space may read back as one space, and a word longer than 998 bytes
	// gets one.
	Subject string
	// Date is the origination date; the zero Time means Options.Clock().
	Date time.Time
	// MessageID is the Message-ID without angle brackets; "" means one
	// made from Options.Entropy and Options.Domain.
	MessageID string
	// InReplyTo and References are the message ids (without angle
	// brackets) of the parent and of the thread (RFC 5322 section 3.6.4).
	// Reply and ReplyAll fill them.
	InReplyTo, References []string
	// Text is the text/plain body, HTML the text/html body, both UTF-8.
	// With both, the message carries them as multipart/alternative
	// (RFC 2046 section 5.1.4), text first; with neither, an empty
	// text/plain body.
	Text, HTML string
	// Attachments follow the body, in order, in a multipart/mixed.
	Attachments []Attachment
}

// Attachment is one attached file or message. Its Body is copied while
// the message is written, through go-message's base64 encoder, so it is
// never held in memory whole.
type Attachment struct {
	// Filename is the file name offered to the recipient (RFC 2183; RFC
	// 2231 encoded when not ASCII); "" offers none.
	Filename string
	// ContentType is the media type with its parameters, such as
	// "application/pdf" or "text/csv; charset=utf-8"; "" means
	// application/octet-stream. A message/rfc822 attachment is copied
	// unencoded (8bit), as RFC 2046 section 5.2.1 requires.
	ContentType string
	// Body is the attachment's content. Write reads it to EOF; it does not
	// close it.
	Body io.Reader
}

// Options is what Write needs from the outside world. Both fields are
// injected so that the package stays free of clocks and randomness.
type Options struct {
	// Clock gives the Date of a Message whose Date is zero (usually
	// time.Now). It may be nil when every Message has a Date.
	Clock func() time.Time
	// Entropy gives the random bytes of generated Message-IDs and of the
	// multipart boundaries (usually crypto/rand.Reader). It may be nil
	// only for a single-part message that has its MessageID.
	Entropy io.Reader
	// Domain is the right side of generated Message-IDs; "" means the
	// domain of the first From address.
	Domain string
}

// Recipients returns the envelope recipients of m: the addresses of To,
// Cc and Bcc, in that order, without duplicates (compared exactly). Pass
// them as email.SendOptions.To so that the blind copies, absent from the
// written header, are delivered.
func (m *Message) Recipients() []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]email.Address{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			if a.Email != "" && !seen[a.Email] {
				seen[a.Email] = true
				out = append(out, a.Email)
			}
		}
	}
	return out
}
