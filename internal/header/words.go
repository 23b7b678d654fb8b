package header

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// DecodeWords decodes the RFC 2047 encoded words in an unstructured header
// value (Subject, a display name) and returns valid UTF-8.
//
// It is lenient where senders are sloppy: the white space between two
// adjacent encoded words is dropped (RFC 2047 section 6.2), adjacent words in
// the same charset are joined before conversion so a character split across
// two words survives, encoded words touching other text are decoded, base64
// without padding is accepted, and "q" text may hold spaces (encoded text
// ends at its first '?', which must begin "?="). Charsets are
// those of go-message's charset package (IANA and WHATWG names); an encoded
// word in an unknown charset is kept as its bytes, read as UTF-8. Text outside
// encoded words is kept; invalid UTF-8 becomes U+FFFD. Folds are removed and
// the result is trimmed.
func DecodeWords(s string) string {
	return decodeText([]byte(s))
}

// decodeText unfolds, trims and decodes an unstructured value.
func decodeText(v []byte) string {
	var buf [256]byte
	return string(appendText(buf[:0], v))
}

// appendText unfolds, trims and decodes an unstructured value and appends
// it to dst as valid UTF-8.
func appendText(dst, v []byte) []byte {
	if plainText(v) && !slowPaths {
		return append(dst, trimSpace(v)...)
	}
	var ubuf [256]byte
	v = unfoldTo(ubuf[:0], v)
	if !bytes.Contains(v, []byte("=?")) {
		return appendRaw(dst, v)
	}
	return appendDecoded(dst, v)
}

// plainText reports whether v needs no unfolding, decoding or repair: no
// line end, no '=' (which might start an encoded word) and nothing but
// US-ASCII.
func plainText(v []byte) bool {
	for _, c := range v {
		if textUnplain[c] {
			return false
		}
	}
	return true
}

// textUnplain marks the bytes plainText looks for.
var textUnplain = func() (t [256]bool) {
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	t['\r'], t['\n'], t['='] = true, true, true
	return t
}()

// validString returns b as a string, with invalid UTF-8 replaced.
func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// appendDecoded appends v to dst with its encoded words decoded, as valid
// UTF-8.
func appendDecoded(dst, v []byte) []byte {
	var (
		buf       [128]byte
		pending   = buf[:0] // raw bytes of the last run of same-charset words
		pendingCS []byte    // their charset; nil when there is no such run
		afterWord bool      // the last token was an encoded word
	)
	flush := func() {
		if pendingCS != nil {
			dst = appendCharset(dst, pendingCS, pending)
			pending, pendingCS = pending[:0], nil
		}
	}
	i := 0
	for i < len(v) {
		j := bytes.Index(v[i:], []byte("=?"))
		if j < 0 {
			break
		}
		j += i
		cs, text, enc, end, ok := encodedWord(v, j)
		if !ok {
			// Not an encoded word: keep "=?" as text.
			flush()
			dst = appendRaw(dst, v[i:j+2])
			afterWord = false
			i = j + 2
			continue
		}
		// Between adjacent words, white space is dropped.
		if between := v[i:j]; !afterWord || !isAllSpace(between) {
			flush()
			dst = appendRaw(dst, between)
		}
		if pendingCS != nil && !bytes.EqualFold(pendingCS, cs) {
			flush()
		}
		if pendingCS == nil {
			pendingCS = cs
		}
		pending = decodeWordText(pending, text, enc)
		afterWord = true
		i = end
	}
	flush()
	return appendRaw(dst, v[i:])
}

// encodedWord parses "=?charset?enc?text?=" at v[i:] (RFC 2047 section 2).
// The charset loses any RFC 2231 language suffix ("utf-8*en").
func encodedWord(v []byte, i int) (cs, text []byte, enc byte, end int, ok bool) {
	p := i + 2
	q := p
	for q < len(v) && v[q] != '?' {
		if charsetStop[v[q]] {
			return nil, nil, 0, 0, false
		}
		q++
	}
	if q == p || q+2 >= len(v) || v[q+2] != '?' {
		return nil, nil, 0, 0, false
	}
	cs = v[p:q]
	if k := bytes.IndexByte(cs, '*'); k >= 0 {
		cs = cs[:k]
	}
	enc = v[q+1] | 0x20
	if enc != 'b' && enc != 'q' {
		return nil, nil, 0, 0, false
	}
	// The text ends at its first '?', which must start "?=": encoded text
	// holds no '?' (RFC 2047 section 5), and stopping there keeps the
	// work linear however many "=?" a hostile value holds.
	t := q + 3
	k := bytes.IndexByte(v[t:], '?')
	if k < 0 || t+k+1 >= len(v) || v[t+k+1] != '=' {
		return nil, nil, 0, 0, false
	}
	text = v[t : t+k]
	if enc == 'b' {
		for _, c := range text {
			if !base64Text[c] {
				return nil, nil, 0, 0, false
			}
		}
	}
	return cs, text, enc, t + k + 2, true
}

func isBase64(c byte) bool { return base64Values[c] >= 0 }

// charsetStop marks the bytes that cannot be in the charset of an encoded
// word; base64Text the bytes "b" encoded text may hold (digits, padding
// and the white space senders leave).
var charsetStop, base64Text = func() (stop, b64 [256]bool) {
	for c := 0; c < 256; c++ {
		stop[c] = c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '"' || c == ',' || c == '='
		b64[c] = isBase64(byte(c)) || c == '=' || c == ' ' || c == '\t'
	}
	return stop, b64
}()

// decodeWordText appends the bytes that text encodes with enc ('b' or 'q')
// to dst. Broken escapes are kept as they are; broken base64 yields what
// decodes.
func decodeWordText(dst, text []byte, enc byte) []byte {
	if enc == 'q' {
		for k := 0; k < len(text); k++ {
			c := text[k]
			switch {
			case c == '_':
				dst = append(dst, ' ')
			case c == '=' && k+2 < len(text) && unhex(text[k+1]) >= 0 && unhex(text[k+2]) >= 0:
				dst = append(dst, byte(unhex(text[k+1])<<4|unhex(text[k+2])))
				k += 2
			default:
				dst = append(dst, c)
			}
		}
		return dst
	}
	// Base64, tolerant of missing padding, padding in the middle (joined
	// words) and stray white space.
	acc, n := 0, 0
	flush := func() {
		switch n {
		case 2:
			dst = append(dst, byte(acc>>4))
		case 3:
			dst = append(dst, byte(acc>>10), byte(acc>>2))
		}
		acc, n = 0, 0
	}
	for _, c := range text {
		if c == '=' {
			flush()
			continue
		}
		v := base64Values[c]
		if v < 0 {
			continue
		}
		acc = acc<<6 | int(v)
		n++
		if n == 4 {
			dst = append(dst, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	flush()
	return dst
}

// base64Values maps base64 digits (RFC 4648) to their value, other bytes
// to -1.
var base64Values = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(digits); i++ {
		t[digits[i]] = int8(i)
	}
	return t
}()

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

func isAllSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}
