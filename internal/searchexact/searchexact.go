// Package searchexact holds what the network backends share to answer a
// search exactly as package search does while the server answers only
// part of it: which filters the server answers exactly, which body values
// a local check needs from the server, and which header fields it reads.
// The check itself is search.Query.MatchWith on search.EnvelopeFromHeader.
//
// The server is trusted for flag conditions (it holds the flags) and body
// conditions (left to the server by design, see package search); text and
// date conditions are always decided here, on the header fields decoded
// as the local stores decode them (internal/header).
package searchexact

import (
	"slices"

	"github.com/ioemail/ioemail/search"
)

// Exact reports whether the server answers n exactly: n holds only flag
// and body conditions (and, or, not of them).
func Exact(n search.Node) bool {
	ok := true
	search.Walk(n, func(x search.Node) bool {
		switch x := x.(type) {
		case *search.DateCond:
			ok = false
		case *search.TextCond:
			ok = ok && x.Field == search.Body
		}
		return ok
	})
	return ok
}

// BodyValues returns the distinct values of the body conditions of n, in
// the order they first appear.
func BodyValues(n search.Node) []string {
	var out []string
	search.Walk(n, func(x search.Node) bool {
		if t, ok := x.(*search.TextCond); ok && t.Field == search.Body && !slices.Contains(out, t.Value) {
			out = append(out, t.Value)
		}
		return true
	})
	return out
}

// Needs says what a local check (when local is set) and the sort of q read
// besides the Date and the Message-ID, which are always read (the tie
// breaks of search.Sort).
type Needs struct {
	From, To, Subject, Flags bool
}

// NeedsOf returns what the check and sort of q read.
func NeedsOf(q search.Query, local bool) Needs {
	var n Needs
	if local {
		search.Walk(q.Filter, func(x search.Node) bool {
			switch x := x.(type) {
			case *search.TextCond:
				n.From = n.From || x.Field == search.From
				n.To = n.To || x.Field == search.To
				n.Subject = n.Subject || x.Field == search.Subject
			case *search.FlagCond:
				n.Flags = true
			}
			return true
		})
	}
	for _, s := range q.Sort {
		n.From = n.From || s.Key == search.ByFrom
		n.To = n.To || s.Key == search.ByTo
		n.Subject = n.Subject || s.Key == search.BySubject
	}
	return n
}
