package imap

import (
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/searchexact"
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

// compileQuery checks q and returns it ready for the search keys; see
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

// The server answers only what it provably answers as package search
// does. bound rewrites a filter into one the server may run: wide (a
// superset, every exact match is in the server's answer) or narrow (a
// subset, every message in it is an exact match). all and none stand for
// the constants (ALL and NOT ALL):
//
//	node            wide          narrow        why
//	flag f          flag f        flag f        the server holds the flags: its answer is the truth
//	body v          body v        body v        body stays server-side by design (package doc)
//	from/to/subj v  all           none          server text search is word-, FTS- or comment-blind
//	                                            (Dovecot FROM skips comments), never provably a superset
//	date/before/    all           none          the server's Date parser is not ours: Dovecot dates an
//	after D                                     unparsable Date 1970, Cyrus by arrival, both may parse
//	                                            obsolete forms differently, so SENT* is neither
//	not a           not narrow(a) not wide(a)   complement of a subset is a superset of the complement
//	a and b         wide(a) wide(b)             intersection of supersets holds the intersection
//	                (none if one is none, all dropped)
//	a or b          or wide(a) wide(b)          union of supersets holds the union
//	                (all if one is all, none dropped)
//
// A filter made only of flag and body conditions bounds to itself both
// ways (searchexact.Exact): the server's answer is then the answer. Any other
// filter is checked here, on fetched header fields, for every message of
// the wide answer (every message of the mailbox when that is all).
func bound(n search.Node, wide bool) search.Node {
	switch n := n.(type) {
	case *search.FlagCond:
		return n
	case *search.TextCond:
		if n.Field == search.Body {
			return n
		}
	case *search.Not:
		switch c := bound(n.Node, !wide); {
		case isAll(c):
			return none()
		case isNone(c):
			return all()
		default:
			return &search.Not{Node: c}
		}
	case *search.And:
		var kids []search.Node
		for _, k := range n.Nodes {
			switch c := bound(k, wide); {
			case isNone(c):
				return none()
			case !isAll(c):
				kids = append(kids, c)
			}
		}
		switch len(kids) {
		case 0:
			return all()
		case 1:
			return kids[0]
		}
		return &search.And{Nodes: kids}
	case *search.Or:
		var kids []search.Node
		for _, k := range n.Nodes {
			switch c := bound(k, wide); {
			case isAll(c):
				return all()
			case !isNone(c):
				kids = append(kids, c)
			}
		}
		switch len(kids) {
		case 0:
			return none()
		case 1:
			return kids[0]
		}
		return &search.Or{Nodes: kids}
	}
	if wide {
		return all()
	}
	return none()
}

// all and none are the constant filters: an empty And (written ALL) and an
// empty Or (written NOT ALL).
func all() search.Node  { return &search.And{} }
func none() search.Node { return &search.Or{} }

func isAll(n search.Node) bool {
	a, ok := n.(*search.And)
	return ok && len(a.Nodes) == 0
}

func isNone(n search.Node) bool {
	o, ok := n.(*search.Or)
	return ok && len(o.Nodes) == 0
}

// searchFields returns the header fields the local check and sort of q
// read, for BODY.PEEK[HEADER.FIELDS (...)], and whether it reads the
// flags. Date and Message-ID are always fetched: they break ties.
func searchFields(q search.Query, local bool) (fields string, flags bool) {
	n := searchexact.NeedsOf(q, local)
	fields = "DATE MESSAGE-ID"
	for _, f := range []struct {
		on   bool
		name string
	}{{n.From, " FROM"}, {n.To, " TO"}, {n.Subject, " SUBJECT"}} {
		if f.on {
			fields += f.name
		}
	}
	return fields, n.Flags
}
