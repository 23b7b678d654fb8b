package email

import "strings"

// Mailbox describes one mailbox (IMAP), mailbox object (JMAP) or folder
// (Maildir, m2dir).
type Mailbox struct {
	// ID identifies the mailbox in every other operation of the same backend.
	// On every backend it is the full mailbox name with "/" as the hierarchy
	// separator (JMAP resolves it to the server's mailbox id internally).
	ID string `json:"id"`
	// Name is the full human-readable name, hierarchy levels joined by "/".
	Name string `json:"name"`
	// Role is the special use of the mailbox (RFC 6154, RFC 8621 section 2),
	// or RoleNone.
	Role Role `json:"role,omitempty"`
	// Total is the number of messages. It is nil unless counts were asked
	// for (ListMailboxesOptions.WithCounts) and the backend could supply
	// them, so that "not known" (nil, absent from JSON) differs from an
	// empty mailbox (0). Read it with Counts rather than dereferencing it.
	Total *int `json:"total,omitempty"`
	// Unread is the number of messages without the Seen flag, nil under
	// the same conditions as Total.
	Unread *int `json:"unread,omitempty"`
}

// Counts returns the message and unread counts and true when the backend
// supplied both, or zeros and false when they are not known (counts not
// asked for, or not available).
func (m Mailbox) Counts() (total, unread int, ok bool) {
	if m.Total == nil || m.Unread == nil {
		return 0, 0, false
	}
	return *m.Total, *m.Unread, true
}

// Role is the special use of a mailbox, spelled in lower case as in JMAP
// (RFC 8621 section 2) and in the IANA "IMAP Mailbox Name Attributes"
// registry without its backslash.
type Role string

// The roles of RFC 6154 and RFC 8457, plus the inbox.
const (
	RoleNone      Role = ""
	RoleInbox     Role = "inbox"
	RoleArchive   Role = "archive"
	RoleDrafts    Role = "drafts"
	RoleFlagged   Role = "flagged"
	RoleImportant Role = "important"
	RoleJunk      Role = "junk"
	RoleSent      Role = "sent"
	RoleTrash     Role = "trash"
	RoleAll       Role = "all"
)

// ParseRole maps an IMAP special-use attribute ("\Sent") or a JMAP role
// ("sent") to a Role. It strips one leading backslash and lower-cases; "spam"
// is read as RoleJunk. Unknown names are returned lower-cased as they are.
func ParseRole(s string) Role {
	s = strings.ToLower(strings.TrimPrefix(s, `\`))
	if s == "spam" {
		return RoleJunk
	}
	return Role(s)
}

// IsInbox reports whether name designates the inbox: RFC 3501 section 5.1
// makes "INBOX" case-insensitive.
func IsInbox(name string) bool { return strings.EqualFold(name, "INBOX") }

// IntPtr returns a pointer to n. It helps fill Mailbox.Total and Unread.
func IntPtr(n int) *int { return &n }
