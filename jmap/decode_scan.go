package jmap

import (
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner is the hand-written JSON reader of the fast decoders of the
// listing's responses: it reads the bytes of one response once, in place,
// and gives up (ok false) on anything it is not sure to read exactly as
// encoding/json would: a syntax error, a type that does not fit, a
// duplicate or case-folded member name, a string with invalid UTF-8,
// nesting deeper than maxScanDepth. The caller then decodes the body with
// encoding/json, which reports the error precisely, so giving up never
// changes a result. It allocates nothing but the values it returns.
type scanner struct {
	b []byte
	i int
	// tmp collects the elements of the array being read; strs and addrs
	// are the unused tails of the chunks the arrays' elements are copied
	// to, so that a response's small arrays share a few allocations.
	tmp   []string
	strs  []string
	addrs []EmailAddress
	// listHint is the expected length of the next list (the ids of an
	// Email/query read before its Email/get).
	listHint int
}

// arenaChunk is how many elements the shared chunks of strs and addrs
// hold.
const arenaChunk = 256

// keep returns a copy of v in the chunk *arena (a new chunk when it is
// short), capped so that an append to it never writes over its neighbour.
func keep[T any](arena *[]T, v []T) []T {
	n := len(v)
	if n == 0 {
		return []T{}
	}
	if n > len(*arena) {
		*arena = make([]T, max(arenaChunk, n))
	}
	out := (*arena)[:n:n]
	copy(out, v)
	*arena = (*arena)[n:]
	return out
}

// maxScanDepth bounds the nesting of the values the scanner skips; deeper
// input is left to encoding/json (whose own bound is 10,000).
const maxScanDepth = 64

// strByte classifies the bytes of a string: 0 plain ASCII, 1 the quote or
// the backslash, 2 a control character (invalid in JSON), 3 a byte of a
// multi-byte UTF-8 sequence.
var strByte = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = 2
	}
	t['"'], t['\\'] = 1, 1
	for c := 0x80; c < 0x100; c++ {
		t[c] = 3
	}
	return t
}()

// ws skips JSON white space.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// eat consumes c after white space.
func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// null consumes a null literal if one is next.
func (s *scanner) null() bool {
	if s.peek() == 'n' && len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// rawString reads a string and returns its bytes between the quotes, and
// whether they are plain (no escape, no byte of 0x80 or above). It checks
// the escapes' syntax but decodes none of them.
func (s *scanner) rawString() (raw []byte, plain, ok bool) {
	if s.peek() != '"' {
		return nil, false, false
	}
	s.i++
	start := s.i
	plain = true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch strByte[c] {
		case 0:
			s.i++
			continue
		case 2:
			return nil, false, false
		case 3:
			plain = false
			s.i++
			continue
		}
		if c == '"' {
			raw = s.b[start:s.i]
			s.i++
			return raw, plain, true
		}
		// A backslash.
		plain = false
		if s.i+1 >= len(s.b) {
			return nil, false, false
		}
		switch s.b[s.i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.i += 2
		case 'u':
			if hex4(s.b[s.i+2:]) < 0 {
				return nil, false, false
			}
			s.i += 6
		default:
			return nil, false, false
		}
	}
	return nil, false, false
}

// str reads a string value and returns it decoded as encoding/json does;
// it gives up on invalid UTF-8 (which encoding/json would replace).
func (s *scanner) str() (string, bool) {
	raw, plain, ok := s.rawString()
	if !ok {
		return "", false
	}
	if plain {
		return string(raw), true
	}
	return unescape(raw)
}

// optStr reads a string or null (left "").
func (s *scanner) optStr() (string, bool) {
	if s.null() {
		return "", true
	}
	return s.str()
}

// key reads a member name and the colon after it. The name is returned
// raw: the callers match it exactly and give up on any other name that
// encoding/json would match by case folding (see foldsTo).
func (s *scanner) key() ([]byte, bool) {
	raw, plain, ok := s.rawString()
	if !ok || !s.eat(':') {
		return nil, false
	}
	if !plain {
		// Escapes or non-ASCII in a name: encoding/json may fold it
		// onto a field (the Kelvin sign folds to k); not worth the risk.
		return nil, false
	}
	return raw, true
}

// foldsTo reports whether encoding/json could match the unknown name k to
// one of the field names: an ASCII case-insensitive match (k holds only
// ASCII, see key).
func foldsTo(k []byte, names ...string) bool {
	for _, n := range names {
		if len(n) != len(k) {
			continue
		}
		same := true
		for i := range len(k) {
			a, b := k[i], n[i]
			if 'A' <= a && a <= 'Z' {
				a += 'a' - 'A'
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			if a != b {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// members calls member for each member of an object, after reading its
// name; member reads the value. It reports whether the object was read
// whole.
func (s *scanner) members(member func(k []byte) bool) bool {
	if !s.eat('{') {
		return false
	}
	if s.eat('}') {
		return true
	}
	for {
		k, ok := s.key()
		if !ok || !member(k) {
			return false
		}
		if s.eat(',') {
			continue
		}
		return s.eat('}')
	}
}

// elements calls elem for each element of an array; elem reads it.
func (s *scanner) elements(elem func() bool) bool {
	if !s.eat('[') {
		return false
	}
	if s.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.eat(',') {
			continue
		}
		return s.eat(']')
	}
}

// strings reads an array of strings (a null element is "") or null (nil).
func (s *scanner) strings() ([]string, bool) {
	if s.null() {
		return nil, true
	}
	tmp := s.tmp[:0]
	ok := s.elements(func() bool {
		v, ok := s.optStr()
		tmp = append(tmp, v)
		return ok
	})
	s.tmp = tmp[:0]
	if !ok {
		return nil, false
	}
	out := keep(&s.strs, tmp)
	clear(tmp)
	return out, true
}

// boolean reads true or false.
func (s *scanner) boolean() (bool, bool) {
	switch s.peek() {
	case 't':
		if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true" {
			s.i += 4
			return true, true
		}
	case 'f':
		if len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false" {
			s.i += 5
			return false, true
		}
	}
	return false, false
}

// boolSet reads an object of booleans (a null value is false) or null
// (nil), as the keywords and mailboxIds maps.
func (s *scanner) boolSet() (map[string]bool, bool) {
	if s.null() {
		return nil, true
	}
	out := map[string]bool{}
	if !s.eat('{') {
		return nil, false
	}
	if s.eat('}') {
		return out, true
	}
	for {
		k, ok := s.str()
		if !ok || !s.eat(':') {
			return nil, false
		}
		var v bool
		if !s.null() {
			if v, ok = s.boolean(); !ok {
				return nil, false
			}
		}
		out[k] = v
		if s.eat(',') {
			continue
		}
		return out, s.eat('}')
	}
}

// integer reads a JSON number that is an integer in int64 range, as
// encoding/json accepts into an int64 (no fraction, no exponent).
func (s *scanner) integer() (int64, bool) {
	s.ws()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	d := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == d || (s.b[d] == '0' && s.i-d > 1) {
		return 0, false
	}
	if s.i < len(s.b) {
		if c := s.b[s.i]; c == '.' || c == 'e' || c == 'E' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	return n, err == nil
}

// skip reads any value and discards it, checking its syntax.
func (s *scanner) skip(depth int) bool {
	if depth > maxScanDepth {
		return false
	}
	switch c := s.peek(); {
	case c == '"':
		_, _, ok := s.rawString()
		return ok
	case c == '{':
		return s.members(func([]byte) bool { return s.skip(depth + 1) })
	case c == '[':
		return s.elements(func() bool { return s.skip(depth + 1) })
	case c == 't' || c == 'f':
		_, ok := s.boolean()
		return ok
	case c == 'n':
		return s.null()
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	return false
}

// number reads any JSON number.
func (s *scanner) number() bool {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.b[s.i] == '-' {
		s.i++
	}
	d := s.i
	if n := digits(); n == 0 || (s.b[d] == '0' && n > 1) {
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// hex4 decodes the four hex digits of a \u escape at the start of b (b
// starts after the "\u"), -1 when they are not.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unescape decodes the raw bytes of a string with escapes or non-ASCII, as
// encoding/json does (an unpaired surrogate becomes U+FFFD); it gives up
// on invalid UTF-8. raw's escapes are well formed (rawString checked).
func unescape(raw []byte) (string, bool) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n == 1 {
				return "", false
			}
			out = append(out, raw[i:i+n]...)
			i += n
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		e := raw[i+1]
		i += 2
		switch e {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(raw[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = hex4(raw[i+2:])
				}
				if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
					i += 6
					r = d
				} else {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, e)
		}
	}
	return string(out), true
}
