package search

import (
	"strings"
)

// String prints the query in the search language: the filter, then
// "order by" and the sort keys. The text parses back to an equal Query.
// The zero Query prints as "".
func (q Query) String() string {
	var b strings.Builder
	if q.Filter != nil {
		writeNode(&b, q.Filter, 0)
	}
	if len(q.Sort) > 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("order by")
		for _, s := range q.Sort {
			b.WriteByte(' ')
			b.WriteString(s.String())
		}
	}
	return b.String()
}

// String prints the sorter as in a query: "date" or "date desc".
func (s Sorter) String() string {
	if s.Desc {
		return s.Key.String() + " desc"
	}
	return s.Key.String()
}

// Binding strengths, to decide where parentheses are needed.
const (
	precOr  = 1
	precAnd = 2
	precNot = 3
)

// writeNode prints n; it wraps n in parentheses when n binds no tighter
// than its context (ctx), so that the tree shape survives a round trip.
func writeNode(b *strings.Builder, n Node, ctx int) {
	switch n := n.(type) {
	case *Or:
		writeList(b, n.Nodes, " or ", precOr, ctx)
	case *And:
		writeList(b, n.Nodes, " and ", precAnd, ctx)
	case *Not:
		b.WriteString("not ")
		writeNode(b, n.Node, precNot)
	default:
		b.WriteString(n.String())
	}
}

func writeList(b *strings.Builder, nodes []Node, sep string, prec, ctx int) {
	paren := ctx >= prec
	if paren {
		b.WriteByte('(')
	}
	for i, c := range nodes {
		if i > 0 {
			b.WriteString(sep)
		}
		writeNode(b, c, prec)
	}
	if paren {
		b.WriteByte(')')
	}
}

// String prints the node.
func (n *And) String() string { return nodeString(n) }

// String prints the node.
func (n *Or) String() string { return nodeString(n) }

// String prints the node.
func (n *Not) String() string { return nodeString(n) }

func nodeString(n Node) string {
	var b strings.Builder
	writeNode(&b, n, 0)
	return b.String()
}

// String prints the condition, such as "before 2026-01-31".
func (n *DateCond) String() string { return n.Op.String() + " " + n.Day.String() }

// String prints the condition, such as `subject "hello world"`.
func (n *TextCond) String() string { return n.Field.String() + " " + Quote(n.Value) }

// String prints the condition, such as `flag \Seen`.
func (n *FlagCond) String() string { return "flag " + Quote(n.Flag.Raw) }

// Quote returns s as a value of the query language: unchanged when it can
// stand as a bare word, else in double quotes with '\' and '"' escaped.
// Values are UTF-8 without control characters (Parse never builds others);
// a value outside that set prints as text that does not parse.
func Quote(s string) string {
	if bare(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// bare reports whether s reads back as itself when written unquoted: not
// empty, not reserved, no white space, parenthesis, quote or control
// character, and no backslash that would read as an escape.
func bare(s string) bool {
	if s == "" || reserved(s) {
		return false
	}
	for i, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '(' || r == ')' || r == '"' || isControl(r):
			return false
		case r == '\\' && (i+1 >= len(s) || escapable(s[i+1])):
			return false
		}
	}
	return true
}
