package header

import "unicode/utf8"

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
	from, to := 0, len(v)
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '(':
			i, _ = skipComment(v, i)
			i--
		case '<':
			from = i + 1
			to = len(v)
			for j := from; j < len(v); j++ {
				if v[j] == '>' {
					to = j
					break
				}
			}
			i = len(v)
		}
	}
	v = v[from:to]
	start := len(dst)
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
