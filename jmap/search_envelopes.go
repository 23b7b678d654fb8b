package jmap

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/searchexact"
	"github.com/ioemail/ioemail/search"
)

// constant is a filter that compiled to a constant truth value.
type constant bool

// compileFilter bounds a search node by a JMAP filter (RFC 8621 section
// 4.4.1) the server answers provably as package search would: wide, a
// superset of the node's matches; narrow (!wide), a subset. Only what the
// server answers exactly, or by design, is sent:
//
//	node           wide             narrow           why
//	flag f         hasKeyword f     hasKeyword f     the server holds the keywords
//	body v         body v           body v           body stays server-side (package doc)
//	from/to/subj   true             false            Cyrus's text filters are full-text: words
//	                                                 split, stemmed, one-letter words dropped,
//	                                                 indexed after a delay; never a substring
//	                                                 superset
//	date/before/   true             false            JMAP's before/after compare receivedAt, and
//	after D                                          sentAt is the server's parse of Date
//	not a          NOT narrow(a)    NOT wide(a)      complement of a subset holds the complement
//	and, or        of the bounds    of the bounds    a constant decides or drops out
//
// The result is a filter map, or a constant.
func compileFilter(n search.Node, wide bool) any {
	switch n := n.(type) {
	case *search.TextCond:
		if n.Field == search.Body {
			return map[string]any{"body": n.Value}
		}
		return constant(wide)
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

// SearchEnvelopes returns a machine that lists the page of the mailbox
// mailboxID matching q, in q's order (newest Date first by default): the
// messages, order and pages package search gives over the same messages,
// whatever the server's own text, date and sort rules.
//
// The server is asked only what it answers provably (see compileFilter):
// the candidates are Email/query with inMailbox ANDed with the wide bound
// of the filter (the filter itself when it holds only flag and body
// conditions, which is then the answer). Each exchange is one page of
// candidate ids and, by back-reference, their Email/get of id, keywords
// (for a flag condition) and the raw header fields the check and the sort
// read (header:Date:asRaw:all and header:Message-ID:asRaw:all always, the
// tie-breaks; header:From, To and Subject as needed; RFC 8621 section
// 4.1.3). The first instance of each field is parsed as the local stores
// parse it (internal/header, as search.EnvelopeFromHeader), and the filter checked with
// search.Query.MatchWith; a body condition the check needs is answered by
// its own Email/query (body v, paged, ids only) before the candidates.
// Only matches are kept; they are sorted with search.Sort, the page
// (opts) is cut, and its envelopes fetched with one Email/get of the
// page's ids (the properties of ListEnvelopes), in the sorted order. A
// page of candidates therefore costs one exchange, as ListEnvelopes, and
// the page one more.
func SearchEnvelopes(s *Session, mailboxID string, q search.Query, opts email.ListOptions) Machine[[]email.Envelope] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, []email.Envelope](nil, &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	if opts.PageSize < 0 || opts.Page < 0 {
		return coroutine.Done[Response, Request, []email.Envelope](nil, email.ErrInvalidArgument)
	}
	m := &searchMachine{s: s, q: q, opts: opts, inMailbox: map[string]any{"inMailbox": mailboxID}}
	m.filter = m.inMailbox
	if f := q.Filter; f != nil {
		m.local = !searchexact.Exact(f)
		switch c := compileFilter(f, true).(type) {
		case constant:
			if !c {
				return coroutine.Done[Response, Request, []email.Envelope]([]email.Envelope{}, nil)
			}
		case map[string]any:
			m.filter = map[string]any{"operator": "AND", "conditions": []any{m.inMailbox, c}}
			// A superset that is one body condition is also that
			// condition's answer: no query of its own.
			if v, ok := c["body"].(string); ok && len(c) == 1 {
				m.candidateBody = &v
			}
		}
		if m.local {
			for _, v := range searchexact.BodyValues(f) {
				if m.candidateBody == nil || *m.candidateBody != v {
					m.bodyValues = append(m.bodyValues, v)
				}
			}
		}
	}
	m.props = m.headerProps()
	return m
}

// The phases of searchMachine.
const (
	phaseBodies     = iota // page through the body queries
	phaseCandidates        // page through the candidates and their fields
	phasePage              // fetch the page's envelopes
	phaseDone
)

type searchMachine struct {
	s          *Session
	q          search.Query
	opts       email.ListOptions
	inMailbox  map[string]any
	filter     any
	local      bool
	bodyValues []string
	bodies     map[string]map[string]bool
	// candidateBody is the value of the body condition that is the
	// whole superset: true of every candidate.
	candidateBody *string
	props         []string
	phase         int
	body          int // the body query being paged
	pos           int // position of the next window
	seen          map[string]bool
	hits          []email.Envelope
	page          []string
	inner         Machine[*Responses]
	out           []email.Envelope
	err           error
}

// headerProps returns the Email/get properties the check and sort read.
func (m *searchMachine) headerProps() []string {
	props := []string{"id", rawDate, rawMessageID}
	n := searchexact.NeedsOf(m.q, m.local)
	for _, p := range []struct {
		on   bool
		name string
	}{{n.Flags, "keywords"}, {n.From, rawFrom}, {n.To, rawTo}, {n.Subject, rawSubject}} {
		if p.on {
			props = append(props, p.name)
		}
	}
	return props
}

func (m *searchMachine) Resume(in Response) (Request, bool) {
	for {
		if m.phase == phaseDone {
			return Request{}, true
		}
		if m.inner == nil {
			m.start()
			in = Response{}
			continue
		}
		req, done := m.inner.Resume(in)
		if !done {
			return req, false
		}
		r, err := m.inner.Result()
		m.inner = nil
		if err == nil {
			err = m.absorb(r)
		}
		if err != nil {
			m.err, m.phase = err, phaseDone
		}
		in = Response{}
	}
}

// start builds the next exchange of the current phase, moving on to the
// next phase when this one has nothing left.
func (m *searchMachine) start() {
	if m.seen == nil {
		m.seen = make(map[string]bool)
	}
	switch m.phase {
	case phaseBodies:
		if m.body >= len(m.bodyValues) {
			m.phase, m.pos = phaseCandidates, 0
			m.start()
			return
		}
		f := map[string]any{"operator": "AND", "conditions": []any{m.inMailbox, map[string]any{"body": m.bodyValues[m.body]}}}
		m.inner = API(m.s, nil, []Call{m.query(f)})
	case phaseCandidates:
		g := Call{Name: "Email/get", ID: "g", Args: map[string]any{
			"accountId":  m.s.AccountID,
			"#ids":       Ref{ResultOf: "q", Name: "Email/query", Path: "/ids"},
			"properties": m.props,
		}}
		m.inner = API(m.s, nil, []Call{m.query(m.filter), g})
	case phasePage:
		g := Call{Name: "Email/get", ID: "g", Args: map[string]any{
			"accountId":  m.s.AccountID,
			"ids":        m.page,
			"properties": envelopeProps,
		}}
		m.inner = API(m.s, nil, []Call{g})
	}
}

// query is the Email/query of the window at m.pos of filter, in the
// listing order (a stable order keeps the windows apart).
func (m *searchMachine) query(filter any) Call {
	return Call{Name: "Email/query", ID: "q", Args: map[string]any{
		"accountId": m.s.AccountID,
		"filter":    filter,
		"sort":      emailSort(m.s),
		"position":  m.pos,
		"limit":     m.s.MaxGet(),
	}}
}

// maxSearchIDs bounds the candidates and body matches kept.
const maxSearchIDs = 1 << 20

func (m *searchMachine) absorb(r *Responses) error {
	switch m.phase {
	case phaseBodies:
		var q queryResponse
		if err := r.Decode("q", "Email/query", &q); err != nil {
			return err
		}
		if m.bodies == nil {
			m.bodies = make(map[string]map[string]bool)
		}
		set := m.bodies[m.bodyValues[m.body]]
		if set == nil {
			set = make(map[string]bool)
			m.bodies[m.bodyValues[m.body]] = set
		}
		fresh := 0
		for _, id := range q.IDs {
			if !set[id] {
				set[id] = true
				fresh++
			}
		}
		if len(set) > maxSearchIDs {
			return fmt.Errorf("%w: more than %d messages match", email.ErrTooLarge, maxSearchIDs)
		}
		last, err := m.windowEnds(q, fresh)
		if err != nil {
			return err
		}
		if last {
			m.body, m.pos = m.body+1, 0
		}
	case phaseCandidates:
		var q queryResponse
		var g struct {
			List []Email `json:"list"`
		}
		if err := r.Decode("q", "Email/query", &q); err != nil {
			return err
		}
		if err := r.Decode("g", "Email/get", &g); err != nil {
			return err
		}
		seenBefore := len(m.seen)
		// The window's ids not seen in an earlier one (a listing may
		// shift while it is paged); an id Email/get does not return is
		// gone.
		fresh := make(map[string]bool, len(q.IDs))
		for _, id := range q.IDs {
			if !m.seen[id] {
				m.seen[id], fresh[id] = true, true
			}
		}
		for i := range g.List {
			e := &g.List[i]
			if !fresh[e.ID] {
				continue // not asked for, already seen, or repeated
			}
			delete(fresh, e.ID)
			env := e.Envelope()
			if m.local {
				ok, _ := m.q.MatchWith(env, func(v string) (bool, error) { return m.bodyHolds(v, env.ID), nil })
				if !ok {
					continue
				}
			}
			if len(m.hits) >= maxSearchIDs {
				return fmt.Errorf("%w: more than %d messages match", email.ErrTooLarge, maxSearchIDs)
			}
			env.Flags = nil
			m.hits = append(m.hits, env)
		}
		last, err := m.windowEnds(q, len(m.seen)-seenBefore)
		if err != nil {
			return err
		}
		if last {
			search.Sort(m.hits, m.q.Sort)
			start, end := m.opts.Window(len(m.hits))
			for _, e := range m.hits[start:end] {
				m.page = append(m.page, e.ID)
			}
			m.hits, m.seen, m.bodies = nil, nil, nil
			m.phase = phasePage
			if len(m.page) == 0 {
				m.out, m.phase = []email.Envelope{}, phaseDone
			}
		}
	case phasePage:
		var g emailGet
		if err := r.Decode("g", "Email/get", &g); err != nil {
			return err
		}
		byID := make(map[string]*Email, len(g.List))
		for i := range g.List {
			byID[g.List[i].ID] = &g.List[i]
		}
		m.out = make([]email.Envelope, 0, len(m.page))
		for _, id := range m.page {
			if e := byID[id]; e != nil {
				m.out = append(m.out, e.Envelope())
			}
		}
		m.phase = phaseDone
	}
	return nil
}

// windowEnds advances past the window q answered and reports whether it
// was the last; fresh is how many of its ids were new. It is an error for
// more ids than asked for, a full window of old ids only, or a listing
// past maxSearchIDs.: a short window, unless the server capped the limit (RFC
// 8620 section 5.5) and filled the capped window.
func (m *searchMachine) windowEnds(q queryResponse, fresh int) (bool, error) {
	n := len(q.IDs)
	if n > m.s.MaxGet() {
		return false, protocolError("Email/query returned more ids than the limit")
	}
	m.pos += n
	if m.pos > maxSearchIDs {
		// A server that never ends the listing is refused, not followed.
		return false, fmt.Errorf("%w: more than %d messages in the search", email.ErrTooLarge, maxSearchIDs)
	}
	full := m.s.MaxGet()
	if q.Limit != nil && *q.Limit > 0 && *q.Limit < full {
		full = *q.Limit
	}
	if n < full || n == 0 {
		return true, nil
	}
	if fresh == 0 {
		// A full window of ids all seen before: the server is not
		// moving on (it ignores position), so the listing would not end.
		return false, protocolError("Email/query repeats its window; position ignored")
	}
	return false, nil
}

// bodyHolds is the server's answer to the body condition of value for
// the message id.
func (m *searchMachine) bodyHolds(value, id string) bool {
	if m.candidateBody != nil && *m.candidateBody == value {
		return true // the superset is this condition
	}
	return m.bodies[value][id]
}

func (m *searchMachine) Result() ([]email.Envelope, error) {
	if m.phase != phaseDone {
		return nil, coroutine.ErrNotDone
	}
	if m.err != nil {
		return nil, m.err
	}
	return m.out, nil
}
