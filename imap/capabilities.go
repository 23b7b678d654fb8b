package imap

import (
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Capabilities returns the server's current capabilities (RFC 3501
// section 7.2.1), upper-cased and sorted, as plain strings: "IDLE",
// "AUTH=PLAIN", "IMAP4rev1" is "IMAP4REV1". It is a copy; the Caps field
// holds the same set as the session works with it.
func (s *Session) Capabilities() []string { return capList(s.Caps) }

// EnabledCapabilities returns what ENABLE turned on (RFC 5161), as
// Capabilities does.
func (s *Session) EnabledCapabilities() []string { return capList(s.Enabled) }

// HasCapability reports whether the server announced the capability name,
// compared case-insensitively; IMAP4rev2 servers count as having the
// extensions that revision includes (RFC 9051 section 7.2.2), as the
// machines of this package see them.
func (s *Session) HasCapability(name string) bool {
	return s.Caps.Has(imap.Cap(strings.ToUpper(name))) || s.Caps.Has(imap.Cap(name))
}

func capList(set imap.CapSet) []string {
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, strings.ToUpper(string(c)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
