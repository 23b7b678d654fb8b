package search

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // charset decoding of text parts
	"golang.org/x/text/unicode/norm"
)

// maxPartDepth bounds how deeply nested multiparts are followed; parts
// below it are not searched.
const maxPartDepth = 32

// errStopWalk ends a walk over the parts early.
var errStopWalk = errors.New("search: stop walking parts")

// bodyText is the searchable text of one message: its decoded text parts,
// case-folded.
type bodyText struct {
	parts []string
}

func (t *bodyText) contains(folded string) bool {
	if folded == "" {
		return true
	}
	for _, p := range t.parts {
		if strings.Contains(p, folded) {
			return true
		}
	}
	return false
}

// BodyContains reports whether the raw message (RFC 5322 bytes) has a text
// part that contains s, ignoring case, as a "body" condition does.
//
// The parts searched are the text/plain and text/html parts (a part
// without Content-Type is text/plain) that are not attachments
// (Content-Disposition: attachment), after undoing their
// Content-Transfer-Encoding (base64, quoted-printable) and converting their
// charset to UTF-8. HTML is searched as decoded markup, tags included.
// Parts with an unknown encoding or charset are searched as they are; if the
// MIME structure is broken, the raw bytes after the header are searched as
// well. Multiparts nested deeper than 32 levels are not searched. An empty s
// matches every message.
func BodyContains(raw []byte, s string) bool {
	return decodeText(raw).contains(fold(s))
}

// decodeText extracts the searchable text of a message. Its memory is
// bounded by a small multiple of len(raw).
func decodeText(raw []byte) *bodyText {
	t := &bodyText{}
	budget := int64(4*len(raw) + 4096)
	ent, err := message.Read(bytes.NewReader(raw))
	if ent == nil {
		// The header itself is broken: search what follows it, if anything.
		t.addRaw(raw)
		return t
	}
	_ = err // unknown charset or encoding: the entity reads undecoded
	werr := ent.Walk(func(path []int, e *message.Entity, _ error) error {
		if len(path) > maxPartDepth {
			return errStopWalk
		}
		if !searchable(e) {
			return nil
		}
		if budget <= 0 {
			return errStopWalk
		}
		b, rerr := io.ReadAll(io.LimitReader(e.Body, budget))
		budget -= int64(len(b))
		t.parts = append(t.parts, foldBytes(b))
		if rerr != nil {
			return errStopWalk
		}
		return nil
	})
	if werr != nil && !errors.Is(werr, errStopWalk) {
		t.addRaw(raw)
	}
	return t
}

// addRaw adds the raw bytes after the header (or the whole message when the
// header does not end) as one more searchable part.
func (t *bodyText) addRaw(raw []byte) {
	if i := bytes.Index(raw, []byte("\n\r\n")); i >= 0 {
		raw = raw[i+3:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		raw = raw[i+2:]
	}
	t.parts = append(t.parts, foldBytes(raw))
}

// foldBytes is fold for a decoded part.
func foldBytes(b []byte) string {
	b = bytes.ToLower(b)
	if !norm.NFC.IsNormal(b) {
		b = norm.NFC.Bytes(b)
	}
	return string(b)
}

// searchable reports whether a part is a text/plain or text/html part that
// is not an attachment.
func searchable(e *message.Entity) bool {
	mt, _, err := e.Header.ContentType()
	if err != nil {
		mt = "text/plain" // RFC 2045 section 5.2: default for an invalid type
	}
	mt = strings.ToLower(mt)
	if mt != "text/plain" && mt != "text/html" {
		return false
	}
	if d, _, err := e.Header.ContentDisposition(); err == nil && strings.EqualFold(d, "attachment") {
		return false
	}
	return true
}
