package header

import (
	"bytes"
	"unicode/utf8"
)

// messageID normalises a Message-ID value (RFC 5322 section 3.6.4): the
// text between the first '<' and the next '>' (to the end when the '>' is
// missing), or the whole value when it has no '<'; comments and white space
// are removed, so "< id @ host >" and "<id@host> (note)" both give
// "id@host".
func messageID(v []byte) string {
	return string(appendMessageID(nil, v))
}

// appendMessageID appends the normalised Message-ID v to dst.
func appendMessageID(dst, v []byte) []byte {
	if id, ok := plainBracketed(v); ok && !slowPaths {
		return append(dst, id...)
	}
	from, to := 0, len(v)
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '(':
			i, _ = skipComment(v, i)
			i--
		case '<':
			from = i + 1
			to = len(v)
			if j := bytes.IndexByte(v[from:], '>'); j >= 0 {
				to = from + j
			}
			i = len(v)
		}
	}
	v = v[from:to]
	start := len(dst)
	if !slowPaths && plainID(v) {
		return appendValid(dst, v)
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isSpace(c):
		case c == '(':
			i, _ = skipComment(v, i)
			i--
		default:
			dst = append(dst, c)
		}
	}
	if !utf8.Valid(dst[start:]) {
		fixed := appendValid(nil, dst[start:])
		dst = append(dst[:start], fixed...)
	}
	return dst
}

// plainBracketed returns the id of v when v is the common form: white space,
// "<", printable US-ASCII without white space, '(' or '<', ">", and white
// space to the end. It reports false for anything else.
func plainBracketed(v []byte) ([]byte, bool) {
	i := 0
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	if i == len(v) || v[i] != '<' {
		return nil, false
	}
	start := i + 1
	j := start
	for j < len(v) && v[j] != '>' {
		if idUnplain[v[j]] {
			return nil, false
		}
		j++
	}
	if j == len(v) {
		return nil, false
	}
	for _, c := range v[j+1:] {
		if c != ' ' && c != '\t' {
			return nil, false
		}
	}
	return v[start:j], true
}

// idUnplain marks the bytes that keep an id off plainBracketed's path.
var idUnplain = func() (t [256]bool) {
	for c := range t {
		t[c] = c <= ' ' || c >= 0x7f || c == '(' || c == '<'
	}
	return t
}()

// plainID reports whether v holds no white space and no comment, so that
// the id is v itself.
func plainID(v []byte) bool {
	for _, c := range v {
		if isSpace(c) || c == '(' {
			return false
		}
	}
	return true
}

// MaxIDs bounds the message ids Scan keeps from one In-Reply-To or
// References field, so that a hostile header cannot make a listing hold
// an unbounded number of strings.
const MaxIDs = 128

// appendMessageIDs appends the normalised ids of a msg-id list v
// (In-Reply-To, References: RFC 5322 section 3.6.4) to dst and their
// ranges in dst to spans. Each '<' starts an id that ends at the next '>'
// (or at the next '<' or the end when the '>' is missing); text outside
// angle brackets is ignored, unless v holds no '<' at all, when its
// normalised whole is one id (old mailers write ids bare). Empty ids are
// dropped; at most MaxIDs are kept.
func appendMessageIDs(dst []byte, spans [][2]int, v []byte) ([]byte, [][2]int) {
	first := len(spans)
	keep := func(part []byte) {
		start := len(dst)
		dst = appendMessageID(dst, part)
		if len(dst) > start {
			spans = append(spans, [2]int{start, len(dst)})
		}
	}
	bracketed := false
	for i := 0; i < len(v) && len(spans)-first < MaxIDs; i++ {
		switch v[i] {
		case '(':
			i, _ = skipComment(v, i)
			i--
		case '<':
			bracketed = true
			j := i + 1
			for j < len(v) && v[j] != '>' && v[j] != '<' {
				j++
			}
			keep(v[i+1 : j])
			if j < len(v) && v[j] == '<' {
				j--
			}
			i = j
		}
	}
	if !bracketed {
		keep(v)
	}
	return dst, spans
}
