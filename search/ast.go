package search

import "github.com/ioemail/ioemail/email"

// Query is a parsed search: a filter and a sort order. The zero Query
// matches every message and asks for the default order (Date header, newest
// first).
//
// Query is plain data, free of any backend: each backend compiles it to its
// own form (IMAP SEARCH and SORT keys, a JMAP filter) or evaluates it in
// memory with Match and Sort.
type Query struct {
	// Filter selects messages; nil selects every message.
	Filter Node
	// Sort lists the sort keys, the first one primary; nil means the
	// default order. See SortEnvelopes.
	Sort []Sorter
}

// Node is a node of the filter tree: *And, *Or, *Not, *DateCond, *TextCond
// or *FlagCond. Compile it with a type switch; Walk visits a tree.
type Node interface {
	// String prints the node in the query language; the text parses back
	// to an equal node.
	String() string
	node()
}

// And matches when every one of its nodes matches. The parser builds it from
// "a and b" and from juxtaposition "a b"; it always has at least two nodes.
type And struct {
	Nodes []Node // the conditions, in query order
}

// Or matches when at least one of its nodes matches. It always has at least
// two nodes.
type Or struct {
	Nodes []Node // the alternatives, in query order
}

// Not matches when its node does not match. In particular "not before D"
// matches messages without a date.
type Not struct {
	Node Node // the negated condition
}

// DateOp says how a DateCond compares a message's day with its Day.
type DateOp uint8

// The date comparisons. The message's day is the calendar date of its Date
// header in the header's own UTC offset (RFC 5322 section 3.3, the same rule
// as IMAP's SENTON, SENTBEFORE and SENTSINCE in RFC 3501 section 6.4.4).
const (
	On     DateOp = iota + 1 // "date D": the message's day is D
	Before                   // "before D": the message's day is earlier than D
	After                    // "after D": the message's day is later than D
)

var dateOpNames = [...]string{"", "date", "before", "after"}

// String returns the keyword of the operation.
func (op DateOp) String() string {
	if int(op) < len(dateOpNames) {
		return dateOpNames[op]
	}
	return ""
}

// DateCond compares the day of a message's Date header with Day. A message
// without a (parseable) Date header never matches a DateCond.
type DateCond struct {
	Op  DateOp // how the message's day compares with Day
	Day Day    // the calendar day; the Date header is read in its own offset
}

// Field names the part of a message a TextCond searches.
type Field uint8

// The searchable fields.
const (
	From    Field = iota + 1 // display names and addresses of the From header
	To                       // display names and addresses of the To header
	Subject                  // the decoded Subject header
	Body                     // the decoded text/plain and text/html parts
)

var fieldNames = [...]string{"", "from", "to", "subject", "body"}

// String returns the keyword of the field.
func (f Field) String() string {
	if int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return ""
}

// TextCond matches messages whose Field contains Value, ignoring case. An
// empty Value matches every message that has the field (for From and To, at
// least one address; for Subject and Body, every message).
type TextCond struct {
	Field Field  // the header field or the body
	Value string // the text searched for
}

// FlagCond matches messages that carry Flag, compared with email.Flag.Equal
// (so "seen", `\Seen` and "$seen" are the same condition).
type FlagCond struct {
	Flag email.Flag // the flag a message must carry
}

func (*And) node()      {}
func (*Or) node()       {}
func (*Not) node()      {}
func (*DateCond) node() {}
func (*TextCond) node() {}
func (*FlagCond) node() {}

// SortKey names what a Sorter orders by.
type SortKey uint8

// The sort keys.
const (
	ByDate    SortKey = iota + 1 // the Date header instant; undated messages sort lowest
	ByFrom                       // the first From address: RFC 5957 display key (see DisplayKey)
	ByTo                         // the first To address, as ByFrom
	BySubject                    // the base subject (RFC 5256 section 2.1), i;ascii-casemap
)

var sortKeyNames = [...]string{"", "date", "from", "to", "subject"}

// String returns the keyword of the key.
func (k SortKey) String() string {
	if int(k) < len(sortKeyNames) {
		return sortKeyNames[k]
	}
	return ""
}

// Sorter is one sort key with its direction.
type Sorter struct {
	// Key is what the messages are ordered by.
	Key SortKey
	// Desc reverses the order of this key (the query's "desc").
	Desc bool
}

// Walk calls fn for n and, while fn returns true, for each node below it,
// depth first. A nil n is not visited.
func Walk(n Node, fn func(Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	switch n := n.(type) {
	case *And:
		for _, c := range n.Nodes {
			Walk(c, fn)
		}
	case *Or:
		for _, c := range n.Nodes {
			Walk(c, fn)
		}
	case *Not:
		Walk(n.Node, fn)
	}
}

// NeedsBody reports whether evaluating the filter may need the message body,
// that is whether it holds a "body" condition. Local stores read whole
// messages only for such queries.
func (q Query) NeedsBody() bool {
	found := false
	Walk(q.Filter, func(n Node) bool {
		if t, ok := n.(*TextCond); ok && t.Field == Body {
			found = true
		}
		return !found
	})
	return found
}
