// Package header scans the head of an RFC 5322 message quickly: it finds
// where the header ends, walks the fields (unfolded), and decodes the few
// fields an envelope needs. It is the listing path of the local stores and
// is shared by every backend that reads raw messages.
//
// STUB: this first version is a correct but slow placeholder built on
// go-message; it is being replaced by an allocation-light scanner with the
// same API.
package header

import (
	"bytes"
	"time"

	"bufio"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/ioemail/ioemail/email"
)

// Summary is what Scan extracts from a message head.
type Summary struct {
	MessageID     string          // normalised, without angle brackets
	Subject       string          // RFC 2047 decoded
	From, To, Cc  []email.Address // decoded; groups flattened
	Date          time.Time       // zero when missing or unparseable
	HasAttachment bool            // by the rule documented on Scan
	// BodyOffset is the index of the first body byte in the scanned data,
	// or -1 when the end of the header was not within it.
	BodyOffset int
}

// End returns the index just past the blank line that ends the header
// (CRLF CRLF or LF LF), or -1 when data holds no complete header.
func End(data []byte) int {
	if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	if i := bytes.Index(data, []byte("\n\n")); i >= 0 {
		return i + 2
	}
	return -1
}

// Scan extracts the envelope fields from head, which may be a whole message
// or only its first bytes. It never fails: missing or broken fields are left
// empty (best effort).
//
// HasAttachment is true when the top-level Content-Type is multipart/mixed,
// or when the top-level Content-Disposition is attachment.
func Scan(head []byte) Summary {
	s := Summary{BodyOffset: End(head)}
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(head)))
	if err != nil && h.Len() == 0 {
		return s
	}
	mh := mail.Header{Header: message.Header{Header: h}}
	s.MessageID = email.NormalizeMessageID(h.Get("Message-Id"))
	s.Subject, _ = mh.Subject()
	s.From = conv(mh.AddressList("From"))
	s.To = conv(mh.AddressList("To"))
	s.Cc = conv(mh.AddressList("Cc"))
	s.Date, _ = mh.Date()
	return s
}

func conv(l []*mail.Address, _ error) []email.Address {
	out := make([]email.Address, 0, len(l))
	for _, a := range l {
		out = append(out, email.Address{Name: a.Name, Email: a.Address})
	}
	return out
}
