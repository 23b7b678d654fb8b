package maildir

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Files of Dovecot's keyword protocol (Dovecot maildir documentation).
const (
	keywordsFile = "dovecot-keywords"
	lockFile     = "dovecot-uidlist.lock"
	// maxKeywordsFile bounds the read of dovecot-keywords.
	maxKeywordsFile = 64 << 10
	// staleLockSecs is the age, in seconds, after which a lock file is taken to be left
	// over by a crash when its owner cannot be checked (Dovecot's own default
	// is two minutes).
	staleLockSecs = 120
)

// Keywords is a folder's Dovecot keyword table: the file dovecot-keywords
// holds lines "<n> <keyword>", and the info letter 'a'+n stands for that
// keyword (so at most 26 keywords live in file names).
type Keywords struct {
	names [26]string
	// reserved marks the letters of lines kept aside: a number in range
	// whose name is not an IMAP atom. Such a letter is no flag and is
	// never given to another keyword.
	reserved [26]bool
	// other holds the lines that did not parse, written back as they were.
	other []string
}

// ParseKeywords reads the content of a dovecot-keywords file. A line
// whose name is not an IMAP atom (RFC 3501 section 9: no control
// character, space, "(", ")", "{", "%", "*", '"', "\" or "]"), a line that
// does not parse, and a later line for a letter already taken are kept
// aside: no flag is read from them, Bytes writes them back unchanged, and
// the letter of an aside line with a valid number is never reused. One
// "\r" before the "\n" ends a line, as in Dovecot.
func ParseKeywords(data []byte) *Keywords {
	k := &Keywords{}
	for raw := range strings.SplitSeq(string(data), "\n") {
		line := strings.TrimSuffix(raw, "\r")
		if line == "" {
			continue
		}
		num, kw, ok := strings.Cut(line, " ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 0 || n >= 26 || num != strconv.Itoa(n) || k.names[n] != "" || k.reserved[n] {
			k.other = append(k.other, raw)
			continue
		}
		if !isAtom(kw) {
			k.reserved[n] = true
			k.other = append(k.other, raw)
			continue
		}
		k.names[n] = kw
	}
	return k
}

// isAtom reports whether s is an IMAP atom (RFC 3501 section 9) of at most
// 255 bytes: the spellings a keyword may have.
func isAtom(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// Bytes returns the file content for the table.
func (k *Keywords) Bytes() []byte {
	var b bytes.Buffer
	for i, n := range k.names {
		if n != "" {
			fmt.Fprintf(&b, "%d %s\n", i, n)
		}
	}
	for _, l := range k.other {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Name returns the keyword of letter c ('a'..'z'), "" when unmapped.
func (k *Keywords) Name(c byte) string {
	if k == nil || !isKeywordLetter(c) {
		return ""
	}
	return k.names[c-'a']
}

// letter returns the letter mapped to a flag equal to f, or 0.
func (k *Keywords) letter(f email.Flag) byte {
	if k == nil {
		return 0
	}
	for i, n := range k.names {
		if n != "" && email.ParseFlag(n).Equal(f) {
			return byte('a' + i)
		}
	}
	return 0
}

// assign gives each flag of fs that has no letter the first free one. It
// fails with email.ErrInvalidArgument when the 26 letters run out.
func (k *Keywords) assign(fs email.Flags) error {
	for _, f := range fs {
		if k.letter(f) != 0 {
			continue
		}
		free := k.free()
		if free < 0 && f.IANA == email.Forwarded {
			continue // the P letter alone carries it
		}
		if free < 0 {
			return fmt.Errorf("maildir: no free keyword letter for %q (dovecot-keywords holds 26): %w", keywordSpelling(f), email.ErrInvalidArgument)
		}
		k.names[free] = keywordSpelling(f)
	}
	return nil
}

// free returns the first letter no line uses, or -1.
func (k *Keywords) free() int {
	for i, n := range k.names {
		if n == "" && !k.reserved[i] {
			return i
		}
	}
	return -1
}

// keywordSpelling is how a flag without a letter is written into
// dovecot-keywords: the canonical spelling of a registered keyword
// ("$Junk"), the raw spelling of a custom one.
func keywordSpelling(f email.Flag) string { return f.Canonical() }

// checkKeyword refuses flags that cannot be written as a keyword: an IMAP
// keyword is an atom (see isAtom), and a custom one may not start with
// "\" (system flags are not keywords).
func checkKeyword(f email.Flag) error {
	if !isAtom(keywordSpelling(f)) || (f.IANA == email.Custom && strings.HasPrefix(f.Raw, `\`)) {
		return fmt.Errorf("maildir: flag %q cannot be stored as a keyword: %w", f.Raw, email.ErrInvalidArgument)
	}
	return nil
}

// letterless returns the flags of fs that go through dovecot-keywords,
// checking that each can be a keyword: those without an info letter, and
// $Forwarded, written both as P (read by mblaze and mbsync) and as a
// keyword letter (read by Dovecot, which ignores P).
func letterless(fs email.Flags) (email.Flags, error) {
	var out email.Flags
	for _, f := range fs {
		if letterOf(f.IANA) != 0 && f.IANA != email.Forwarded {
			continue
		}
		if err := checkKeyword(f); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
