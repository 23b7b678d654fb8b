package maildir

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// maxFileName bounds the file names ParseName accepts.
const maxFileName = 4096

// Name is a message file name split into its parts (storage-formats 1.3
// and 1.4; D. J. Bernstein, "Using maildir format").
//
// A name is <key>[<sep><info>]. The key is everything before the first
// separator; it is the message's id in this package and may itself carry
// comma fields such as Dovecot's ",S=<size>,W=<vsize>" or mbsync's
// ",U=<uid>". The info, when it starts with "2,", is a run of flag bytes
// ("FS"), optionally followed by a Dovecot extension starting with ",".
type Name struct {
	// Key is the unique part, before the first separator.
	Key string
	// HasInfo is set when the name has a separator.
	HasInfo bool
	// Info is everything after the separator.
	Info string
	// Flags holds the flag bytes when Info starts with "2,": uppercase
	// letters are flags, lowercase a-z are Dovecot keyword letters, other
	// bytes are kept as they are. It is empty for other infos.
	Flags string
	// Extra is the Dovecot extension after the flags, with its leading
	// comma ("" when none); it is kept verbatim when flags change.
	Extra string
	// Size is the ",S=" field of the key (the file size), -1 when absent.
	Size int64
	// VSize is the ",W=" field of the key (the size with CRLF line ends,
	// RFC822.SIZE), -1 when absent.
	VSize int64
}

// ParseName splits a file name found in new/ or cur/ with the store's
// separator. It fails, with an error matching email.ErrInvalidID, for names
// that cannot be messages: empty, starting with "." (not messages by the
// Maildir rules), with an empty key, holding "/" or NUL, or longer than
// 4096 bytes.
//
// Only the info after the separator is read for flags: a key such as
// "123.host,S=4567" carries no flag even though it ends in "S=4567"
// (seed-reference 11.18).
func ParseName(file string, sep byte) (Name, error) {
	switch {
	case file == "":
		return Name{}, fmt.Errorf("maildir: empty file name: %w", email.ErrInvalidID)
	case len(file) > maxFileName:
		return Name{}, fmt.Errorf("maildir: file name of %d bytes: %w", len(file), email.ErrInvalidID)
	case file[0] == '.':
		return Name{}, fmt.Errorf("maildir: file name %q starts with a dot: %w", file, email.ErrInvalidID)
	case strings.IndexByte(file, '/') >= 0 || strings.IndexByte(file, 0) >= 0:
		return Name{}, fmt.Errorf("maildir: file name %q holds \"/\" or NUL: %w", file, email.ErrInvalidID)
	}
	n := Name{Key: file, Size: -1, VSize: -1}
	if i := strings.IndexByte(file, sep); i >= 0 {
		n.Key, n.Info, n.HasInfo = file[:i], file[i+1:], true
	}
	if n.Key == "" {
		return Name{}, fmt.Errorf("maildir: file name %q has an empty key: %w", file, email.ErrInvalidID)
	}
	if rest, ok := strings.CutPrefix(n.Info, "2,"); ok {
		n.Flags = rest
		if j := strings.IndexByte(rest, ','); j >= 0 {
			n.Flags, n.Extra = rest[:j], rest[j:]
		}
	}
	if i := strings.IndexByte(n.Key, ','); i >= 0 {
		for f := range strings.SplitSeq(n.Key[i+1:], ",") {
			if v, ok := strings.CutPrefix(f, "S="); ok {
				n.Size = parseSize(v)
			} else if v, ok := strings.CutPrefix(f, "W="); ok {
				n.VSize = parseSize(v)
			}
		}
	}
	return n, nil
}

// parseSize parses a decimal size field, -1 when it is not one.
func parseSize(v string) int64 {
	if v == "" || len(v) > 18 {
		return -1
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return -1
		}
		n = n*10 + int64(v[i]-'0')
	}
	return n
}

// Standard reports whether the info follows the "2," convention (or is
// absent), so that flags can be read from it and written into it.
func (n Name) Standard() bool { return !n.HasInfo || strings.HasPrefix(n.Info, "2,") }

// WithFlags returns the file name with the info "2," + flags + Extra: the
// flag bytes sorted in ASCII order and deduplicated, as the Maildir
// specification requires.
func (n Name) WithFlags(flags string, sep byte) string {
	return n.Key + string(sep) + "2," + sortFlags(flags) + n.Extra
}

// String returns the file name with the separator ':'.
func (n Name) String() string { return n.file(':') }

// file reassembles the name.
func (n Name) file(sep byte) string {
	if !n.HasInfo {
		return n.Key
	}
	return n.Key + string(sep) + n.Info
}

// sortFlags sorts flag bytes in ASCII order and removes duplicates and
// bytes that cannot stand in a flag run (",", "/", the separators, NUL).
func sortFlags(flags string) string {
	b := []byte(flags)
	b = slices.DeleteFunc(b, func(c byte) bool { return c == ',' || c == '/' || c == ':' || c == ';' || c == 0 })
	slices.Sort(b)
	return string(slices.Compact(b))
}
