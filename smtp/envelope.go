package smtp

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Envelope is the SMTP envelope of a message (RFC 5321 section 2.3.1): the
// reverse path of MAIL FROM and the forward paths of RCPT TO, as addresses
// without angle brackets.
type Envelope struct {
	From string   // the reverse path; "" for the null path <>
	To   []string // the recipients
}

// EnvelopeFromHeaders derives the envelope of a raw RFC 5322 message.
//
// The reverse path is opts.From when set, else the first address of the
// Sender header, else of From. The recipients are opts.To when set, else
// the addresses of To, Cc and Bcc in that order, groups flattened. When the
// message carries Resent-* fields (RFC 5322 section 3.6.6) the Resent-
// versions are used instead: Resent-Sender or Resent-From, and Resent-To,
// Resent-Cc and Resent-Bcc, from the topmost (newest) occurrence of each.
// Recipients are de-duplicated (the domain compared without case, the local
// part exactly), keeping the first occurrence.
//
// Every address is checked and formatted with Path. It fails with an error
// matching email.ErrInvalidArgument when there is no sender, no recipient,
// or an address cannot be parsed.
func EnvelopeFromHeaders(raw []byte, opts email.SendOptions) (Envelope, error) {
	fields := headerFields(raw)
	resent := false
	for _, f := range fields {
		if strings.HasPrefix(strings.ToLower(f.name), "resent-") {
			resent = true
			break
		}
	}
	prefix := ""
	if resent {
		prefix = "Resent-"
	}
	var env Envelope
	var err error
	if opts.From != "" {
		env.From, err = Path(opts.From)
		if err != nil {
			return Envelope{}, err
		}
	} else {
		for _, name := range []string{prefix + "Sender", prefix + "From"} {
			v, ok := firstField(fields, name)
			if !ok {
				continue
			}
			list, err := parseAddressList(name, v)
			if err != nil {
				return Envelope{}, err
			}
			if len(list) > 0 {
				if env.From, err = Path(list[0]); err != nil {
					return Envelope{}, err
				}
				break
			}
		}
		if env.From == "" {
			return Envelope{}, fmt.Errorf("smtp: message has no %sFrom address: %w", prefix, email.ErrInvalidArgument)
		}
	}
	var to []string
	if len(opts.To) > 0 {
		to = opts.To
	} else {
		for _, name := range []string{prefix + "To", prefix + "Cc", prefix + "Bcc"} {
			for _, f := range fields {
				if !strings.EqualFold(f.name, name) {
					continue
				}
				list, err := parseAddressList(name, unfold(f.value))
				if err != nil {
					return Envelope{}, err
				}
				to = append(to, list...)
				if resent {
					break // only the newest occurrence
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, a := range to {
		p, err := Path(a)
		if err != nil {
			return Envelope{}, err
		}
		at := strings.LastIndexByte(p, '@')
		key := p[:at] + "@" + strings.ToLower(p[at+1:])
		if seen[key] {
			continue
		}
		seen[key] = true
		env.To = append(env.To, p)
	}
	if len(env.To) == 0 {
		return Envelope{}, fmt.Errorf("smtp: message has no recipient: %w", email.ErrInvalidArgument)
	}
	return env, nil
}

// StripBcc returns raw without its Bcc and Resent-Bcc header fields,
// continuation lines included; every other byte is unchanged. It returns
// raw itself when there is nothing to remove.
func StripBcc(raw []byte) []byte {
	fields := headerFields(raw)
	var out []byte
	last := 0
	for _, f := range fields {
		if !strings.EqualFold(f.name, "Bcc") && !strings.EqualFold(f.name, "Resent-Bcc") {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(raw))
		}
		out = append(out, raw[last:f.start]...)
		last = f.end
	}
	if out == nil {
		return raw
	}
	return append(out, raw[last:]...)
}

// field is one header field: its name, its raw value (folded, after the
// colon), and the bytes it occupies in the message.
type field struct {
	name       string
	value      []byte
	start, end int
	vstart     int
}

// headerFields splits the header of raw into fields. Lines that are
// neither a field nor a continuation are skipped. The header ends at the
// first empty line or at the end of raw.
func headerFields(raw []byte) []field {
	var fields []field
	pos := 0
	for pos < len(raw) {
		end := bytes.IndexByte(raw[pos:], '\n')
		if end < 0 {
			end = len(raw)
		} else {
			end += pos + 1
		}
		line := raw[pos:end]
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(trimmed) == 0 {
			break // the empty line ending the header
		}
		if (line[0] == ' ' || line[0] == '\t') && len(fields) > 0 {
			f := &fields[len(fields)-1]
			if f.end == pos {
				f.value = raw[f.vstart:end]
				f.end = end
			}
			pos = end
			continue
		}
		colon := bytes.IndexByte(trimmed, ':')
		if colon > 0 && validFieldName(trimmed[:colon]) {
			name := string(bytes.TrimRight(trimmed[:colon], " \t"))
			vstart := pos + colon + 1
			fields = append(fields, field{name: name, value: raw[vstart:end], start: pos, end: end, vstart: vstart})
		}
		pos = end
	}
	return fields
}

func validFieldName(b []byte) bool {
	b = bytes.TrimRight(b, " \t")
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

func firstField(fields []field, name string) (string, bool) {
	for _, f := range fields {
		if strings.EqualFold(f.name, name) {
			return unfold(f.value), true
		}
	}
	return "", false
}

// unfold removes the line breaks of a folded value (RFC 5322 section
// 2.2.3).
func unfold(v []byte) string {
	s := string(v)
	s = strings.ReplaceAll(s, "\r\n", "")
	s = strings.ReplaceAll(s, "\n", "")
	return strings.TrimSpace(strings.ReplaceAll(s, "\r", ""))
}
