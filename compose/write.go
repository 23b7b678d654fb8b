package compose

import (
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/ioemail/ioemail/email"
)

// Write writes m to w as an Internet message with CRLF line endings: the
// header (From, Sender, Reply-To, To, Cc, Subject, Date, Message-ID,
// In-Reply-To, References, MIME-Version; never Bcc), then the body as
// described on Message. Attachment bodies are streamed to w as they are
// read.
//
// It fails with an error matching email.ErrInvalidArgument when m has no
// From address, a malformed MessageID, message id list entry or
// attachment ContentType, when m has no Date and o no Clock, or when a
// Message-ID or boundary is needed and o has no Entropy; nothing is
// written then. An error from w or from an attachment's Body is returned
// as it is, wrapped with the attachment's index.
func Write(w io.Writer, m *Message, o Options) error {
	for i, a := range m.Attachments {
		if _, _, err := attachmentType(a); err != nil {
			return fmt.Errorf("compose: attachment %d: %w", i, err)
		}
	}
	// go-message writes header fields in the reverse order of their
	// setting: the content fields are set first so that they come last.
	var h message.Header
	var fill func(*message.Writer) error
	var err error
	if len(m.Attachments) == 0 {
		fill, err = prepareBody(&h, m, o)
	} else {
		err = o.setMultipart(&h, "multipart/mixed", "M")
	}
	if err != nil {
		return err
	}
	h.Set("MIME-Version", "1.0")
	if err := m.setFields(&h, o); err != nil {
		return err
	}
	mw, err := message.CreateWriter(w, h)
	if err != nil {
		return err
	}
	if fill != nil {
		return fill(mw)
	}
	var bh message.Header
	if fill, err = prepareBody(&bh, m, o); err != nil {
		return err
	}
	pw, err := mw.CreatePart(bh)
	if err != nil {
		return err
	}
	if err := fill(pw); err != nil {
		return err
	}
	for i, a := range m.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return fmt.Errorf("compose: attachment %d: %w", i, err)
		}
	}
	return mw.Close()
}

// setFields sets the origination, destination, identification and
// subject fields of m on h (RFC 5322 section 3.6), in the reverse of the
// order they are written in.
func (m *Message) setFields(h *message.Header, o Options) error {
	if len(m.From) == 0 {
		return fmt.Errorf("compose: no From address: %w", email.ErrInvalidArgument)
	}
	date := m.Date
	if date.IsZero() {
		if o.Clock == nil {
			return fmt.Errorf("compose: no Date and no Options.Clock: %w", email.ErrInvalidArgument)
		}
		date = o.Clock()
	}
	id := m.MessageID
	if id == "" {
		domain := o.Domain
		if domain == "" {
			domain = m.From[0].Domain()
		}
		tok, err := o.token(16)
		if err != nil {
			return err
		}
		id = tok + "@" + domain
	}
	for _, v := range append(append([]string{id}, m.InReplyTo...), m.References...) {
		if !validMsgID(v) {
			return fmt.Errorf("compose: malformed message id %q: %w", v, email.ErrInvalidArgument)
		}
	}
	mh := mail.Header{Header: *h}
	mh.SetMsgIDList("References", m.References)
	mh.SetMsgIDList("In-Reply-To", m.InReplyTo)
	mh.SetMessageID(id)
	mh.SetDate(date)
	if m.Subject != "" {
		mh.SetSubject(m.Subject)
	}
	mh.SetAddressList("Cc", addrs(m.Cc))
	mh.SetAddressList("To", addrs(m.To))
	mh.SetAddressList("Reply-To", addrs(m.ReplyTo))
	if m.Sender.Email != "" {
		mh.SetAddressList("Sender", addrs([]email.Address{m.Sender}))
	}
	mh.SetAddressList("From", addrs(m.From))
	*h = mh.Header
	return nil
}

// validMsgID reports whether id can stand between angle brackets as an
// msg-id (RFC 5322 section 3.6.4): printable ASCII, no white space, no
// angle brackets, one '@' with text on both sides.
func validMsgID(id string) bool {
	at := strings.LastIndexByte(id, '@')
	if at <= 0 || at == len(id)-1 || strings.Count(id, "@") != 1 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return true
}

func addrs(list []email.Address) []*mail.Address {
	out := make([]*mail.Address, len(list))
	for i, a := range list {
		out[i] = &mail.Address{Name: a.Name, Address: a.Email}
	}
	return out
}

// token returns n bytes of o.Entropy in hex.
func (o Options) token(n int) (string, error) {
	if o.Entropy == nil {
		return "", fmt.Errorf("compose: no Options.Entropy for a Message-ID or boundary: %w", email.ErrInvalidArgument)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(o.Entropy, b); err != nil {
		return "", fmt.Errorf("compose: reading entropy: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// setMultipart gives h the multipart media type mt with a boundary made
// of "=_", tag and random hex from o.Entropy. "=_" never occurs in a
// quoted-printable or base64 body (RFC 2045 section 6.7), and the tag
// keeps a nested boundary distinct from its parent's whatever the entropy.
func (o Options) setMultipart(h *message.Header, mt, tag string) error {
	tok, err := o.token(12)
	if err != nil {
		return err
	}
	h.SetContentType(mt, map[string]string{"boundary": "=_" + tag + tok})
	return nil
}

// prepareBody sets on h the content fields of the entity that holds the
// text of m (a text/plain or text/html part, or a multipart/alternative
// of both), and returns the function that writes its content once the
// entity is created.
func prepareBody(h *message.Header, m *Message, o Options) (func(*message.Writer) error, error) {
	switch {
	case m.HTML == "":
		setText(h, "plain")
		return textFiller(m.Text), nil
	case m.Text == "":
		setText(h, "html")
		return textFiller(m.HTML), nil
	}
	if err := o.setMultipart(h, "multipart/alternative", "A"); err != nil {
		return nil, err
	}
	return func(aw *message.Writer) error {
		for _, p := range [...]struct{ subtype, text string }{{"plain", m.Text}, {"html", m.HTML}} {
			var ph message.Header
			setText(&ph, p.subtype)
			pw, err := aw.CreatePart(ph)
			if err != nil {
				return err
			}
			if err := textFiller(p.text)(pw); err != nil {
				return err
			}
		}
		return aw.Close()
	}, nil
}

// setText sets the fields of a quoted-printable UTF-8 text part.
func setText(h *message.Header, subtype string) {
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	h.SetContentType("text/"+subtype, map[string]string{"charset": "utf-8"})
}

// textFiller returns the function that writes text into a part.
func textFiller(text string) func(*message.Writer) error {
	return func(pw *message.Writer) error {
		if _, err := io.WriteString(pw, text); err != nil {
			return err
		}
		return pw.Close()
	}
}

// attachmentType parses a.ContentType, application/octet-stream when empty.
func attachmentType(a Attachment) (string, map[string]string, error) {
	if a.Body == nil {
		return "", nil, fmt.Errorf("compose: attachment without a Body: %w", email.ErrInvalidArgument)
	}
	if a.ContentType == "" {
		return "application/octet-stream", nil, nil
	}
	mt, params, err := mime.ParseMediaType(a.ContentType)
	if err != nil || strings.HasPrefix(mt, "multipart/") {
		return "", nil, fmt.Errorf("compose: attachment content type %q: %w", a.ContentType, email.ErrInvalidArgument)
	}
	return mt, params, nil
}

// writeAttachment streams one attachment into the multipart/mixed mw.
func writeAttachment(mw *message.Writer, a Attachment) error {
	mt, params, _ := attachmentType(a) // checked by Write
	var h mail.AttachmentHeader
	if mt == "message/rfc822" {
		h.Set("Content-Transfer-Encoding", "8bit")
	} else {
		h.Set("Content-Transfer-Encoding", "base64")
	}
	if a.Filename != "" {
		h.SetFilename(a.Filename)
	} else {
		h.SetContentDisposition("attachment", nil)
	}
	h.SetContentType(mt, params)
	pw, err := mw.CreatePart(h.Header)
	if err != nil {
		return err
	}
	if _, err := io.Copy(pw, a.Body); err != nil {
		return err
	}
	return pw.Close()
}
