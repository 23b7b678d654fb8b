package m2dir

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ioemail/ioemail/email"
)

// maxFlagLen bounds one flag line.
const maxFlagLen = 1024

// spelling holds the m2dir spelling of each classified flag: the IANA
// registry entry verbatim, and "$Deleted" for IMAP's \Deleted, as the spec
// (commit 6009dab "Use IANA names for standard flags") and its author's
// implementation write them.
var spelling = map[email.IANA]string{
	email.Seen:      "$seen",
	email.Answered:  "$answered",
	email.Flagged:   "$flagged",
	email.Draft:     "$draft",
	email.Deleted:   "$Deleted",
	email.Forwarded: "$Forwarded",
	email.Junk:      "$Junk",
	email.NotJunk:   "$NotJunk",
	email.Phishing:  "$Phishing",
	email.Important: "$Important",
	email.MDNSent:   "$MDNSent",
}

// knownFlags holds what email.ParseFlag returns for the spellings flags
// files usually hold (this package's and IMAP's), so that ParseFlagsFile
// reads them without making a string of each.
var knownFlags = func() map[string]email.Flag {
	m := make(map[string]email.Flag, 2*len(spelling))
	for c, s := range spelling {
		m[s] = email.ParseFlag(s)
		if imap := email.FlagOf(c).Raw; imap != "" {
			m[imap] = email.ParseFlag(imap)
		}
	}
	return m
}()

// Spelling returns how f is written in a flags file: the registered
// "$keyword" spelling for a classified flag (so `\Seen`, `$seen` and `SEEN`
// are all written "$seen"), the raw spelling for a custom keyword.
func Spelling(f email.Flag) string {
	if s, ok := spelling[f.IANA]; ok {
		return s
	}
	return f.Raw
}

// FlagsFileError reports a flags file that holds something other than
// flags: a control byte, invalid UTF-8, an over-long line, or too many
// bytes. It matches email.ErrProtocol.
type FlagsFileError struct {
	Line   int    // 1-based line of the first bad line, 0 for the whole file
	Reason string // what is wrong
}

// Error implements error.
func (e *FlagsFileError) Error() string {
	if e.Line == 0 {
		return "m2dir: flags file: " + e.Reason
	}
	return fmt.Sprintf("m2dir: flags file line %d: %s", e.Line, e.Reason)
}

// Is makes errors.Is(err, email.ErrProtocol) true.
func (e *FlagsFileError) Is(target error) bool { return target == email.ErrProtocol }

// ParseFlagsFile reads a flags file: one flag per line, "\n" or "\r\n"
// terminated, surrounding white space trimmed, blank lines ignored. Each
// flag is classified with email.ParseFlag.
//
// Bad lines (control bytes, invalid UTF-8, longer than 1024 bytes) are
// skipped, and the first one is reported as a *FlagsFileError next to the
// flags of the good lines; a file larger than MaxFlagsFileSize yields no
// flags and an error.
func ParseFlagsFile(data []byte) (email.Flags, error) {
	if len(data) > MaxFlagsFileSize {
		return nil, &FlagsFileError{Reason: "file too large"}
	}
	var buf [8]email.Flag // most files hold a few flags: no allocation for them
	fs := buf[:0]
	var first error
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if reason := badFlag(line); reason != "" {
			if first == nil {
				first = &FlagsFileError{Line: n, Reason: reason}
			}
			continue
		}
		f, ok := knownFlags[string(line)]
		if !ok {
			f = email.ParseFlag(string(line))
		}
		fs = append(fs, f)
	}
	return email.NewFlags(fs...), first
}

func badFlag(b []byte) string {
	if len(b) > maxFlagLen {
		return "line too long"
	}
	if !utf8.Valid(b) {
		return "not valid UTF-8"
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return "control byte"
		}
	}
	return ""
}

// CheckFlags returns an error matching email.ErrInvalidArgument when a flag
// cannot be written to a flags file: empty, with surrounding white space,
// a control byte or invalid UTF-8, or longer than 1024 bytes.
func CheckFlags(fs email.Flags) error {
	for _, f := range fs {
		s := Spelling(f)
		if s == "" || strings.TrimSpace(s) != s || badFlag([]byte(s)) != "" {
			return fmt.Errorf("m2dir: flag %q cannot be stored: %w", f.Raw, email.ErrInvalidArgument)
		}
	}
	return nil
}

// FormatFlagsFile writes a flags file: each flag's Spelling on its own
// "\n"-terminated line, in set order, without duplicates. It returns nil
// for an empty set, which is stored as no file at all.
func FormatFlagsFile(fs email.Flags) []byte {
	fs = email.NewFlags(fs...)
	if len(fs) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, f := range fs {
		b.WriteString(Spelling(f))
		b.WriteByte('\n')
	}
	return b.Bytes()
}
