package jmap

import (
	"bytes"
	"errors"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// AddMessage returns a machine that stores the raw message in the mailbox
// with id mailboxID with the given flags and ends with the new email id.
// It takes two exchanges: the upload of the bytes as a message/rfc822 blob,
// then Email/import with the mailbox and the flags as keywords (see
// Keyword). The stored bytes are raw as the other backends store it: a
// leading mbox "From " line is dropped and every bare LF becomes CRLF (RFC
// 5322 section 2.1, which Cyrus enforces); see CanonicalMessage.
// [email.WithReceived] sets the import's receivedAt (RFC 8621 section
// 4.8), in whole seconds.
//
// A server that keeps one email per distinct message (Cyrus) answers the
// import of bytes it already holds with alreadyExists and the existing id;
// the machine then adds the mailbox and the keywords to that email in a
// third exchange and ends with its id, as the message is then in the
// mailbox with the flags asked for; that email keeps its own receivedAt.
func AddMessage(s *Session, mailboxID string, raw []byte, flags email.Flags, opts ...email.AddOption) Machine[string] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, string]("", &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	return importBlob(s, mailboxID, Upload(s, "message/rfc822", CanonicalMessage(raw)), flags, opts)
}

// AddMessageStream is AddMessage of the message read from the operation's
// source (see Request.SourceBody) instead of a slice: it is read once and
// uploaded as it is read, through a Canonicalizer (the mbox "From " line
// dropped, bare LF made CRLF, on the stream), so no more than a chunk of
// it is held. More than maxSize canonical bytes (when positive), or more
// than the server's maxSizeUpload, fail with email.ErrTooLarge as they
// pass.
func AddMessageStream(s *Session, mailboxID string, maxSize int64, flags email.Flags, opts ...email.AddOption) Machine[string] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, string]("", &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	up := UploadStream(s, "message/rfc822", maxSize, func() Transform { return new(Canonicalizer) })
	return importBlob(s, mailboxID, up, flags, opts)
}

// ImportMessage returns a machine that imports the uploaded message/rfc822
// blob blobID into the mailbox with id mailboxID with the given flags, as
// the second step of AddMessage (an existing copy of the same bytes
// included), and ends with the email id. A caller that uploads once and
// may import again (after reading a stale mailbox id anew) uses
// UploadStream and ImportMessage in place of AddMessageStream.
func ImportMessage(s *Session, mailboxID, blobID string, flags email.Flags, opts ...email.AddOption) Machine[string] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, string]("", &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	return importBlob(s, mailboxID, coroutine.Done[Response, Request, string](blobID, nil), flags, opts)
}

// importBlob runs upload, then imports the blob it ends with into the
// mailbox, as AddMessage says.
func importBlob(s *Session, mailboxID string, upload Machine[string], flags email.Flags, opts []email.AddOption) Machine[string] {
	o := email.NewAddOptions(opts...)
	return coroutine.Then(upload, func(blobID string) Machine[string] {
		m := map[string]any{
			"blobId":     blobID,
			"mailboxIds": map[string]bool{mailboxID: true},
			"keywords":   keywordMap(flags),
		}
		if !o.Received.IsZero() {
			// UTCDate (RFC 8620 section 1.4), whole seconds.
			m["receivedAt"] = o.Received.UTC().Truncate(time.Second).Format(time.RFC3339)
		}
		imp := Call{Name: "Email/import", ID: "0", Args: map[string]any{
			"accountId": s.AccountID,
			"emails":    map[string]any{"m": m},
		}}
		imported := coroutine.Map(API(s, nil, []Call{imp}), func(r *Responses) (string, error) {
			var sr setResponse
			if err := r.Decode("0", "Email/import", &sr); err != nil {
				return "", err
			}
			if e, ok := sr.NotCreated["m"]; ok && e.Type == "alreadyExists" && e.ExistingID != "" {
				return e.ExistingID, errAlreadyExists
			}
			if err := sr.firstError("Email/import"); err != nil {
				return "", err
			}
			id, ok := sr.createdID("m")
			if !ok {
				return "", protocolError("Email/import did not report the created email")
			}
			return id, nil
		})
		return &importOrLink{inner: imported, s: s, mailboxID: mailboxID, flags: flags}
	})
}

var errAlreadyExists = errors.New("jmap: already exists")

// CanonicalMessage returns raw with a leading mbox "From " line removed
// (through its LF, or to the end when it has none) and every LF not
// preceded by CR turned into CRLF. It returns raw itself when nothing
// changes. Canonicalizer does the same on a stream.
func CanonicalMessage(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		} else {
			raw = raw[len(raw):]
		}
	}
	bare := 0
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			bare++
		}
	}
	if bare == 0 {
		return raw
	}
	out := make([]byte, 0, len(raw)+bare)
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// importOrLink runs an import and, when the email already exists, links it
// to the mailbox instead.
type importOrLink struct {
	inner     Machine[string]
	link      Machine[struct{}]
	s         *Session
	mailboxID string
	flags     email.Flags
	id        string
	err       error
	done      bool
}

func (m *importOrLink) Resume(in Response) (Request, bool) {
	if m.done {
		return Request{}, true
	}
	if m.link == nil {
		req, done := m.inner.Resume(in)
		if !done {
			return req, false
		}
		m.id, m.err = m.inner.Result()
		if m.err != errAlreadyExists {
			m.done = true
			return Request{}, true
		}
		m.err = nil
		p := map[string]any{"mailboxIds/" + pointerEscape(m.mailboxID): true}
		for k := range keywordMap(m.flags) {
			p["keywords/"+pointerEscape(k)] = true
		}
		m.link = updateEmails(m.s, []string{m.id}, func(string) map[string]any { return p })
		in = Response{}
	}
	req, done := m.link.Resume(in)
	if !done {
		return req, false
	}
	_, m.err = m.link.Result()
	m.done = true
	return Request{}, true
}

func (m *importOrLink) Result() (string, error) {
	if !m.done {
		return "", coroutine.ErrNotDone
	}
	if m.err != nil {
		return "", m.err
	}
	return m.id, nil
}
