package maildir

import (
	"strings"

	"github.com/ioemail/ioemail/email"
)

// letters maps the classified flags to their Maildir info letters (D. J.
// Bernstein, "Using maildir format": P passed, R replied, S seen, T
// trashed, D draft, F flagged).
var letters = [...]struct {
	letter byte
	class  email.IANA
}{
	{'D', email.Draft}, {'F', email.Flagged}, {'P', email.Forwarded},
	{'R', email.Answered}, {'S', email.Seen}, {'T', email.Deleted},
}

// letterOf returns the letter of a classified flag, or 0 when the flag has
// none (it then goes through dovecot-keywords).
func letterOf(c email.IANA) byte {
	for _, l := range letters {
		if l.class == c && c != email.Custom {
			return l.letter
		}
	}
	return 0
}

// classOf returns the flag an uppercase info letter stands for.
func classOf(b byte) (email.IANA, bool) {
	for _, l := range letters {
		if l.letter == b {
			return l.class, true
		}
	}
	return email.Custom, false
}

// isKeywordLetter reports whether b is a Dovecot keyword letter.
func isKeywordLetter(b byte) bool { return b >= 'a' && b <= 'z' }

// FlagSet returns the flags the name's info stands for: the six standard
// letters, and the keyword letters a-z that kw maps (kw may be nil). P and
// a letter mapped to $Forwarded are the same flag. Other bytes stand for
// no flag. A name without "2," info has no flags.
func (n Name) FlagSet(kw *Keywords) email.Flags {
	var fs []email.Flag
	for i := 0; i < len(n.Flags); i++ {
		b := n.Flags[i]
		if c, ok := classOf(b); ok {
			fs = append(fs, email.FlagOf(c))
		} else if isKeywordLetter(b) && kw != nil {
			if name := kw.names[b-'a']; name != "" {
				fs = append(fs, email.ParseFlag(name))
			}
		}
	}
	return email.NewFlags(fs...)
}

// Seen reports whether the info carries the S letter.
func (n Name) Seen() bool { return strings.IndexByte(n.Flags, 'S') >= 0 }

// keep returns the flag bytes of the name that stand for no flag kw knows:
// unknown uppercase letters, keyword letters kw does not map, and other
// bytes. Flag changes keep them as they are.
func (n Name) keep(kw *Keywords) string {
	var b []byte
	for i := 0; i < len(n.Flags); i++ {
		c := n.Flags[i]
		if _, ok := classOf(c); ok {
			continue
		}
		if isKeywordLetter(c) && kw != nil && kw.names[c-'a'] != "" {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// render returns the flag bytes for fs plus kept, mapping flags without a
// letter through kw ($Forwarded is P plus its keyword letter). It returns the flags kw has no letter for in missing
// (and leaves them out of the bytes).
func render(fs email.Flags, kept string, kw *Keywords) (flags string, missing email.Flags) {
	b := []byte(kept)
	for _, f := range fs {
		if l := letterOf(f.IANA); l != 0 {
			b = append(b, l)
			if f.IANA != email.Forwarded {
				continue
			}
			// $Forwarded is also its keyword letter, when it has one.
			if l := kw.letter(f); l != 0 {
				b = append(b, l)
			}
			continue
		}
		if l := kw.letter(f); l != 0 {
			b = append(b, l)
			continue
		}
		missing = append(missing, f)
	}
	return sortFlags(string(b)), missing
}
