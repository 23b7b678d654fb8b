package search

import (
	"errors"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/ioemail/ioemail/email"
)

// ErrNoBody is returned by Match when the filter has a body condition and
// no way to load the message was given.
var ErrNoBody = errors.New("search: body condition needs the message, but none was given")

// Match reports whether the message matches the query's filter. A query
// without a filter matches every message.
//
// env supplies everything but the body. body returns the raw message
// (RFC 5322 bytes); it is called at most once, and only when a body
// condition is evaluated, so callers can load messages lazily. It may be
// nil for queries without body conditions (see NeedsBody). Match fails only
// when body fails (with that error) or is nil when needed (ErrNoBody); a
// malformed message is searched as best it can be, never an error.
//
// The rules: from and to match when the display name or the address of any
// From (To) address contains the value; subject when the decoded subject
// contains it; body when a decoded text/plain or text/html part that is not
// an attachment contains it (see BodyContains). All of these ignore case
// (Unicode lower case) and composition (NFC). flag compares with email.Flag.Equal. Date
// conditions compare DayOf(env.Date) with the day; a message whose Date is
// the zero time never matches them.
func (q Query) Match(env email.Envelope, body func() ([]byte, error)) (bool, error) {
	if q.Filter == nil {
		return true, nil
	}
	m := matcher{env: &env, body: body}
	return m.eval(q.Filter)
}

// MatchEnvelope evaluates the filter on what env holds, without the body.
// It returns known false when the answer depends on a body condition
// (whose value is then needed: call Match with the message); otherwise
// matched is the answer Match would give. Local stores use it to read whole
// messages only for the envelopes that need them: "from alice and body x"
// reads no message that is not from alice.
func (q Query) MatchEnvelope(env email.Envelope) (matched, known bool) {
	if q.Filter == nil {
		return true, true
	}
	m := matcher{env: &env}
	switch m.partial(q.Filter) {
	case yes:
		return true, true
	case no:
		return false, true
	}
	return false, false
}

// tri is a three-valued truth: a body condition is unknown until the body
// is read.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

// partial evaluates n with Kleene's three-valued logic, body conditions
// unknown.
func (m *matcher) partial(n Node) tri {
	switch n := n.(type) {
	case *And:
		out := yes
		for _, c := range n.Nodes {
			switch m.partial(c) {
			case no:
				return no
			case unknown:
				out = unknown
			}
		}
		return out
	case *Or:
		out := no
		for _, c := range n.Nodes {
			switch m.partial(c) {
			case yes:
				return yes
			case unknown:
				out = unknown
			}
		}
		return out
	case *Not:
		switch m.partial(n.Node) {
		case yes:
			return no
		case no:
			return yes
		}
		return unknown
	case *TextCond:
		if n.Field == Body {
			return unknown
		}
		ok, _ := m.textCond(n)
		return truth(ok)
	}
	ok, _ := m.eval(n)
	return truth(ok)
}

// matcher evaluates one message; it caches the decoded text of the body
// across body conditions.
type matcher struct {
	env    *email.Envelope
	body   func() ([]byte, error)
	loaded bool
	text   *bodyText
}

func (m *matcher) eval(n Node) (bool, error) {
	switch n := n.(type) {
	case *And:
		for _, c := range n.Nodes {
			ok, err := m.eval(c)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case *Or:
		for _, c := range n.Nodes {
			ok, err := m.eval(c)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *Not:
		ok, err := m.eval(n.Node)
		return !ok && err == nil, err
	case *DateCond:
		return matchDate(m.env, n), nil
	case *FlagCond:
		return m.env.Flags.Has(n.Flag), nil
	case *TextCond:
		return m.textCond(n)
	}
	return false, nil
}

func matchDate(env *email.Envelope, n *DateCond) bool {
	if env.Date.IsZero() {
		return false
	}
	c := DayOf(env.Date).Compare(n.Day)
	switch n.Op {
	case On:
		return c == 0
	case Before:
		return c < 0
	case After:
		return c > 0
	}
	return false
}

func (m *matcher) textCond(n *TextCond) (bool, error) {
	pat := fold(n.Value)
	switch n.Field {
	case From:
		return addrContains(m.env.From, pat), nil
	case To:
		return addrContains(m.env.To, pat), nil
	case Subject:
		return containsFold(m.env.Subject, pat), nil
	case Body:
		if !m.loaded {
			if m.body == nil {
				return false, ErrNoBody
			}
			raw, err := m.body()
			if err != nil {
				return false, err
			}
			m.text, m.loaded = decodeText(raw), true
		}
		return m.text.contains(pat), nil
	}
	return false, nil
}

func addrContains(list []email.Address, pat string) bool {
	for _, a := range list {
		if containsFold(a.Name, pat) || containsFold(a.Email, pat) {
			return true
		}
	}
	return false
}

// fold maps s to a form in which comparison ignores case and Unicode
// composition: lower case, then NFC (so "é" written as e + U+0301 matches
// "é").
func fold(s string) string {
	s = strings.ToLower(s)
	if isASCII(s) {
		return s
	}
	return norm.NFC.String(s)
}

// containsFold reports whether fold(s) contains folded, which must be
// folded already. ASCII text is searched without allocating.
func containsFold(s, folded string) bool {
	if !isASCII(s) {
		return strings.Contains(fold(s), folded)
	}
	if !isASCII(folded) {
		return false // the lower case of ASCII text is ASCII
	}
	n := len(folded)
	if n == 0 {
		return true
	}
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && lowerASCII(s[i+j]) == folded[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
