package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// constant is a filter that compiled to a constant truth value.
type constant bool

// compileFilter turns a search node into a JMAP filter (RFC 8621 section
// 4.4.1). Date conditions cannot be expressed exactly (JMAP's before and
// after compare receivedAt, not the Date header), so a condition is
// compiled to the widest filter (superset, wide true) or the narrowest
// (subset, wide false) that contains or is contained in its matches: a
// date condition becomes true in a superset and false in a subset, and NOT
// swaps the two. The result is a map, or a constant.
func compileFilter(n search.Node, wide bool) any {
	switch n := n.(type) {
	case *search.DateCond:
		return constant(wide)
	case *search.TextCond:
		key := map[search.Field]string{search.From: "from", search.To: "to", search.Subject: "subject", search.Body: "body"}[n.Field]
		if key == "" {
			return constant(wide)
		}
		return map[string]any{key: n.Value}
	case *search.FlagCond:
		return map[string]any{"hasKeyword": Keyword(n.Flag)}
	case *search.Not:
		switch c := compileFilter(n.Node, !wide).(type) {
		case constant:
			return !c
		default:
			return map[string]any{"operator": "NOT", "conditions": []any{c}}
		}
	case *search.And, *search.Or:
		var kids []search.Node
		isAnd := false
		if a, ok := n.(*search.And); ok {
			kids, isAnd = a.Nodes, true
		} else {
			kids = n.(*search.Or).Nodes
		}
		var conds []any
		for _, k := range kids {
			switch c := compileFilter(k, wide).(type) {
			case constant:
				if bool(c) != isAnd {
					return c // false in an AND, true in an OR
				}
			default:
				conds = append(conds, c)
			}
		}
		switch len(conds) {
		case 0:
			return constant(isAnd)
		case 1:
			return conds[0]
		}
		op := "OR"
		if isAnd {
			op = "AND"
		}
		return map[string]any{"operator": op, "conditions": conds}
	}
	return constant(wide)
}

// hasDate reports whether the filter has a date condition.
func hasDate(n search.Node) bool {
	found := false
	search.Walk(n, func(x search.Node) bool {
		if _, ok := x.(*search.DateCond); ok {
			found = true
		}
		return !found
	})
	return found
}

// compileSort turns the query's sort into a JMAP sort, reporting false when
// the server cannot sort by one of its keys.
func compileSort(s *Session, by []search.Sorter) ([]map[string]any, bool) {
	if len(by) == 0 {
		return emailSort(s), true
	}
	props := map[search.SortKey]string{search.ByDate: "sentAt", search.ByFrom: "from", search.ByTo: "to", search.BySubject: "subject"}
	var out []map[string]any
	for _, k := range by {
		p := props[k.Key]
		if p == "" || !s.CanSort(p) {
			return nil, false
		}
		out = append(out, map[string]any{"property": p, "isAscending": !k.Desc})
	}
	return out, true
}

// SearchEnvelopes returns a machine that lists the page of the mailbox
// mailboxID matching q, in q's order (newest Date first by default).
//
// The filter is compiled to a JMAP Email/query filter ANDed with
// inMailbox; text conditions use the server's matching (RFC 8621: from,
// to, subject, body), flags hasKeyword. When the query has no date
// condition and the server sorts by its keys, paging is the server's and a
// page costs one exchange, as ListEnvelopes. Date conditions (on the Date
// header, a calendar day in the sender's offset) have no JMAP equivalent,
// so the server is asked for a superset and every candidate is checked
// here on its Date header with search.Query.MatchEnvelope, exactly,
// wherever the condition sits (under not, or); candidates whose answer
// depends on a body condition are kept as the server matched them. That
// path, and sort keys the server lacks, list every candidate, then sort
// (search.Sort) and page locally.
func SearchEnvelopes(s *Session, mailboxID string, q search.Query, opts email.ListOptions) Machine[[]email.Envelope] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, []email.Envelope](nil, &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	if opts.PageSize < 0 || opts.Page < 0 {
		return coroutine.Done[Response, Request, []email.Envelope](nil, email.ErrInvalidArgument)
	}
	inMailbox := map[string]any{"inMailbox": mailboxID}
	var filter any = inMailbox
	if q.Filter != nil {
		switch c := compileFilter(q.Filter, true).(type) {
		case constant:
			if !c {
				return coroutine.Done[Response, Request, []email.Envelope]([]email.Envelope{}, nil)
			}
		default:
			filter = map[string]any{"operator": "AND", "conditions": []any{inMailbox, c}}
		}
	}
	sort, serverSort := compileSort(s, q.Sort)
	local := hasDate(q.Filter) || !serverSort
	if !serverSort {
		sort = emailSort(s)
	}
	m := &listMachine{s: s, filter: filter, sort: sort, remain: -1}
	if !local {
		if opts.PageSize > 0 {
			m.pos = (max(opts.Page, 1) - 1) * opts.PageSize
			m.remain = opts.PageSize
		}
		return m
	}
	return coroutine.Map[Response, Request](Machine[[]email.Envelope](m), func(envs []email.Envelope) ([]email.Envelope, error) {
		kept := envs[:0]
		for _, e := range envs {
			if ok, known := q.MatchEnvelope(e); ok || !known {
				kept = append(kept, e)
			}
		}
		if !serverSort {
			search.Sort(kept, q.Sort)
		}
		start, end := opts.Window(len(kept))
		return append([]email.Envelope{}, kept[start:end]...), nil
	})
}
