package compose

import (
	"io"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Forward returns a Message from from that forwards the message whose raw
// bytes original gives and whose header p was read from (ReadParent): the
// subject is ForwardSubject of p's, and the original is the first
// attachment, as message/rfc822 (RFC 2046 section 5.2.1) named after its
// subject, copied unchanged while Write runs (only lines over 998 bytes
// are folded, as the 8bit encoding requires). A forward is a new message,
// not a reply (RFC 5322 section 3.6.4), so it carries no In-Reply-To nor
// References; set References from ThreadIDs(p) to keep it in p's thread.
// The caller fills To, Text and HTML.
func Forward(p Parent, original io.Reader, from email.Address) *Message {
	return &Message{
		From:    []email.Address{from},
		Subject: ForwardSubject(p.Subject),
		Attachments: []Attachment{{
			Filename:    attachmentName(p.Subject),
			ContentType: "message/rfc822",
			Body:        original,
		}},
	}
}

// ForwardSubject returns "Fwd: " and subject, without stacking: leading
// "Fwd:" and "Fw:" prefixes already there (any case) are removed first.
// An empty subject gives "Fwd:".
func ForwardSubject(subject string) string {
	s := strings.TrimSpace(subject)
	for {
		t := trimPrefixes(trimPrefixes(s, "fwd:"), "fw:")
		if t == s {
			return strings.TrimSpace("Fwd: " + s)
		}
		s = t
	}
}

// attachmentName makes a file name of a subject: path separators and
// control characters become '_', and ".eml" is appended.
func attachmentName(subject string) string {
	name := strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, strings.TrimSpace(subject))
	if name == "" {
		name = "message"
	}
	return name + ".eml"
}
