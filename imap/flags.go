package imap

import (
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// writeFlags writes "(flag flag ...)" in canonical spellings: \Seen,
// \Answered, \Flagged, \Draft, \Deleted for the system flags, $Forwarded,
// $Junk, ... for the registered keywords, the raw spelling for others. A
// keyword that is not an atom, or \Recent (which only the server sets),
// is refused with email.ErrInvalidArgument.
func writeFlags(e *wire.Encoder, flags email.Flags) error {
	e.Raw("(")
	for i, f := range email.NewFlags(flags...) {
		c := f.Canonical()
		if strings.EqualFold(c, `\Recent`) {
			return fmt.Errorf("%w: \\Recent cannot be set", email.ErrInvalidArgument)
		}
		if f.IANA == email.Custom && strings.HasPrefix(c, `\`) {
			return fmt.Errorf("%w: unknown system flag %q", email.ErrInvalidArgument, c)
		}
		if i > 0 {
			e.SP()
		}
		e.Flag(c)
	}
	e.Raw(")")
	return nil
}
