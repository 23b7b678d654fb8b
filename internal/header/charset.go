package header

import (
	"bytes"
	"encoding/binary"
	"io"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// maxConverted bounds the UTF-8 a single run of encoded words may expand
// to; the input is bounded by the head, and no charset expands a byte to
// more than a few.
const maxConverted = 1 << 20

// appendCharset appends text, in charset cs, to dst as UTF-8. UTF-8, ASCII
// and Latin-1 (read as Windows-1252, as WHATWG does) are converted here;
// other charsets go through go-message's charset package. Unknown charsets
// keep the bytes as they are (validated later).
func appendCharset(dst, cs, text []byte) []byte {
	switch {
	case equalFold(cs, "utf-8"), equalFold(cs, "utf8"), equalFold(cs, "us-ascii"), equalFold(cs, "ascii"):
		return appendValid(dst, text)
	case equalFold(cs, "iso-8859-1"), equalFold(cs, "iso8859-1"), equalFold(cs, "latin1"),
		equalFold(cs, "windows-1252"), equalFold(cs, "cp1252"):
		return appendWindows1252(dst, text)
	}
	r, err := charset.Reader(string(cs), bytes.NewReader(bytes.Clone(text))) // text may live on the stack
	if err != nil {
		return appendValid(dst, text)
	}
	out, err := io.ReadAll(io.LimitReader(r, maxConverted))
	if err != nil && len(out) == 0 {
		return appendValid(dst, text)
	}
	return appendValid(dst, out)
}

// appendRaw appends raw (not encoded-word) header text: as it is when it is
// valid UTF-8 (RFC 6532), otherwise read as Windows-1252, the charset of
// nearly every legacy 8-bit header in the wild, so that "M\xf3nica" reads
// "Mónica" rather than "M\uFFFDnica".
func appendRaw(dst, b []byte) []byte {
	if isASCII(b) || utf8.Valid(b) {
		return append(dst, b...)
	}
	return appendWindows1252(dst, b)
}

// appendValid appends b with invalid UTF-8 replaced by U+FFFD.
func appendValid(dst, b []byte) []byte {
	if isASCII(b) || utf8.Valid(b) {
		return append(dst, b...)
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			b = b[1:]
			continue
		}
		dst = append(dst, b[:n]...)
		b = b[n:]
	}
	return dst
}

// isASCII reports whether b is short and all US-ASCII: the common case of
// a header value, checked 8 bytes at a time without utf8.Valid's call and
// set-up. Longer values go to utf8.Valid, which is as fast there.
func isASCII(b []byte) bool {
	if len(b) > 64 {
		return false
	}
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// windows1252 maps bytes 0x80-0x9F; the other bytes are their own code
// point (ISO 8859-1). Undefined positions keep the C1 control code point.
var windows1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

func appendWindows1252(dst, b []byte) []byte {
	for _, c := range b {
		switch {
		case c < 0x80:
			dst = append(dst, c)
		case c < 0xA0:
			dst = utf8.AppendRune(dst, windows1252[c-0x80])
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}
