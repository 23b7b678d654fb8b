package header

import (
	"bytes"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// ParseAddressList parses an address list (RFC 5322 section 3.4) leniently
// and returns the mailboxes it names, in order.
//
//   - Groups are flattened: "Team: a@x, b@y;" gives a@x and b@y; the group
//     name is dropped and an empty group gives nothing.
//   - Display names are unquoted and RFC 2047 decoded, also inside quotes
//     (a common sender error); a comment gives the name when there is no
//     phrase ("a@x (Ann)").
//   - Comments and white space inside addresses are removed, a source route
//     ("<@relay:a@x>") is dropped.
//   - Without angle brackets, an entry counts only when it holds an '@'; words
//     before the address ("Ann a@x") become the name. Entries without an
//     address ("Ann", "<>") are skipped.
//   - Unterminated quotes, comments and angle brackets run to the end of the
//     value; a broken entry never spoils its neighbours.
//
// Names and addresses are valid UTF-8 (8-bit UTF-8 kept, other bytes
// replaced). The result is nil when the list names no address.
func ParseAddressList(s string) []email.Address {
	return parseAddressList([]byte(s))
}

// addrWord is one word of an entry: an atom (which may hold '@' and '.') or
// a quoted string.
type addrWord struct {
	raw    []byte // as written, quotes included
	quoted bool
	open   bool // a quoted string with no closing quote
	space  bool // white space or a comment came before it
}

// addrParser holds the entry being read.
type addrParser struct {
	out       []email.Address
	words     []addrWord
	angle     []byte
	haveAngle bool
	comment   []byte
	haveCmt   bool
	scratch   []byte
}

func parseAddressList(v []byte) []email.Address {
	var (
		wordBuf    [8]addrWord
		scratchBuf [256]byte
	)
	p := addrParser{
		words:   wordBuf[:0],
		scratch: scratchBuf[:0],
		out:     make([]email.Address, 0, min(bytes.Count(v, []byte(",")), 64)+1),
	}
	space := false
	i := 0
	for i < len(v) {
		c := v[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			space = true
			i++
		case '(':
			end, inner := skipComment(v, i)
			if !p.haveCmt {
				p.comment, p.haveCmt = inner, true
			}
			space = true
			i = end
		case '"':
			end, closed := skipQuoted(v, i)
			p.words = append(p.words, addrWord{raw: v[i:end], quoted: true, open: !closed, space: space})
			space = false
			i = end
		case '<':
			j := i + 1
			for j < len(v) && v[j] != '>' {
				if v[j] == '"' {
					j, _ = skipQuoted(v, j)
					continue
				}
				j++
			}
			if !p.haveAngle {
				p.angle, p.haveAngle = v[i+1:min(j, len(v))], true
			}
			space = true
			i = j + 1
		case ',', ';':
			p.emit()
			space = false
			i++
		case ':':
			if !p.haveAngle {
				// A group starts: its name is not an address.
				p.reset()
			}
			space = false
			i++
		case '>', ')':
			i++
		default:
			j := i
			for j < len(v) && !isSpace(v[j]) && strings.IndexByte(`"(),:;<>`, v[j]) < 0 {
				j++
			}
			p.words = append(p.words, addrWord{raw: v[i:j], space: space})
			space = false
			i = j
		}
	}
	p.emit()
	if len(p.out) == 0 {
		return nil
	}
	return p.out
}

// skipQuoted returns the index past the quoted string that starts at v[i]
// ('"'), honouring '\' escapes, and whether it is closed; an unterminated
// one runs to the end.
func skipQuoted(v []byte, i int) (end int, closed bool) {
	for j := i + 1; j < len(v); j++ {
		switch v[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(v), false
}

func (p *addrParser) reset() {
	p.words = p.words[:0]
	p.angle, p.haveAngle = nil, false
	p.comment, p.haveCmt = nil, false
}

// emit turns the entry read so far into an address, when it has one.
func (p *addrParser) emit() {
	defer p.reset()
	var addr []byte
	var phrase []addrWord
	if p.haveAngle {
		addr = p.cleanAddr(p.angle)
		phrase = p.words
	} else {
		// The address is the words after the last break: white space
		// between words that is not next to an '@' or '.'.
		b := 0
		for k := 1; k < len(p.words); k++ {
			if p.words[k].space && !joins(p.words[k-1].raw, p.words[k].raw) {
				b = k
			}
		}
		p.scratch = p.scratch[:0]
		for _, w := range p.words[b:] {
			if w.open {
				return // an unterminated quoted string: no address
			}
			p.scratch = append(p.scratch, w.raw...)
		}
		if bytes.IndexByte(p.scratch, '@') < 0 {
			return
		}
		addr = p.scratch
		phrase = p.words[:b]
	}
	if len(addr) == 0 {
		return
	}
	a := email.Address{Email: validString(addr)}
	a.Name = p.phrase(phrase)
	if a.Name == "" && len(p.comment) > 0 {
		a.Name = decodeText(unescape(p.comment))
	}
	p.out = append(p.out, a)
}

// joins reports whether two words separated by white space still belong to
// one addr-spec ("a @ b", "a. b").
func joins(prev, next []byte) bool {
	last, first := prev[len(prev)-1], next[0]
	return last == '@' || last == '.' || first == '@' || first == '.'
}

// cleanAddr removes white space, comments and a source route from the
// content of angle brackets.
func (p *addrParser) cleanAddr(a []byte) []byte {
	p.scratch = p.scratch[:0]
	for i := 0; i < len(a); {
		switch c := a[i]; {
		case isSpace(c):
			i++
		case c == '(':
			i, _ = skipComment(a, i)
		case c == '"':
			end, _ := skipQuoted(a, i)
			p.scratch = append(p.scratch, a[i:end]...)
			i = end
		default:
			p.scratch = append(p.scratch, c)
			i++
		}
	}
	out := p.scratch
	if len(out) > 0 && out[0] == '@' {
		if k := bytes.LastIndexByte(out, ':'); k >= 0 {
			out = out[k+1:]
		}
	}
	return out
}

// phrase joins and decodes the words of a display name.
func (p *addrParser) phrase(words []addrWord) string {
	if len(words) == 0 {
		return ""
	}
	p.scratch = p.scratch[:0]
	for k, w := range words {
		if k > 0 && w.space {
			p.scratch = append(p.scratch, ' ')
		}
		if w.quoted {
			p.scratch = appendUnquoted(p.scratch, w)
		} else {
			p.scratch = append(p.scratch, w.raw...)
		}
	}
	name := trimSpace(p.scratch)
	if len(name) >= 2 && name[0] == '\'' && name[len(name)-1] == '\'' {
		name = trimSpace(name[1 : len(name)-1])
	}
	return decodeText(name)
}

// appendUnquoted appends the content of a quoted string, escapes resolved.
func appendUnquoted(dst []byte, w addrWord) []byte {
	q := w.raw[1:]
	if !w.open {
		q = q[:len(q)-1]
	}
	for i := 0; i < len(q); i++ {
		if q[i] == '\\' && i+1 < len(q) {
			i++
		}
		dst = append(dst, q[i])
	}
	return dst
}

// unescape resolves '\' escapes in a comment's content.
func unescape(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
		}
		out = append(out, b[i])
	}
	return out
}
