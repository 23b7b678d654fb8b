package imap

import (
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/search"
)

// maxSearchDepth bounds the nesting of a filter tree built by hand (the
// parser stops at search.MaxDepth), so compiling never exhausts the stack.
const maxSearchDepth = 1000

// compiled is a query ready to be written into a command.
type compiled struct {
	filter search.Node
	// utf8 reports a non-ASCII text value: the command names the charset.
	utf8 bool
}

// compileQuery checks q and returns it ready for writeKeys; see
// SearchEnvelopes for the mapping. It fails with
// email.ErrInvalidArgument for a tree too deep, a nil or unknown node, an
// invalid day, a NUL byte in a value, or a flag that is not an IMAP atom.
func compileQuery(q search.Query) (compiled, error) {
	c := compiled{filter: q.Filter}
	if q.Filter != nil {
		// A dry run with an encoder that refuses nothing catches every
		// error before the first byte goes out.
		e := wire.NewCommand("x", "x", wire.EncodeOptions{LiteralPlus: true})
		if err := writeKey(e, q.Filter, 0, true, &c.utf8); err != nil {
			return compiled{}, err
		}
		if _, err := e.Finish(); err != nil {
			return compiled{}, err
		}
	}
	for _, s := range q.Sort {
		if s.Key < search.ByDate || s.Key > search.BySubject {
			return compiled{}, fmt.Errorf("%w: unknown sort key %d", email.ErrInvalidArgument, s.Key)
		}
	}
	return c, nil
}

// writeKeys writes the search keys of the filter ("ALL" without one).
func (c compiled) writeKeys(e *wire.Encoder) error {
	if c.filter == nil {
		e.Raw("ALL")
		return nil
	}
	var utf8 bool
	return writeKey(e, c.filter, 0, true, &utf8)
}

// writeKey writes the search key of n. top says n is the whole filter, so
// an AND needs no parentheses; utf8 is set when a text value is not ASCII.
func writeKey(e *wire.Encoder, n search.Node, depth int, top bool, utf8 *bool) error {
	if depth > maxSearchDepth {
		return fmt.Errorf("%w: search filter nested more than %d deep", email.ErrInvalidArgument, maxSearchDepth)
	}
	switch n := n.(type) {
	case *search.And:
		switch len(n.Nodes) {
		case 0:
			e.Raw("ALL")
			return nil
		case 1:
			return writeKey(e, n.Nodes[0], depth+1, top, utf8)
		}
		if !top {
			e.Raw("(")
		}
		for i, c := range n.Nodes {
			if i > 0 {
				e.SP()
			}
			if err := writeKey(e, c, depth+1, false, utf8); err != nil {
				return err
			}
		}
		if !top {
			e.Raw(")")
		}
	case *search.Or:
		switch len(n.Nodes) {
		case 0:
			e.Raw("NOT ALL")
			return nil
		case 1:
			return writeKey(e, n.Nodes[0], depth+1, top, utf8)
		}
		// OR a OR b c: prefix notation needs no parentheses.
		for i, c := range n.Nodes {
			if i < len(n.Nodes)-1 {
				e.Raw("OR ")
			}
			if err := writeKey(e, c, depth+1, false, utf8); err != nil {
				return err
			}
			if i < len(n.Nodes)-1 {
				e.SP()
			}
		}
	case *search.Not:
		e.Raw("NOT ")
		return writeKey(e, n.Node, depth+1, false, utf8)
	case *search.DateCond:
		return writeDate(e, n)
	case *search.TextCond:
		return writeText(e, n, utf8)
	case *search.FlagCond:
		return writeFlagKey(e, n.Flag)
	default:
		return fmt.Errorf("%w: unknown search node %T", email.ErrInvalidArgument, n)
	}
	return nil
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// imapDate formats d as an IMAP date (RFC 3501 section 9: date-day "-"
// date-month "-" date-year).
func imapDate(d search.Day) string {
	return fmt.Sprintf("%d-%s-%04d", d.Day, months[d.Month-1], d.Year)
}

func writeDate(e *wire.Encoder, n *search.DateCond) error {
	d := n.Day
	if !d.Valid() {
		return fmt.Errorf("%w: %v is not a day of the calendar", email.ErrInvalidArgument, d)
	}
	switch n.Op {
	case search.On:
		e.Raw("SENTON ").Raw(imapDate(d))
	case search.Before:
		e.Raw("SENTBEFORE ").Raw(imapDate(d))
	case search.After:
		next := d.AddDays(1)
		if !next.Valid() {
			e.Raw("NOT ALL") // nothing is after 9999-12-31
			return nil
		}
		e.Raw("SENTSINCE ").Raw(imapDate(next))
	default:
		return fmt.Errorf("%w: unknown date comparison %d", email.ErrInvalidArgument, n.Op)
	}
	return nil
}

var textKeys = [...]string{search.From: "FROM ", search.To: "TO ", search.Subject: "SUBJECT ", search.Body: "BODY "}

func writeText(e *wire.Encoder, n *search.TextCond, utf8 *bool) error {
	if n.Field < search.From || n.Field > search.Body {
		return fmt.Errorf("%w: unknown search field %d", email.ErrInvalidArgument, n.Field)
	}
	if strings.IndexByte(n.Value, 0) >= 0 {
		return fmt.Errorf("%w: NUL byte in a search value", email.ErrInvalidArgument)
	}
	for i := 0; i < len(n.Value); i++ {
		if n.Value[i] >= 0x80 {
			*utf8 = true
			break
		}
	}
	e.Raw(textKeys[n.Field])
	e.Quoted(n.Value)
	return nil
}

var systemKeys = [...]string{email.Seen: "SEEN", email.Answered: "ANSWERED", email.Flagged: "FLAGGED", email.Draft: "DRAFT", email.Deleted: "DELETED"}

// writeFlagKey writes the key of a flag condition. A custom flag with a
// backslash (an unknown system flag, or \Recent, which package email never
// reports) and a keyword that is not an atom are refused.
func writeFlagKey(e *wire.Encoder, f email.Flag) error {
	if f.IANA >= email.Seen && f.IANA <= email.Deleted {
		e.Raw(systemKeys[f.IANA])
		return nil
	}
	kw := f.Canonical()
	if kw == "" || kw[0] == '\\' {
		return fmt.Errorf("%w: flag %q cannot be searched on IMAP (not a keyword)", email.ErrInvalidArgument, kw)
	}
	for i := 0; i < len(kw); i++ {
		if c := kw[i]; c <= 0x20 || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return fmt.Errorf("%w: keyword %q is not an IMAP atom", email.ErrInvalidArgument, kw)
		}
	}
	e.Raw("KEYWORD ").Atom(kw)
	return nil
}

// sortCriteria returns the SORT criteria list of by, without the
// parentheses. display selects DISPLAYFROM and DISPLAYTO (SORT=DISPLAY).
func sortCriteria(by []search.Sorter, display bool) string {
	if len(by) == 0 {
		by = search.DefaultSort
	}
	var b strings.Builder
	hasDate := false
	for i, s := range by {
		if i > 0 {
			b.WriteByte(' ')
		}
		if s.Desc {
			b.WriteString("REVERSE ")
		}
		switch s.Key {
		case search.ByDate:
			hasDate = true
			b.WriteString("DATE")
		case search.ByFrom:
			if display {
				b.WriteString("DISPLAY")
			}
			b.WriteString("FROM")
		case search.ByTo:
			if display {
				b.WriteString("DISPLAY")
			}
			b.WriteString("TO")
		case search.BySubject:
			b.WriteString("SUBJECT")
		}
	}
	if !hasDate {
		b.WriteString(" REVERSE DATE")
	}
	return b.String()
}
