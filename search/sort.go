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
// empty means DefaultSort). Ties on every key are broken by Date, newest
// first, then by ID, so the order is total and pages are stable.
//
// The keys compare:
//   - date: the instant of the Date header; a message without a date is
//     lower than any dated message (so it comes last under "date desc");
//   - from, to: the first address of the header, by its display name or,
//     when it has none, its address, case-folded; a message without
//     addresses is lowest;
//   - subject: the base subject of RFC 5256 section 2.1 (without "Re:",
//     "Fwd:", "[list]" prefixes and "(fwd)" suffixes), case-folded.
//
// Strings compare by code point after lower-casing and NFC; servers that
// sort with a collation may order non-ASCII text differently.
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

// sortKeys holds the precomputed string keys of one envelope.
type sortKeys struct {
	from, to, subject string
	hasFrom, hasTo    bool
}

func makeKeys(e *email.Envelope, by []Sorter) sortKeys {
	var k sortKeys
	for _, s := range by {
		switch s.Key {
		case ByFrom:
			k.from, k.hasFrom = addrKey(e.From)
		case ByTo:
			k.to, k.hasTo = addrKey(e.To)
		case BySubject:
			k.subject = fold(BaseSubject(e.Subject))
		}
	}
	return k
}

func addrKey(list []email.Address) (string, bool) {
	if len(list) == 0 {
		return "", false
	}
	if list[0].Name != "" {
		return fold(list[0].Name), true
	}
	return fold(list[0].Email), true
}

func compareKeys(a, b *email.Envelope, ka, kb *sortKeys, by []Sorter) int {
	for _, s := range by {
		var c int
		switch s.Key {
		case ByDate:
			c = compareDates(a.Date, b.Date)
		case ByFrom:
			c = compareAddr(ka.from, kb.from, ka.hasFrom, kb.hasFrom)
		case ByTo:
			c = compareAddr(ka.to, kb.to, ka.hasTo, kb.hasTo)
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

func compareAddr(a, b string, ha, hb bool) int {
	switch {
	case ha != hb && ha:
		return 1
	case ha != hb:
		return -1
	}
	return strings.Compare(a, b)
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
