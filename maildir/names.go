package maildir

import (
	"strings"
	"unicode/utf8"

	"github.com/ioemail/ioemail/email"
)

// Limits on mailbox names.
const (
	maxComponent = 255 // bytes of one directory name
	maxDepth     = 64  // hierarchy levels
)

// ValidateName reports whether CreateMailbox accepts the mailbox name,
// with a *email.NameError (matching email.ErrInvalidName) saying why not.
//
// "" and "INBOX" in any case name the root maildir. Other names are UTF-8
// with "/" between levels. Refused, in every layout: an empty level (a
// leading, trailing or doubled "/"), "." and "..", NUL and other control
// characters, invalid UTF-8, a level longer than 255 bytes, more than 64
// levels, and children of INBOX ("INBOX/x": no layout has an agreed
// spelling for them, so use the top-level name "x", which IMAP servers on
// Maildir++ show as INBOX.x). In Maildir++ a level may not contain "."
// (the on-disk separator) and the whole directory name must fit in 255
// bytes; in the fs layout a level may not be exactly cur, new or tmp (it
// would be the parent maildir's own directory; Dovecot refuses them too,
// while New or Tmp are ordinary folders).
//
// Creating a folder is stricter than using one: CreateMailbox also refuses
// a level starting with "~" or holding a backslash, and in the fs layout a
// level starting with "." (it looks like a Maildir++ folder). A folder
// with such a name that another program made is still listed and every
// other operation accepts its name.
func (s Store) ValidateName(mailbox string) error {
	_, err := s.newComponents(mailbox)
	return err
}

// newComponents validates the name of a mailbox to create (the stricter
// rules of ValidateName) and splits it into levels; INBOX gives nil.
func (s Store) newComponents(mailbox string) ([]string, error) {
	comps, err := s.components(mailbox)
	if err != nil {
		return nil, err
	}
	for _, c := range comps {
		if reason := s.badNewComponent(c); reason != "" {
			return nil, &email.NameError{Name: mailbox, Reason: reason}
		}
	}
	return comps, nil
}

// badNewComponent returns why a level, valid for an existing folder, may
// not be created, or "".
func (s Store) badNewComponent(c string) string {
	switch {
	case c[0] == '~':
		return "hierarchy level starts with \"~\""
	case strings.IndexByte(c, '\\') >= 0:
		return "backslash"
	case s.Layout == LayoutFS && c[0] == '.':
		return "hierarchy level starts with \".\""
	}
	return ""
}

// components validates the name of an existing mailbox and splits it into
// levels; INBOX gives nil. It refuses only what cannot name a directory
// safely or would collide on disk; see ValidateName for new names.
func (s Store) components(mailbox string) ([]string, error) {
	if mailbox == "" || email.IsInbox(mailbox) {
		return nil, nil
	}
	bad := func(reason string) ([]string, error) {
		return nil, &email.NameError{Name: mailbox, Reason: reason}
	}
	if len(mailbox) > maxDepth*(maxComponent+1) {
		return bad("name too long")
	}
	comps := strings.Split(mailbox, "/")
	if len(comps) > maxDepth {
		return bad("too many hierarchy levels")
	}
	if email.IsInbox(comps[0]) {
		return bad("children of INBOX are not supported; use a top-level name")
	}
	for _, c := range comps {
		if reason := s.badComponent(c); reason != "" {
			return bad(reason)
		}
	}
	if s.Layout == LayoutMaildirPP && len(ppDirName(comps)) > maxComponent {
		return bad("Maildir++ directory name longer than 255 bytes")
	}
	return comps, nil
}

// badComponent returns why one level of a name is refused, or "".
func (s Store) badComponent(c string) string {
	switch {
	case c == "":
		return "empty hierarchy level (leading, trailing or doubled \"/\")"
	case c == "." || c == "..":
		return "\".\" and \"..\" are not names"
	case len(c) > maxComponent:
		return "hierarchy level longer than 255 bytes"
	case !utf8.ValidString(c):
		return "not valid UTF-8"
	}
	for i := 0; i < len(c); i++ {
		switch b := c[i]; {
		case b == 0:
			return "NUL byte"
		case b < 0x20 || b == 0x7f:
			return "control character"
		}
	}
	if s.Layout == LayoutMaildirPP {
		if strings.IndexByte(c, '.') >= 0 {
			return "\".\" is the Maildir++ hierarchy separator"
		}
		return ""
	}
	if c == "cur" || c == "new" || c == "tmp" {
		return "cur, new and tmp are the maildir's own directories"
	}
	return ""
}

// ppDirName is the Maildir++ directory of the levels: ".A.B".
func ppDirName(comps []string) string {
	return "." + strings.Join(comps, ".")
}

// ppName maps a Maildir++ directory name back to a mailbox name, reporting
// false for a directory that is not a valid folder (".", "..", "..x",
// ".INBOX", a level the rules refuse).
func (s Store) ppName(dir string) (string, bool) {
	if len(dir) < 2 || dir[0] != '.' {
		return "", false
	}
	name := strings.ReplaceAll(dir[1:], ".", "/")
	comps, err := s.components(name)
	if err != nil || len(comps) == 0 {
		return "", false
	}
	return name, true
}
