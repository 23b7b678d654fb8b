package imap

import (
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Capabilities returns the server's current capabilities (RFC 3501
// section 7.2.1), upper-cased and sorted, as plain strings: "IDLE",
// "AUTH=PLAIN", "IMAP4rev1" is "IMAP4REV1". It is a copy.
func (s *Session) Capabilities() []string { return capList(s.caps) }

// EnabledCapabilities returns what ENABLE turned on (RFC 5161), as
// Capabilities does.
func (s *Session) EnabledCapabilities() []string { return capList(s.enabled) }

// HasCapability reports whether the server announced the capability name,
// compared case-insensitively; IMAP4rev2 servers count as having the
// extensions that revision includes (RFC 9051 section 7.2.2), as the
// machines of this package see them.
func (s *Session) HasCapability(name string) bool {
	return s.caps.Has(imap.Cap(strings.ToUpper(name))) || s.caps.Has(imap.Cap(name))
}

// IgnoreCapability makes the machines of this session behave as if the
// server had neither announced nor enabled the capability name (compared
// case-insensitively), for example "QRESYNC" or "CONDSTORE" to work around
// a server whose extension is broken, or to exercise a fallback path. It
// lasts until the server sends a new capability list (after STARTTLS or
// authentication); a command already sent is not changed.
func (s *Session) IgnoreCapability(name string) {
	for _, set := range []imap.CapSet{s.caps, s.enabled} {
		for c := range set {
			if strings.EqualFold(string(c), name) {
				delete(set, c)
			}
		}
	}
}

func capList(set imap.CapSet) []string {
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, strings.ToUpper(string(c)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
