package email

import (
	"encoding/json"
	"strings"
)

// IANA is the classification of a flag among the IANA "IMAP and JMAP
// Keywords" registry entries that every backend understands. The zero value,
// Custom, means a keyword outside that set.
type IANA uint8

// The classified flags, in their sort order.
const (
	Custom    IANA = iota // a keyword outside the registry set
	Seen                  // \Seen, $seen, Maildir S
	Answered              // \Answered, $answered, Maildir R
	Flagged               // \Flagged, $flagged, Maildir F
	Draft                 // \Draft, $draft, Maildir D
	Deleted               // \Deleted, $deleted, Maildir T
	Forwarded             // $Forwarded (RFC 5788), Maildir P
	Junk                  // $Junk
	NotJunk               // $NotJunk
	Phishing              // $Phishing (RFC 8457)
	Important             // $Important (RFC 8457)
	MDNSent               // $MDNSent (RFC 3503)
)

var ianaNames = [...]string{"", "seen", "answered", "flagged", "draft", "deleted", "forwarded", "junk", "notjunk", "phishing", "important", "mdnsent"}

// ianaJSON holds the JSON spelling of each class (kebab-case, as the
// reference implementation's serialisation).
var ianaJSON = [...]string{"", "seen", "answered", "flagged", "draft", "deleted", "forwarded", "junk", "not-junk", "phishing", "important", "mdn-sent"}

var ianaCanonical = [...]string{"", `\Seen`, `\Answered`, `\Flagged`, `\Draft`, `\Deleted`, "$Forwarded", "$Junk", "$NotJunk", "$Phishing", "$Important", "$MDNSent"}

// String returns the lower-case name of the class ("seen", "notjunk"), or ""
// for Custom.
func (c IANA) String() string {
	if int(c) < len(ianaNames) {
		return ianaNames[c]
	}
	return ""
}

// Flag is a message flag or keyword. It keeps the spelling it was read with
// (Raw) and its classification (IANA), so that `\Seen`, `$seen` and the
// Maildir letter S are one logical flag while unknown keywords pass through
// untouched.
//
// Two flags are equal when both are classified and their classes match, or
// when both are custom and their raw spellings match ignoring ASCII case.
// Use Equal, Compare or Key rather than ==, which compares spellings.
//
// In JSON a flag is the object {"raw": "\\Seen", "iana": "seen"}: "raw" is
// the spelling, "iana" the class in kebab-case (seen, answered, flagged,
// draft, deleted, forwarded, junk, not-junk, phishing, important,
// mdn-sent) or null for a custom keyword. Decoding also takes a bare
// string, and always classifies "raw" again (see UnmarshalJSON).
type Flag struct {
	// Raw is the spelling as read from the wire or the disk.
	Raw string
	// IANA is the classification of Raw, Custom when it has none.
	IANA IANA
}

// Common flags, in their canonical spellings.
var (
	FlagSeen      = Flag{`\Seen`, Seen}
	FlagAnswered  = Flag{`\Answered`, Answered}
	FlagFlagged   = Flag{`\Flagged`, Flagged}
	FlagDraft     = Flag{`\Draft`, Draft}
	FlagDeleted   = Flag{`\Deleted`, Deleted}
	FlagForwarded = Flag{"$Forwarded", Forwarded}
	FlagJunk      = Flag{"$Junk", Junk}
	FlagNotJunk   = Flag{"$NotJunk", NotJunk}
	FlagPhishing  = Flag{"$Phishing", Phishing}
	FlagImportant = Flag{"$Important", Important}
	FlagMDNSent   = Flag{"$MDNSent", MDNSent}
)

// ParseFlag classifies a raw flag spelling: it removes one leading `\` or `$`,
// folds ASCII case and compares with the registry names (seen, answered,
// flagged, draft, deleted, forwarded, junk, notjunk, phishing, important,
// mdnsent). Anything else is a Custom flag with Raw kept verbatim.
//
// ParseFlag reads flag and keyword spellings (IMAP, JMAP, m2dir), not
// Maildir info letters: ParseFlag("S") is the custom keyword "S", which
// IMAP may legally carry. The maildir backend maps the letters D, F, P, R,
// S and T to FlagDraft, FlagFlagged, FlagForwarded, FlagAnswered, FlagSeen
// and FlagDeleted itself, so a Maildir message with S in its name lists
// with FlagSeen.
func ParseFlag(raw string) Flag {
	s := raw
	if len(s) > 0 && (s[0] == '\\' || s[0] == '$') {
		s = s[1:]
	}
	for i := 1; i < len(ianaNames); i++ {
		if strings.EqualFold(s, ianaNames[i]) {
			return Flag{Raw: raw, IANA: IANA(i)}
		}
	}
	return Flag{Raw: raw}
}

// FlagOf returns the flag of class c in its canonical spelling. FlagOf(Custom)
// is the zero Flag.
func FlagOf(c IANA) Flag {
	if c == Custom || int(c) >= len(ianaCanonical) {
		return Flag{}
	}
	return Flag{Raw: ianaCanonical[c], IANA: c}
}

// String returns the raw spelling.
func (f Flag) String() string { return f.Raw }

// Canonical returns the IMAP spelling of the flag: `\Seen`, `\Answered`,
// `\Flagged`, `\Draft`, `\Deleted` for the RFC 3501 system flags,
// `$Forwarded`, `$Junk`, ... for the other registered keywords, and Raw for
// a custom keyword.
func (f Flag) Canonical() string {
	if f.IANA != Custom {
		return ianaCanonical[f.IANA]
	}
	return f.Raw
}

// Keyword returns the JMAP and m2dir spelling (RFC 8621 section 4.1.1): the
// registered keywords as lower-case `$seen`, `$answered`, ..., a custom
// keyword as Raw.
func (f Flag) Keyword() string {
	if f.IANA != Custom {
		return "$" + ianaNames[f.IANA]
	}
	return f.Raw
}

// Key returns a string that is equal for two flags exactly when Equal reports
// them equal, for use as a map key.
func (f Flag) Key() string {
	if f.IANA != Custom {
		return "i:" + ianaNames[f.IANA]
	}
	return "c:" + strings.ToLower(f.Raw)
}

// Equal reports whether f and g are the same logical flag.
func (f Flag) Equal(g Flag) bool {
	if f.IANA != Custom || g.IANA != Custom {
		return f.IANA == g.IANA
	}
	return strings.EqualFold(f.Raw, g.Raw)
}

// Compare orders flags: classified flags first, in the order of the IANA
// constants, then custom flags by lower-cased spelling. It returns -1, 0 or
// +1, and 0 exactly when Equal is true.
func (f Flag) Compare(g Flag) int {
	switch {
	case f.IANA != Custom && g.IANA != Custom:
		return cmpInt(int(f.IANA), int(g.IANA))
	case f.IANA != Custom:
		return -1
	case g.IANA != Custom:
		return 1
	}
	return strings.Compare(strings.ToLower(f.Raw), strings.ToLower(g.Raw))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type flagJSON struct {
	Raw  string  `json:"raw"`
	IANA *string `json:"iana"`
}

// MarshalJSON encodes the flag as {"raw": "\\Seen", "iana": "seen"}, with
// "iana" null for a custom keyword.
func (f Flag) MarshalJSON() ([]byte, error) {
	v := flagJSON{Raw: f.Raw}
	if f.IANA != Custom && int(f.IANA) < len(ianaJSON) {
		v.IANA = &ianaJSON[f.IANA]
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes the object form written by MarshalJSON, or a bare
// JSON string holding the raw spelling. The classification is always derived
// again from "raw"; a stored "iana" value is not trusted.
func (f *Flag) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = ParseFlag(s)
		return nil
	}
	var v flagJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = ParseFlag(v.Raw)
	return nil
}
