package wire

import (
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/internal/header"
)

// fetch reads the "(item value ...)" list of a FETCH response (RFC 3501
// section 7.4.2, RFC 7162). An item that does not decode is recorded in
// Errs and skipped; the other items are kept.
func (p *parser) fetch(seq uint32) *Fetch {
	f := &Fetch{Seq: seq}
	p.expect('(')
	for p.err == nil {
		p.skipSpaces()
		if p.accept(')') {
			return f
		}
		if p.atEnd() {
			p.fail("unterminated FETCH list")
			break
		}
		start := p.i
		name := p.fetchName()
		if p.err != nil {
			break
		}
		p.fetchItem(f, name)
		if p.err != nil {
			// Isolate the bad item: record it and skip a value of any shape.
			f.Errs = append(f.Errs, &ItemError{Item: itemKey(name), Err: p.err})
			p.err = nil
			p.i = start
			p.fetchName()
			p.skipSpaces()
			if p.atEnd() {
				return f
			}
			p.skipValue()
			if p.err != nil {
				f.Errs = append(f.Errs, &ItemError{Item: itemKey(name), Err: p.err})
				p.err = nil
				return f
			}
		}
	}
	if f.UID != 0 || len(f.Errs) > 0 {
		// Keep what was decoded: a broken tail does not lose the message.
		if p.err != nil {
			f.Errs = append(f.Errs, &ItemError{Err: p.err})
			p.err = nil
		}
		p.rest()
		return f
	}
	return nil
}

// ItemError is one FETCH item that did not decode (in Fetch.Errs).
type ItemError struct {
	// Item is the item's name without its section ("ENVELOPE", "FLAGS",
	// "BODY[]"), "" when the list broke between items.
	Item string
	// Err is the syntax error.
	Err error
}

// Error implements error.
func (e *ItemError) Error() string {
	if e.Item == "" {
		return "FETCH data: " + e.Err.Error()
	}
	return "FETCH item " + e.Item + ": " + e.Err.Error()
}

// Unwrap returns the syntax error.
func (e *ItemError) Unwrap() error { return e.Err }

// itemKey shortens "BODY[HEADER.FIELDS (DATE)]<0>" to "BODY[]".
func itemKey(name string) string {
	if i := strings.IndexByte(name, '['); i >= 0 {
		return name[:i] + "[]"
	}
	return name
}

// fetchName reads a FETCH item name, with its [section] (which may hold
// spaces) and <partial>.
func (p *parser) fetchName() string {
	s := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '[' {
			for p.i < len(p.b) && p.b[p.i] != ']' && p.b[p.i] != '\n' {
				p.i++
			}
			if p.i < len(p.b) && p.b[p.i] == ']' {
				p.i++
			}
			continue
		}
		if !isAtomChar(c) {
			break
		}
		p.i++
	}
	if s == p.i {
		p.fail("expected a FETCH item")
		return ""
	}
	return upper(p.b[s:p.i])
}

func (p *parser) fetchItem(f *Fetch, name string) {
	p.expectSP()
	switch name {
	case "UID":
		f.UID = imap.UID(p.number32())
	case "FLAGS":
		f.Flags = p.flagList()
		f.HasFlags = true
	case "RFC822.SIZE":
		f.Size = int64(p.number())
		f.HasSize = true
	case "INTERNALDATE":
		f.InternalDate = p.nstr()
	case "MODSEQ":
		p.expect('(')
		f.ModSeq = p.number()
		p.expect(')')
	case "ENVELOPE":
		// The envelope's strings all slice one copy of its bytes. When
		// the rest of the response is small (a listing: the envelope and
		// a few bytes), copy it at once; otherwise find the envelope's
		// end first so that a large body item after it is not copied.
		start := p.i
		if len(p.b)-start <= maxEnvelopeTail {
			p.s, p.base = string(p.b[start:]), start
		} else {
			p.skipValue()
			if p.err != nil {
				return
			}
			p.s, p.base = string(p.b[start:p.i]), start
			p.i = start
		}
		f.Envelope = p.envelope()
		p.s = ""
	case "BODYSTRUCTURE", "BODY":
		f.BodyStructure = p.body()
	case "RFC822", "RFC822.HEADER", "RFC822.TEXT":
		data, _ := p.nstring()
		sec := strings.TrimPrefix(name, "RFC822")
		sec = strings.TrimPrefix(sec, ".")
		f.Sections = append(f.Sections, BodySection{Section: sec, Partial: -1, Data: data})
	default:
		if sec, partial, binary, ok := sectionName(name); ok {
			data, _ := p.nstring()
			f.Sections = append(f.Sections, BodySection{Section: sec, Partial: partial, Data: data, Binary: binary})
			return
		}
		// Unknown items (X-GM-LABELS, PREVIEW, EMAILID...) are skipped.
		p.skipValue()
	}
}

// maxEnvelopeTail bounds the bytes copied with an envelope when the rest
// of its response is copied whole.
const maxEnvelopeTail = 16 << 10

// sectionName splits "BODY[1.HEADER]<0>" into its parts.
func sectionName(name string) (sec string, partial int64, binary, ok bool) {
	partial = -1
	var rest string
	switch {
	case strings.HasPrefix(name, "BODY["):
		rest = name[5:]
	case strings.HasPrefix(name, "BINARY["):
		rest, binary = name[7:], true
	default:
		return "", 0, false, false
	}
	i := strings.IndexByte(rest, ']')
	if i < 0 {
		return "", 0, false, false
	}
	sec, rest = rest[:i], rest[i+1:]
	if len(rest) > 2 && rest[0] == '<' && rest[len(rest)-1] == '>' {
		var n int64
		for _, c := range rest[1 : len(rest)-1] {
			if c < '0' || c > '9' || n > 1<<50 {
				return "", 0, false, false
			}
			n = n*10 + int64(c-'0')
		}
		partial = n
	}
	return sec, partial, binary, true
}

// decodeWords decodes RFC 2047 words in envelope subjects and names with
// the header scanner's decoder: every charset go-message knows, words
// split inside a character joined, a word that does not decode kept as it
// is, and always valid UTF-8.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	return header.DecodeWords(s)
}

// envelope reads an ENVELOPE (RFC 3501 section 7.4.2). Address lists
// spelled exactly as the one before them (Sender and Reply-To usually
// repeat From) share its slice.
func (p *parser) envelope() *imap.Envelope {
	if p.nil_() {
		return nil
	}
	p.expect('(')
	e := &imap.Envelope{}
	date, _ := p.nstrS()
	e.Date = ParseDate(date)
	p.expectSP()
	subj, _ := p.nstrS()
	e.Subject = decodeWords(subj)
	var prev []imap.Address
	prevStart, prevEnd := -1, -1
	for _, dst := range []*[]imap.Address{&e.From, &e.Sender, &e.ReplyTo, &e.To, &e.Cc, &e.Bcc} {
		p.expectSP()
		if p.err != nil {
			return nil
		}
		start := p.i
		if prevStart >= 0 && prevEnd > prevStart && p.i+(prevEnd-prevStart) <= len(p.b) && string(p.b[p.i:p.i+prevEnd-prevStart]) == string(p.b[prevStart:prevEnd]) &&
			p.b[prevStart] == '(' {
			p.i += prevEnd - prevStart
			*dst = prev
		} else {
			*dst = p.addrList()
		}
		prev, prevStart, prevEnd = *dst, start, p.i
	}
	p.expectSP()
	if irt, ok := p.nstrS(); ok && len(irt) > 0 {
		for _, id := range strings.Fields(irt) {
			e.InReplyTo = append(e.InReplyTo, strings.Trim(id, "<>"))
		}
	}
	p.expectSP()
	mid, _ := p.nstrS()
	e.MessageID = strings.TrimSpace(strings.Trim(strings.TrimSpace(mid), "<>"))
	p.skipSpaces()
	p.expect(')')
	if p.err != nil {
		return nil
	}
	return e
}

func (p *parser) addrList() []imap.Address {
	if p.nil_() {
		return nil
	}
	p.expect('(')
	var out []imap.Address
	for p.err == nil {
		p.skipSpaces() // quirk: spaces between addresses
		if p.accept(')') {
			return out
		}
		if p.atEnd() {
			p.fail("unterminated address list")
			return nil
		}
		p.expect('(')
		name, _ := p.nstrS()
		p.expectSP()
		p.nstrS() // adl
		p.expectSP()
		mbox, _ := p.nstrS()
		p.expectSP()
		host, _ := p.nstrS()
		p.skipSpaces()
		p.expect(')')
		if out == nil {
			out = make([]imap.Address, 0, 2)
		}
		if len(out) < 1000 {
			out = append(out, imap.Address{Name: decodeWords(name), Mailbox: mbox, Host: host})
		}
	}
	return nil
}

// ParseDateTime parses an IMAP date-time ("17-Jul-1996 02:44:25 -0700",
// RFC 3501 section 9); it returns the zero Time when s does not parse,
// including a zone whose minutes are 60 or more (time.Parse takes "+2460"
// as an offset of 25 hours, which no date-time can spell back).
func ParseDateTime(s string) time.Time {
	t, err := time.Parse("_2-Jan-2006 15:04:05 -0700", s)
	if err != nil || len(s) < 2 || s[len(s)-2] >= '6' {
		return time.Time{}
	}
	return t
}

// ParseBodyHead parses the head of a FETCH response whose BODY[] literal
// is being streamed (a Part of kind PartBody): the items before BODY[]
// (the sequence number, and the UID when the server sent it first). It
// returns a *SyntaxError when the head is not the start of a FETCH
// response.
func ParseBodyHead(head []byte) (*Fetch, error) {
	b := make([]byte, 0, len(head)+3)
	b = append(append(b, head...), ")\r\n"...)
	resp, err := Parse(b)
	if err != nil {
		return nil, err
	}
	if resp.Kind != KindFetch || resp.Fetch == nil {
		return nil, &SyntaxError{Reason: "a streamed BODY[] outside a FETCH response"}
	}
	return resp.Fetch, nil
}
