package smtp

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// addressParser reads RFC 5322 address lists; encoded words in an unknown
// charset are kept as they are instead of failing the whole list, since
// only the addr-specs matter for the envelope.
var addressParser = mail.AddressParser{WordDecoder: &wordDecoder}

var wordDecoder = mime.WordDecoder{CharsetReader: passCharset}

// parseAddressList returns the addr-specs of a header value, groups
// flattened, in order. An empty value or an empty group gives none.
func parseAddressList(field, value string) ([]string, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	list, err := addressParser.ParseList(value)
	if err != nil {
		return nil, fmt.Errorf("smtp: %s header: %v: %w", field, err, email.ErrInvalidArgument)
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.Address)
	}
	return out, nil
}

// Path formats an address as an SMTP path (RFC 5321 section 4.1.2) without
// the angle brackets: the local part is kept as a Dot-string when it is
// one and quoted otherwise, the domain is kept (a name, an address literal
// in brackets, or UTF-8 for SMTPUTF8). It fails, with an error matching
// email.ErrInvalidArgument, on an empty local part or domain and on any
// control character (so that no address can inject a command).
func Path(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", fmt.Errorf("smtp: address %q has no local part or no domain: %w", addr, email.ErrInvalidArgument)
	}
	local, domain := addr[:at], addr[at+1:]
	for i := 0; i < len(addr); i++ {
		if c := addr[i]; c < 0x20 || c == 0x7f {
			return "", fmt.Errorf("smtp: address %q contains a control character: %w", addr, email.ErrInvalidArgument)
		}
	}
	if !validDomain(domain) {
		return "", fmt.Errorf("smtp: address %q has an invalid domain: %w", addr, email.ErrInvalidArgument)
	}
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		// Already quoted by the caller: keep it if it is well formed.
		if validQuoted(local[1 : len(local)-1]) {
			return addr, nil
		}
		return "", fmt.Errorf("smtp: address %q has a malformed quoted local part: %w", addr, email.ErrInvalidArgument)
	}
	if isDotString(local) {
		return local + "@" + domain, nil
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(local); i++ {
		if c := local[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(local[i])
	}
	b.WriteString(`"@`)
	b.WriteString(domain)
	return b.String(), nil
}

// isAtext reports whether c may appear in an atom (RFC 5321 section 4.1.2;
// RFC 6531 adds every UTF-8 byte).
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isDotString(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

func validQuoted(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
			if i == len(s) {
				return false
			}
		case '"':
			return false
		}
	}
	return true
}

func validDomain(d string) bool {
	if d == "" {
		return false
	}
	if d[0] == '[' {
		if d[len(d)-1] != ']' || len(d) < 3 {
			return false
		}
		for i := 1; i < len(d)-1; i++ {
			if c := d[i]; c == '[' || c == ']' || c == '\\' || c == '<' || c == '>' || c <= ' ' || c == 0x7f {
				return false
			}
		}
		return true
	}
	if d[0] == '.' || d[len(d)-1] == '.' || strings.Contains(d, "..") {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c >= 0x80) {
			return false
		}
	}
	return true
}

// passCharset returns the raw bytes for any charset Go does not know: the
// display name may come out wrong, the address never does.
func passCharset(charset string, input io.Reader) (io.Reader, error) { return input, nil }
