package imap

import (
	"strings"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// Mailbox names.
//
// Callers name mailboxes in UTF-8 with "/" between hierarchy levels, as
// email.Mailbox.ID holds them. On the wire a name is encoded in modified
// UTF-7 (RFC 3501 section 5.1.3), or sent as UTF-8 once UTF8=ACCEPT is
// enabled (RFC 6855), and "/" is replaced by the server's hierarchy
// delimiter once a LIST has told it. "INBOX" is case-insensitive.

// checkName refuses names that no server can hold.
func checkName(name string) error {
	if name == "" {
		return &email.NameError{Name: name, Reason: "empty"}
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] == 0x7f {
			return &email.NameError{Name: name, Reason: "control character"}
		}
	}
	if strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.Contains(name, "//") {
		return &email.NameError{Name: name, Reason: "empty hierarchy level"}
	}
	return nil
}

// wireName maps a caller's name to the server's hierarchy delimiter.
func (s *Session) wireName(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if s.delim == 0 || s.delim == '/' {
		return name, nil
	}
	if strings.ContainsRune(name, s.delim) {
		return "", &email.NameError{Name: name, Reason: "contains the server's hierarchy delimiter " + string(s.delim)}
	}
	return strings.ReplaceAll(name, "/", string(s.delim)), nil
}

// mailbox writes a caller's mailbox name into a command. A name that
// ListMailboxes could not decode (its ID is the raw wire name) goes back
// exactly as the server sent it.
func (s *Session) mailbox(e *wire.Encoder, name string) error {
	if s.rawNames[name] {
		e.String(name)
		return nil
	}
	w, err := s.wireName(name)
	if err != nil {
		return err
	}
	e.Mailbox(w)
	return nil
}

// callerName turns a decoded wire name into the caller's form.
func (s *Session) callerName(name string, delim rune) string {
	if email.IsInbox(name) {
		return "INBOX"
	}
	if delim == 0 || delim == '/' {
		return name
	}
	return strings.ReplaceAll(name, string(delim), "/")
}

// sameMailbox compares two caller names (INBOX case-insensitively).
func sameMailbox(a, b string) bool {
	if email.IsInbox(a) && email.IsInbox(b) {
		return true
	}
	return a == b
}
