package header

import (
	"bytes"

	"github.com/ioemail/ioemail/email"
)

// ParseAddressList parses an address list (RFC 5322 section 3.4) leniently
// and returns the entries it names, in order. No entry's text is lost: an
// entry that is not a valid mailbox still gives an email.Address holding
// its decoded text.
//
//   - Groups are flattened: "Team: a@x, b@y;" gives a@x and b@y, the group
//     name is dropped. An empty group gives one address whose Name is the
//     group name and whose Email is empty ("undisclosed-recipients:;").
//   - Display names are unquoted and RFC 2047 decoded, also inside quotes
//     (a common sender error); a comment, decoded, gives the name when
//     there is no phrase ("a@x (Ann)"); a comment beside a phrase is
//     dropped.
//   - Comments and white space inside addresses are removed, a source route
//     ("<@relay:a@x>") is dropped.
//   - Without angle brackets, the words after the last break form the
//     address when they hold an '@'; words before it ("Ann a@x") become the
//     name.
//   - An entry without an '@' outside angle brackets keeps its text as the
//     name and an empty Email: "Ann", a bare encoded word "=?koi8-r?B?...?="
//     (decoded), "Ann <>". One best-effort repair: "local at domain.tld"
//     (three words, the middle one "at", a dot in the last) gives the Email
//     local@domain.tld, the name coming from a comment as above
//     ("vondruch at redhat.com (Vít Ondruch)"). An entry with no text at
//     all ("<>", ",,") gives nothing.
//   - Unterminated quotes, comments and angle brackets run to the end of the
//     value; a broken entry never spoils its neighbours.
//
// Names and addresses are valid UTF-8 (8-bit UTF-8 kept, other bytes
// replaced). The result is nil when the list names nothing.
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

// addrSpan locates one address written in an arena: the name is
// arena[name[0]:name[1]], the address arena[email[0]:email[1]].
type addrSpan struct {
	name, email [2]int
}

// addrParser holds the entry being read; what it emits goes to sc.
type addrParser struct {
	sc        *scratch
	v         []byte // the list; words are its subslices
	angle     []byte
	haveAngle bool
	comment   []byte
	haveCmt   bool
	// The group being read: its decoded name and the number of spans
	// before its first member.
	inGroup    bool
	groupName  []byte
	groupStart int
}

// atomStop marks the bytes that end an atom in an address list: white
// space and the specials that matter here.
var atomStop = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n\"(),:;<>") {
		t[c] = true
	}
	return t
}()

func parseAddressList(v []byte) []email.Address {
	sc := getScratch()
	defer putScratch(sc)
	appendAddressList(sc, v)
	if len(sc.spans) == 0 {
		return nil
	}
	str := string(sc.arena)
	out := make([]email.Address, len(sc.spans))
	for i, sp := range sc.spans {
		out[i] = sp.address(str)
	}
	return out
}

// address returns the address sp locates in str.
func (sp addrSpan) address(str string) email.Address {
	return email.Address{Name: str[sp.name[0]:sp.name[1]], Email: str[sp.email[0]:sp.email[1]]}
}

// appendAddressList parses the address list v, writes each name and address
// to sc.arena and appends their spans to sc.spans.
func appendAddressList(sc *scratch, v []byte) {
	p := addrParser{sc: sc, v: v}
	sc.words = sc.words[:0]
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
			p.sc.words = append(p.sc.words, addrWord{raw: v[i:end], quoted: true, open: !closed, space: space})
			space = false
			i = end
		case '<':
			j := angleEnd(v, i+1)
			if !p.haveAngle {
				p.angle, p.haveAngle = v[i+1:min(j, len(v))], true
			}
			space = true
			i = j + 1
		case ',':
			p.emit()
			space = false
			i++
		case ';':
			p.emit()
			p.endGroup()
			space = false
			i++
		case ':':
			if !p.haveAngle {
				// A group starts: its name is not an address, but an
				// empty group is listed by its name.
				p.endGroup()
				p.inGroup, p.groupStart = true, len(p.sc.spans)
				p.groupName = p.appendPhrase(p.groupName[:0], p.sc.words)
				p.reset()
			}
			space = false
			i++
		case '>', ')':
			i++
		default:
			j := i
			for j < len(v) && !atomStop[v[j]] {
				j++
			}
			p.sc.words = append(p.sc.words, addrWord{raw: v[i:j], space: space})
			space = false
			i = j
		}
	}
	p.emit()
	p.endGroup()
	clear(sc.words) // they point into v
}

// angleEnd returns the index of the '>' that closes an angle-addr whose
// content starts at v[i], quoted strings skipped, or len(v) when none does.
func angleEnd(v []byte, i int) int {
	k := bytes.IndexByte(v[i:], '>')
	if k >= 0 && !slowPaths && bytes.IndexByte(v[i:i+k], '"') < 0 {
		return i + k // the common case: no quoted string inside
	}
	j := i
	for j < len(v) && v[j] != '>' {
		if v[j] == '"' {
			j, _ = skipQuoted(v, j)
			continue
		}
		j++
	}
	return j
}

// endGroup ends the group being read, if any: a group without members
// gives an address holding its name.
func (p *addrParser) endGroup() {
	if !p.inGroup {
		return
	}
	p.inGroup = false
	if len(p.sc.spans) > p.groupStart || len(p.groupName) == 0 {
		return
	}
	var sp addrSpan
	sp.email[0], sp.email[1] = len(p.sc.arena), len(p.sc.arena)
	sp.name[0] = len(p.sc.arena)
	p.sc.arena = append(p.sc.arena, p.groupName...)
	sp.name[1] = len(p.sc.arena)
	p.sc.spans = append(p.sc.spans, sp)
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
	p.sc.words = p.sc.words[:0]
	p.angle, p.haveAngle = nil, false
	p.comment, p.haveCmt = nil, false
}

// emit turns the entry read so far into an address, when it has any text.
func (p *addrParser) emit() {
	defer p.reset()
	var addr []byte
	var phrase []addrWord
	if p.haveAngle {
		addr = p.cleanAddr(p.angle)
		phrase = p.sc.words
	} else {
		// The address is the words after the last break: white space
		// between words that is not next to an '@' or '.'.
		b := 0
		for k := 1; k < len(p.sc.words); k++ {
			if p.sc.words[k].space && !joins(p.sc.words[k-1].raw, p.sc.words[k].raw) {
				b = k
			}
		}
		p.sc.tmp = p.sc.tmp[:0]
		open := false
		for _, w := range p.sc.words[b:] {
			open = open || w.open
			p.sc.tmp = append(p.sc.tmp, w.raw...)
		}
		switch {
		case !open && bytes.IndexByte(p.sc.tmp, '@') >= 0:
			addr = p.sc.tmp
			phrase = p.sc.words[:b]
		case spelledAt(p.sc.words):
			// "local at domain.tld": the best-effort addr-spec.
			w := p.sc.words
			p.sc.tmp = append(append(append(p.sc.tmp[:0], w[0].raw...), '@'), w[2].raw...)
			addr = p.sc.tmp
		default:
			// No address: the whole entry is display text.
			phrase = p.sc.words
		}
	}
	if len(addr) == 0 && len(phrase) == 0 && len(p.comment) == 0 {
		return
	}
	var sp addrSpan
	sp.email[0] = len(p.sc.arena)
	p.sc.arena = appendValid(p.sc.arena, addr)
	sp.email[1] = len(p.sc.arena)
	// addr may alias scratch, which appendPhrase reuses: it is written out
	// first.
	sp.name[0] = len(p.sc.arena)
	p.sc.arena = p.appendPhrase(p.sc.arena, phrase)
	if len(p.sc.arena) == sp.name[0] && len(p.comment) > 0 {
		p.sc.arena = appendText(p.sc.arena, unescape(p.comment))
	}
	sp.name[1] = len(p.sc.arena)
	if sp.name[1] == sp.name[0] && sp.email[1] == sp.email[0] {
		p.sc.arena = p.sc.arena[:sp.email[0]]
		return // nothing but white space or an empty comment
	}
	p.sc.spans = append(p.sc.spans, sp)
}

// spelledAt reports whether words are "local at domain.tld": three
// unquoted words, the middle one "at" in any case, a dot inside the last.
func spelledAt(words []addrWord) bool {
	if len(words) != 3 || words[0].quoted || words[2].quoted {
		return false
	}
	d := words[2].raw
	dot := bytes.IndexByte(d, '.')
	return equalFold(words[1].raw, "at") && dot > 0 && dot < len(d)-1
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
	if !slowPaths && plainAddr(a) {
		return a
	}
	p.sc.tmp = p.sc.tmp[:0]
	for i := 0; i < len(a); {
		switch c := a[i]; {
		case isSpace(c):
			i++
		case c == '(':
			i, _ = skipComment(a, i)
		case c == '"':
			end, _ := skipQuoted(a, i)
			p.sc.tmp = append(p.sc.tmp, a[i:end]...)
			i = end
		default:
			p.sc.tmp = append(p.sc.tmp, c)
			i++
		}
	}
	out := p.sc.tmp
	if len(out) > 0 && out[0] == '@' {
		if k := bytes.LastIndexByte(out, ':'); k >= 0 {
			out = out[k+1:]
		}
	}
	return out
}

// plainAddr reports whether cleanAddr has nothing to remove from a: no
// white space, comment, quoted string or source route.
func plainAddr(a []byte) bool {
	if len(a) > 0 && a[0] == '@' {
		return false
	}
	for _, c := range a {
		if addrUnplain[c] {
			return false
		}
	}
	return true
}

// addrUnplain marks the bytes that make cleanAddr work on an address.
var addrUnplain = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n(\"") {
		t[c] = true
	}
	return t
}()

// appendPhrase joins and decodes the words of a display name and appends
// the result to dst.
func (p *addrParser) appendPhrase(dst []byte, words []addrWord) []byte {
	if len(words) == 0 {
		return dst
	}
	if name, ok := p.plainPhrase(words); ok && !slowPaths {
		return appendText(dst, name)
	}
	p.sc.tmp = p.sc.tmp[:0]
	for k, w := range words {
		if k > 0 && w.space {
			p.sc.tmp = append(p.sc.tmp, ' ')
		}
		if w.quoted {
			p.sc.tmp = appendUnquoted(p.sc.tmp, w)
		} else {
			p.sc.tmp = append(p.sc.tmp, w.raw...)
		}
	}
	name := trimSpace(p.sc.tmp)
	if len(name) >= 2 && name[0] == '\'' && name[len(name)-1] == '\'' {
		name = trimSpace(name[1 : len(name)-1])
	}
	return appendText(dst, name)
}

// plainPhrase returns the display name of words without copying, when it
// is a stretch of the list as written: unquoted words, each after the one
// before it or after a single space, the name not wrapped in single
// quotes. It reports false otherwise, and the words are joined one by one.
func (p *addrParser) plainPhrase(words []addrWord) ([]byte, bool) {
	v := p.v
	start := cap(v) - cap(words[0].raw) // words alias v
	end := start
	for k, w := range words {
		at := cap(v) - cap(w.raw)
		switch {
		case w.quoted:
			return nil, false
		case k == 0:
		case w.space && at == end+1 && v[end] == ' ':
		case !w.space && at == end:
		default:
			return nil, false
		}
		end = at + len(w.raw)
	}
	name := v[start:end]
	if len(name) >= 2 && name[0] == '\'' && name[len(name)-1] == '\'' {
		return nil, false
	}
	return name, true
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
