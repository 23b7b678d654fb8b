package wire

import (
	"encoding/base64"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ioemail/ioemail/email"
)

// b64 is the modified base64 of RFC 3501 section 5.1.3: ',' replaces '/',
// no padding.
var b64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding).Strict()

// ErrUTF7 is matched by errors decoding a modified UTF-7 name; it also
// matches email.ErrInvalidName.
var ErrUTF7 = fmt.Errorf("imap: invalid modified UTF-7: %w", email.ErrInvalidName)

// EncodeUTF7 encodes a UTF-8 mailbox name in modified UTF-7 (RFC 3501
// section 5.1.3). Invalid UTF-8 sequences are encoded as U+FFFD.
func EncodeUTF7(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '&' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var out []byte
	var run []uint16
	flush := func() {
		if len(run) == 0 {
			return
		}
		b := make([]byte, 2*len(run))
		for i, u := range run {
			b[2*i], b[2*i+1] = byte(u>>8), byte(u)
		}
		out = append(out, '&')
		out = b64.AppendEncode(out, b)
		out = append(out, '-')
		run = run[:0]
	}
	for _, r := range s {
		switch {
		case r == '&':
			flush()
			out = append(out, '&', '-')
		case r >= 0x20 && r <= 0x7e:
			flush()
			out = append(out, byte(r))
		default:
			run = utf16.AppendRune(run, r)
		}
	}
	flush()
	return string(out)
}

// DecodeUTF7 decodes a modified UTF-7 mailbox name into UTF-8. It fails on
// bytes outside printable ASCII, on unterminated or malformed shifts, and
// on shifts that encode printable ASCII (which must be literal).
func DecodeUTF7(s string) (string, error) {
	var out []byte
	lastShiftEnd := -2
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", ErrUTF7
		}
		if c != '&' {
			out = append(out, c)
			continue
		}
		j := i + 1
		for j < len(s) && s[j] != '-' {
			j++
		}
		if j == len(s) {
			return "", ErrUTF7
		}
		if j == i+1 {
			out = append(out, '&')
			i = j
			continue
		}
		if i > 0 && s[i-1] == '-' && lastShiftEnd == i-1 {
			return "", ErrUTF7 // two adjacent shifts must be one
		}
		for k := i + 1; k < j; k++ {
			if c := s[k]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == ',') {
				return "", ErrUTF7
			}
		}
		lastShiftEnd = j
		b, err := b64.DecodeString(s[i+1 : j])
		if err != nil || len(b)%2 != 0 {
			return "", ErrUTF7
		}
		u := make([]uint16, len(b)/2)
		for k := range u {
			u[k] = uint16(b[2*k])<<8 | uint16(b[2*k+1])
		}
		for _, r := range utf16.Decode(u) {
			if r == utf8.RuneError || (r >= 0x20 && r <= 0x7e) {
				return "", ErrUTF7
			}
			out = utf8.AppendRune(out, r)
		}
		i = j
	}
	return string(out), nil
}
