package wire

import (
	"bytes"
	"strings"
)

// maxDepth bounds the nesting of parenthesised lists.
const maxDepth = 100

// parser walks one complete response. Every method reports failure through
// p.err (the first error sticks) so callers can chain calls and check once.
type parser struct {
	b     []byte
	i     int
	err   error
	depth int
	// s is a string copy of b[base:base+len(s)], made once for a value
	// with many small strings (an ENVELOPE), so that they are substrings
	// of one allocation instead of one allocation each.
	s    string
	base int
}

// str returns the bytes b[start:end] as a string, from p.s when it covers
// them.
func (p *parser) str(start, end int) string {
	if start >= p.base && end <= p.base+len(p.s) {
		return p.s[start-p.base : end-p.base]
	}
	return string(p.b[start:end])
}

// nstrS reads an nstring as a string; ok is false for NIL.
func (p *parser) nstrS() (string, bool) {
	switch p.lead() {
	case '"':
		start := p.i + 1
		v := p.quoted()
		if p.err != nil {
			return "", false
		}
		if p.i-1-start == len(v) {
			return p.str(start, p.i-1), true
		}
		return string(v), true
	case '{', '~':
		v := p.literal()
		if p.err != nil {
			return "", false
		}
		return p.str(p.i-len(v), p.i), true
	}
	if p.nil_() {
		return "", false
	}
	start := p.i
	p.atom()
	return p.str(start, p.i), true
}

func (p *parser) fail(reason string) {
	if p.err == nil {
		p.err = &SyntaxError{Offset: p.i, Reason: reason}
	}
}

func (p *parser) eof() bool { return p.i >= len(p.b) }

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

// atEnd reports whether only the line end (CRLF or LF) remains.
func (p *parser) atEnd() bool {
	return p.i >= len(p.b) || p.b[p.i] == '\r' || p.b[p.i] == '\n'
}

func (p *parser) accept(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(c byte) {
	if !p.accept(c) {
		p.fail("expected " + strconvQuoteByte(c))
	}
}

func strconvQuoteByte(c byte) string { return "'" + string(rune(c)) + "'" }

// sp accepts one or more spaces (servers sometimes send two).
func (p *parser) sp() bool {
	if !p.accept(' ') {
		return false
	}
	for p.accept(' ') {
	}
	return true
}

func (p *parser) expectSP() {
	if !p.sp() {
		p.fail("expected a space")
	}
}

// skipSpaces skips spaces, if any.
func (p *parser) skipSpaces() {
	for p.accept(' ') {
	}
}

func isAtomChar(c byte) bool {
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return c > 0x20 && c < 0x7f
}

// atom reads an atom; special characters allowed by callers come in extra.
func (p *parser) atomWith(extra string) []byte {
	s := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if isAtomChar(c) || (c >= 0x80) || (c != ' ' && c > 0x20 && strings.IndexByte(extra, c) >= 0) {
			p.i++
			continue
		}
		break
	}
	if s == p.i {
		p.fail("expected an atom")
	}
	return p.b[s:p.i]
}

func (p *parser) atom() []byte { return p.atomWith("") }

// number reads an unsigned decimal number of up to 64 bits. A leading '-'
// (seen from broken servers as "-1") reads as 0.
func (p *parser) number() uint64 {
	if p.accept('-') {
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		return 0
	}
	s := p.i
	var n uint64
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		d := uint64(p.b[p.i] - '0')
		if n > (^uint64(0)-d)/10 {
			p.fail("number overflows")
			return 0
		}
		n = n*10 + d
		p.i++
	}
	if s == p.i {
		p.fail("expected a number")
	}
	return n
}

func (p *parser) number32() uint32 {
	n := p.number()
	if n > 0xffffffff {
		p.fail("number overflows 32 bits")
		return 0
	}
	return uint32(n)
}

// lead is the byte that decides how a value is read: peek, except that a
// '~' not followed by '{' begins an atom (the mailbox "~user"), not a
// literal8 (RFC 9051 section 4.3).
func (p *parser) lead() byte {
	c := p.peek()
	if c == '~' && (p.i+1 >= len(p.b) || p.b[p.i+1] != '{') {
		return 'a'
	}
	return c
}

// literal reads "{n}" CRLF and n bytes (or "~{n}" for literal8).
func (p *parser) literal() []byte {
	p.accept('~')
	p.expect('{')
	n := p.number()
	p.accept('+')
	p.expect('}')
	p.accept('\r')
	p.expect('\n')
	if p.err != nil {
		return nil
	}
	if n > uint64(len(p.b)-p.i) {
		p.fail("literal longer than the response")
		return nil
	}
	v := p.b[p.i : p.i+int(n)]
	p.i += int(n)
	return v
}

// quoted reads a quoted string, unescaping \" and \\. The result aliases
// the response when there are no escapes.
func (p *parser) quoted() []byte {
	p.expect('"')
	s := p.i
	// Fast path: no escape and no line end before the closing quote.
	if p.err == nil {
		if q := bytes.IndexByte(p.b[s:], '"'); q >= 0 {
			if v := p.b[s : s+q]; bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '\n') < 0 && bytes.IndexByte(v, '\r') < 0 {
				p.i = s + q + 1
				return v
			}
		}
	}
	var out []byte
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch c {
		case '"':
			v := p.b[s:p.i]
			p.i++
			if out != nil {
				return out
			}
			return v
		case '\\':
			if out == nil {
				out = append([]byte(nil), p.b[s:p.i]...)
			}
			p.i++
			if p.i < len(p.b) {
				out = append(out, p.b[p.i])
				p.i++
			}
			continue
		case '\r', '\n':
			p.fail("line end inside a quoted string")
			return nil
		}
		if out != nil {
			out = append(out, c)
		}
		p.i++
	}
	p.fail("unterminated quoted string")
	return nil
}

// isNIL reports whether NIL comes next (case-insensitively) and consumes it.
func (p *parser) nil_() bool {
	if p.i+3 <= len(p.b) && (p.b[p.i]|0x20) == 'n' && (p.b[p.i+1]|0x20) == 'i' && (p.b[p.i+2]|0x20) == 'l' {
		if p.i+3 == len(p.b) || !isAtomChar(p.b[p.i+3]) {
			p.i += 3
			return true
		}
	}
	return false
}

// nstring reads a quoted string, a literal or NIL (nil result, ok).
func (p *parser) nstring() ([]byte, bool) {
	switch p.lead() {
	case '"':
		return p.quoted(), true
	case '{', '~':
		return p.literal(), true
	}
	if p.nil_() {
		return nil, false
	}
	// Tolerate a bare atom where a string belongs (seen in the wild).
	return p.atom(), true
}

// astring reads an atom (with ']' allowed), a quoted string or a literal.
func (p *parser) astring() []byte {
	switch p.lead() {
	case '"':
		return p.quoted()
	case '{', '~':
		return p.literal()
	}
	return p.atomWith("]")
}

func (p *parser) nstr() string {
	b, _ := p.nstring()
	return string(b)
}

// skipValue skips one value of any shape: a list, a string, a literal, or
// an atom-like token (which may carry a [section] and <partial>).
func (p *parser) skipValue() {
	switch p.lead() {
	case '(':
		p.skipList()
	case '"':
		p.quoted()
	case '{', '~':
		p.literal()
	default:
		s := p.i
		for p.i < len(p.b) {
			c := p.b[p.i]
			if c == ' ' || c == ')' || c == '\r' || c == '\n' {
				break
			}
			if c == '[' {
				for p.i < len(p.b) && p.b[p.i] != ']' && p.b[p.i] != '\n' {
					p.i++
				}
				if p.i == len(p.b) || p.b[p.i] == '\n' {
					break // unterminated section: stop at the line end
				}
			}
			p.i++
		}
		if s == p.i {
			p.fail("expected a value")
		}
	}
}

func (p *parser) skipList() {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		p.fail("lists nested too deep")
		return
	}
	p.expect('(')
	for p.err == nil {
		p.skipSpaces()
		if p.accept(')') {
			return
		}
		if p.atEnd() {
			p.fail("unterminated list")
			return
		}
		p.skipValue()
	}
}

// rest returns the remaining text up to the line end.
func (p *parser) rest() []byte {
	s := p.i
	for p.i < len(p.b) && p.b[p.i] != '\r' && p.b[p.i] != '\n' {
		p.i++
	}
	return p.b[s:p.i]
}

// upper returns an ASCII upper-case copy of b as a string, without
// allocating for the common keywords.
func upper(b []byte) string {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return strings.ToUpper(string(b))
		}
	}
	return keyword(b)
}

var keywords = map[string]string{}

func init() {
	for _, k := range []string{"OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY", "LIST", "LSUB", "STATUS", "FLAGS",
		"SEARCH", "ESEARCH", "SORT", "ENABLED", "ID", "EXISTS", "RECENT", "EXPUNGE", "FETCH", "VANISHED",
		"UID", "ENVELOPE", "RFC822.SIZE", "INTERNALDATE", "MODSEQ", "BODY", "BODYSTRUCTURE", "BINARY",
		"UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ", "PERMANENTFLAGS", "APPENDUID", "COPYUID", "CLOSED",
		"UNSEEN", "MESSAGES", "READ-WRITE", "READ-ONLY", "TRYCREATE", "NONEXISTENT", "ALREADYEXISTS",
		"NOMODSEQ", "ALERT", "EARLIER", "ALL", "MIN", "MAX", "COUNT", "RFC822", "RFC822.HEADER", "RFC822.TEXT",
		"NAMESPACE", "SIZE", "DELETED", "AUTHENTICATIONFAILED", "CANNOT", "LIMIT", "SERVERBUG", "CLIENTBUG"} {
		keywords[k] = k
	}
}

func keyword(b []byte) string {
	if k, ok := keywords[string(b)]; ok {
		return k
	}
	return string(b)
}
