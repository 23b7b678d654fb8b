package m2dir

import (
	"strings"
	"unicode/utf8"

	"github.com/ioemail/ioemail/email"
)

// maxComponent bounds one encoded name component, the usual NAME_MAX.
const maxComponent = 255

// EncodeName splits a mailbox name at "/" and returns the directory name of
// each level, percent-encoded: "%", "\", control bytes (below 0x20 and
// 0x7f) and a leading "." become "%XX"; other bytes, UTF-8 included, stay
// as they are. A first level equal to INBOX in any case becomes "INBOX".
//
// It returns a *email.NameError for an empty name or level, the levels "."
// and "..", a NUL byte, invalid UTF-8, or a level longer than 255 bytes once
// encoded.
func EncodeName(name string) ([]string, error) {
	if name == "" {
		return nil, &email.NameError{Name: name, Reason: "empty name"}
	}
	if !utf8.ValidString(name) {
		return nil, &email.NameError{Name: name, Reason: "not valid UTF-8"}
	}
	if strings.IndexByte(name, 0) >= 0 {
		return nil, &email.NameError{Name: name, Reason: "NUL byte"}
	}
	parts := strings.Split(name, "/")
	if len(parts) > maxDepth {
		return nil, &email.NameError{Name: name, Reason: "too deeply nested"}
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		switch p {
		case "":
			return nil, &email.NameError{Name: name, Reason: "empty hierarchy level"}
		case ".", "..":
			return nil, &email.NameError{Name: name, Reason: "relative path level"}
		}
		if i == 0 && email.IsInbox(p) {
			p = InboxDir
		}
		out[i] = encodeComponent(p)
		if len(out[i]) > maxComponent {
			return nil, &email.NameError{Name: name, Reason: "hierarchy level too long"}
		}
	}
	return out, nil
}

const hexDigits = "0123456789ABCDEF"

func encodeComponent(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' || c == '\\' || c < 0x20 || c == 0x7f || (i == 0 && c == '.') {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// DecodeComponent decodes the "%XX" escapes of one directory name. A "%"
// not followed by two hexadecimal digits stands for itself. It reports
// false when the result cannot be one level of a mailbox name: empty, "."
// or "..", holding "/" or NUL, or not valid UTF-8.
func DecodeComponent(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, validComponent(s)
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	out := string(b)
	return out, validComponent(out)
}

func validComponent(s string) bool {
	return s != "" && s != "." && s != ".." && utf8.ValidString(s) &&
		strings.IndexByte(s, '/') < 0 && strings.IndexByte(s, 0) < 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
