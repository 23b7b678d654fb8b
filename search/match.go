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
// The rules are those of the package documentation: from and to match
// when the field's text (see FieldText) contains the value; subject when
// the decoded subject contains it; body when a decoded text/plain or
// text/html part that is not an attachment contains it (see BodyContains).
// All of these ignore case (Unicode lower case) and composition (NFC).
// flag compares with email.Flag.Equal. Date conditions compare
// DayOf(env.Date) with the day; a message whose Date is the zero time never
// matches them.
func (q Query) Match(env email.Envelope, body func() ([]byte, error)) (bool, error) {
	if q.Filter == nil {
		return true, nil
	}
	m := matcher{env: &env, body: body}
	return m.eval(q.Filter)
}

// MatchWith evaluates the filter on env and asks bodyHas for the value of
// each body condition: bodyHas(v) reports whether the message's body
// contains v. Network backends use it to combine a server's answer to
// "body v" (which package search leaves to the server, see the package
// documentation) with the exact local evaluation of every other
// condition on fetched header fields. Match fails only when bodyHas does;
// bodyHas is not called for a filter without body conditions, and may then
// be nil.
func (q Query) MatchWith(env email.Envelope, bodyHas func(value string) (bool, error)) (bool, error) {
	if q.Filter == nil {
		return true, nil
	}
	m := matcher{env: &env, bodyHas: bodyHas}
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
	env     *email.Envelope
	body    func() ([]byte, error)
	bodyHas func(string) (bool, error) // set by MatchWith; replaces body
	loaded  bool
	text    *bodyText
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
		if m.bodyHas != nil {
			return m.bodyHas(n.Value)
		}
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

// addrContains reports whether the text of an address field contains pat
// (folded). A field without addresses contains nothing, not even "".
func addrContains(list []email.Address, pat string) bool {
	if len(list) == 0 {
		return false
	}
	for _, a := range list {
		// Fast path: a hit inside one part is a hit in the whole text.
		if containsFold(a.Name, pat) || containsFold(a.Email, pat) {
			return true
		}
	}
	if len(list) == 1 && (list[0].Name == "" || list[0].Email == "") {
		return false // the text is the one part already searched
	}
	// A hit across parts holds a byte of the separators " <", ">", ", ".
	if !strings.ContainsAny(pat, " <>,") {
		return false
	}
	return containsFold(FieldText(list), pat)
}

// FieldText returns the text that from and to conditions search in an
// address field: each address as its display name followed by its
// addr-spec in angle brackets ("Björn Roy <br@example.org>"), or the one
// it has when the other is empty, joined by ", ". The names and
// addresses are those of the envelope, decoded: RFC 2047 words decoded
// wherever they stood, folding removed, a comment as the name where there
// is no phrase (see the package documentation).
func FieldText(list []email.Address) string {
	var b strings.Builder
	for i, a := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case a.Name == "":
			b.WriteString(a.Email)
		case a.Email == "":
			b.WriteString(a.Name)
		default:
			b.WriteString(a.Name)
			b.WriteString(" <")
			b.WriteString(a.Email)
			b.WriteByte('>')
		}
	}
	return b.String()
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
