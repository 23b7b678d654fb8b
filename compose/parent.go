package compose

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/ioemail/ioemail/email"
)

// Parent is what a reply or a forward takes from the original message.
type Parent struct {
	// MessageID is the parent's Message-ID without angle brackets, "" when
	// it has none.
	MessageID string
	// InReplyTo and References are the parent's own thread fields.
	InReplyTo, References []string
	// Subject is the decoded subject.
	Subject string
	// From, ReplyTo, To and Cc are the parent's decoded address lists.
	From, ReplyTo, To, Cc []email.Address
}

// ReadParent reads the header of the raw message r (RFC 5322), with
// go-message, and returns the fields a reply or forward needs. It reads
// the header and at most a buffer's worth (4 KiB) past it. A header
// longer than MaxParentHeader fails with an error matching
// email.ErrTooLarge; one that go-message cannot read fails with an error
// matching email.ErrProtocol. A field that cannot be parsed is left empty.
func ReadParent(r io.Reader) (Parent, error) {
	th, err := textproto.ReadHeader(bufio.NewReader(&capReader{r: r, n: MaxParentHeader}))
	if errors.Is(err, email.ErrTooLarge) {
		return Parent{}, err
	}
	if err != nil {
		return Parent{}, fmt.Errorf("compose: reading the parent's header: %w: %w", err, email.ErrProtocol)
	}
	h := mail.Header{Header: message.Header{Header: th}}
	var p Parent
	p.MessageID, _ = h.MessageID()
	p.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	p.References, _ = h.MsgIDList("References")
	p.Subject, _ = h.Subject()
	p.From = addressList(h, "From")
	p.ReplyTo = addressList(h, "Reply-To")
	p.To = addressList(h, "To")
	p.Cc = addressList(h, "Cc")
	return p, nil
}

// MaxParentHeader bounds the header ReadParent reads, in bytes.
const MaxParentHeader = 1 << 20

// capReader reads at most n bytes of r, then fails with email.ErrTooLarge
// (where io.LimitReader would end the header early without saying so).
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, fmt.Errorf("compose: parent header over %d bytes: %w", MaxParentHeader, email.ErrTooLarge)
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

func addressList(h mail.Header, key string) []email.Address {
	list, _ := h.AddressList(key)
	var out []email.Address
	for _, a := range list {
		out = append(out, email.Address{Name: a.Name, Email: a.Address})
	}
	return out
}
