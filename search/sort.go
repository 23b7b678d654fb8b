package search

import (
	"slices"
	"strings"
	"time"

	"github.com/ioemail/ioemail/email"
)

// DefaultSort is the order of a query without "order by": Date header,
// newest first.
var DefaultSort = []Sorter{{Key: ByDate, Desc: true}}

// SortEnvelopes sorts envs in place by the query's sort keys, or by
// DefaultSort when it has none. See Sort.
func (q Query) SortEnvelopes(envs []email.Envelope) {
	Sort(envs, q.Sort)
}

// Sort sorts envs in place by the keys of by, the first one primary (nil or
// empty means DefaultSort). The order is the one Compare defines: total,
// the same on every backend, so pages are stable.
func Sort(envs []email.Envelope, by []Sorter) {
	if len(by) == 0 {
		by = DefaultSort
	}
	keys := make([]sortKeys, len(envs))
	for i := range envs {
		keys[i] = makeKeys(&envs[i], by)
	}
	idx := make([]int, len(envs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return compareKeys(&envs[a], &envs[b], &keys[a], &keys[b], by)
	})
	out := make([]email.Envelope, len(envs))
	for i, j := range idx {
		out[i] = envs[j]
	}
	copy(envs, out)
}

// Compare returns -1, 0 or +1 as a sorts before, with or after b under the
// keys of by (nil or empty means DefaultSort). Backends that fetch the
// matching envelopes and order them locally use it (or Sort) so that every
// backend gives one order.
//
// The keys compare:
//   - date: the instant of the Date header; a message without a date is
//     lower than any dated message (so it comes last under "date desc");
//   - from, to: the RFC 5957 display key of the first address of the
//     header: its display name, or its addr-spec when it has none; "" for
//     a header without addresses;
//   - subject: the RFC 5256 section 2.1 base subject (see BaseSubject).
//
// Strings compare as the i;ascii-casemap collation (RFC 4790 section
// 9.2) does: ASCII letters upper-cased, then octet by octet, so "_"
// sorts after letters (as Dovecot's SORT does) and non-ASCII text by its
// UTF-8 bytes.
//
// Ties on every key are broken, on every backend alike, by the Date
// instant, newest first (undated last); then by the Message-ID (octet
// order, a message without one first); then by the backend's id (octet
// order), which only messages with equal Date and Message-ID reach.
func Compare(a, b *email.Envelope, by []Sorter) int {
	if len(by) == 0 {
		by = DefaultSort
	}
	ka, kb := makeKeys(a, by), makeKeys(b, by)
	return compareKeys(a, b, &ka, &kb, by)
}

// sortKeys holds the precomputed string keys of one envelope.
type sortKeys struct {
	from, to, subject string
}

func makeKeys(e *email.Envelope, by []Sorter) sortKeys {
	var k sortKeys
	for _, s := range by {
		switch s.Key {
		case ByFrom:
			k.from = DisplayKey(e.From)
		case ByTo:
			k.to = DisplayKey(e.To)
		case BySubject:
			k.subject = asciiUpper(BaseSubject(e.Subject))
		}
	}
	return k
}

// DisplayKey returns the sort key of an address field under "order by
// from" and "order by to": the RFC 5957 display key of its first address
// (the display name, or the addr-spec when the name is empty), upper-cased
// in ASCII for the i;ascii-casemap comparison; "" when list is empty.
func DisplayKey(list []email.Address) string {
	if len(list) == 0 {
		return ""
	}
	if list[0].Name != "" {
		return asciiUpper(list[0].Name)
	}
	return asciiUpper(list[0].Email)
}

// asciiUpper upper-cases the ASCII letters of s (i;ascii-casemap, RFC 4790
// section 9.2) and leaves every other byte as it is.
func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func compareKeys(a, b *email.Envelope, ka, kb *sortKeys, by []Sorter) int {
	for _, s := range by {
		var c int
		switch s.Key {
		case ByDate:
			c = compareDates(a.Date, b.Date)
		case ByFrom:
			c = strings.Compare(ka.from, kb.from)
		case ByTo:
			c = strings.Compare(ka.to, kb.to)
		case BySubject:
			c = strings.Compare(ka.subject, kb.subject)
		}
		if s.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	if c := compareDates(b.Date, a.Date); c != 0 {
		return c
	}
	if c := strings.Compare(a.MessageID, b.MessageID); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// compareDates orders instants, the zero time (no date) lowest.
func compareDates(a, b time.Time) int {
	switch az, bz := a.IsZero(), b.IsZero(); {
	case az && bz:
		return 0
	case az:
		return -1
	case bz:
		return 1
	}
	return a.Compare(b)
}

// BaseSubject returns the base subject of RFC 5256 section 2.1: white space
// runs collapsed to one space, trailing "(fwd)", leading "Re:", "Fw:",
// "Fwd:" (with optional "[blob]" parts) and "[Fwd: ...]" wrappers removed.
// Case is kept; the comparison folds it.
func BaseSubject(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		// Step 2: trailing "(fwd)" and white space.
		for {
			t := strings.TrimRight(s, " ")
			if len(t) >= 5 && strings.EqualFold(t[len(t)-5:], "(fwd)") {
				s = t[:len(t)-5]
				continue
			}
			s = t
			break
		}
		// Steps 3 to 5: leading subj-leaders and blobs.
		for {
			t := strings.TrimLeft(s, " ")
			if r, ok := cutRefwd(t); ok {
				s = r
				continue
			}
			if r, ok := cutBlob(t); ok && strings.TrimLeft(r, " ") != "" {
				s = r
				continue
			}
			s = t
			break
		}
		// Step 6: "[fwd: ...]".
		if len(s) >= 6 && strings.EqualFold(s[:5], "[fwd:") && s[len(s)-1] == ']' {
			s = s[5 : len(s)-1]
			continue
		}
		return s
	}
}

// cutRefwd removes one subj-leader: *subj-blob ("re" / "fw" / "fwd") *WSP
// [subj-blob] ":".
func cutRefwd(s string) (string, bool) {
	t := s
	for {
		r, ok := cutBlob(t)
		if !ok {
			break
		}
		t = r
	}
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "re"):
		t = t[2:]
	case strings.HasPrefix(lower, "fwd"):
		t = t[3:]
	case strings.HasPrefix(lower, "fw"):
		t = t[2:]
	default:
		return s, false
	}
	t = strings.TrimLeft(t, " ")
	if r, ok := cutBlob(t); ok {
		t = r
	}
	if !strings.HasPrefix(t, ":") {
		return s, false
	}
	return t[1:], true
}

// cutBlob removes one subj-blob: "[" *(any but "[" "]") "]" *WSP.
func cutBlob(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return s, false
	}
	end := strings.IndexAny(s[1:], "[]")
	if end < 0 || s[1+end] != ']' {
		return s, false
	}
	return strings.TrimLeft(s[end+2:], " "), true
}
