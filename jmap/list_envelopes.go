package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// emailSort returns the Email/query sort of listings: sentAt (the Date
// header) newest first when the server can sort by it, receivedAt newest
// first otherwise, then id when the server lists it, so pages are stable.
func emailSort(s *Session) []map[string]any {
	prop := "sentAt"
	if !s.CanSort(prop) {
		prop = "receivedAt"
	}
	out := []map[string]any{{"property": prop, "isAscending": false}}
	if len(s.Mail.EmailQuerySortOptions)+len(s.Mail.EmailsListSortOptions) > 0 && s.CanSort("id") {
		out = append(out, map[string]any{"property": "id", "isAscending": true})
	}
	return out
}

type queryResponse struct {
	QueryState          string   `json:"queryState"`
	CanCalculateChanges bool     `json:"canCalculateChanges"`
	Position            int      `json:"position"`
	IDs                 []string `json:"ids"`
	Total               *int     `json:"total"`
	// Limit is set when the server capped the limit asked for.
	Limit *int `json:"limit"`
}

type emailGet struct {
	State    string   `json:"state"`
	List     []Email  `json:"list"`
	NotFound []string `json:"notFound"`
}

// ListEnvelopes returns a machine that lists a page of the mailbox with id
// mailboxID, newest Date header first (see emailSort). Each exchange holds
// an Email/query and an Email/get of its result by back-reference, so a
// page of at most maxObjectsInGet envelopes costs one exchange; a larger
// page or a listing without paging (opts.PageSize 0) takes one exchange
// per maxObjectsInGet envelopes.
func ListEnvelopes(s *Session, mailboxID string, opts email.ListOptions) Machine[[]email.Envelope] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, []email.Envelope](nil, &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	if opts.PageSize < 0 || opts.Page < 0 {
		return coroutine.Done[Response, Request, []email.Envelope](nil, email.ErrInvalidArgument)
	}
	m := &listMachine{s: s, filter: map[string]any{"inMailbox": mailboxID}, sort: emailSort(s), remain: -1}
	if opts.PageSize > 0 {
		m.pos = (max(opts.Page, 1) - 1) * opts.PageSize
		m.remain = opts.PageSize
	}
	return m
}

type listMachine struct {
	s      *Session
	filter any
	sort   []map[string]any
	pos    int
	remain int // envelopes still wanted, -1 for all
	limit  int // size of the window in flight
	inner  Machine[*Responses]
	out    []email.Envelope
	err    error
	done   bool
}

func (m *listMachine) Resume(in Response) (Request, bool) {
	if m.done {
		return Request{}, true
	}
	if m.inner == nil {
		if !m.next() {
			return Request{}, true
		}
		in = Response{}
	}
	for {
		req, done := m.inner.Resume(in)
		if !done {
			return req, false
		}
		r, err := m.inner.Result()
		if err == nil {
			err = m.absorb(r)
		}
		if err != nil {
			m.err, m.done = err, true
			return Request{}, true
		}
		if !m.next() {
			return Request{}, true
		}
		in = Response{}
	}
}

// next starts the next window; it reports false when the listing is over.
func (m *listMachine) next() bool {
	if m.remain == 0 {
		m.done = true
		return false
	}
	m.limit = m.s.MaxGet()
	if m.remain > 0 {
		m.limit = min(m.limit, m.remain)
	}
	q := Call{Name: "Email/query", ID: "q", Args: map[string]any{
		"accountId": m.s.AccountID,
		"filter":    m.filter,
		"sort":      m.sort,
		"position":  m.pos,
		"limit":     m.limit,
	}}
	g := Call{Name: "Email/get", ID: "g", Args: map[string]any{
		"accountId":  m.s.AccountID,
		"#ids":       Ref{ResultOf: "q", Name: "Email/query", Path: "/ids"},
		"properties": envelopeProps,
	}}
	m.inner = apiRaw(m.s, []Call{q, g})
	return true
}

func (m *listMachine) absorb(raw *Responses) error {
	var q queryResponse
	var g emailGet
	ok := false
	if len(raw.raw) == 1 {
		var st string
		st, ok = DecodeInto(raw.raw[0], []string{"Email/query", "Email/get"}, []string{"q", "g"}, &q, &g)
		m.s.noteState(st)
	}
	if !ok {
		// Not the expected answer: decode it the general way, for a
		// precise error.
		if len(raw.raw) != 1 {
			return protocolError("listing answered by more than one response")
		}
		r, err := DecodeResponse(raw.raw[0])
		if err != nil {
			return err
		}
		m.s.noteState(r.SessionState)
		q, g = queryResponse{}, emailGet{}
		if err := r.Decode("q", "Email/query", &q); err != nil {
			return err
		}
		if err := r.Decode("g", "Email/get", &g); err != nil {
			return err
		}
	}
	byID := make(map[string]*Email, len(g.List))
	for i := range g.List {
		byID[g.List[i].ID] = &g.List[i]
	}
	for _, id := range q.IDs {
		if e, ok := byID[id]; ok {
			m.out = append(m.out, e.Envelope())
		}
	}
	n := len(q.IDs)
	if n > m.limit {
		return protocolError("Email/query returned more ids than the limit")
	}
	m.pos += n
	if m.remain > 0 {
		m.remain -= n
	}
	// A short window ends the listing, unless the server capped the limit
	// (RFC 8620 section 5.5) and filled the capped window.
	full := m.limit
	if q.Limit != nil && *q.Limit > 0 && *q.Limit < full {
		full = *q.Limit
	}
	if n < full || n == 0 {
		m.remain = 0
	}
	return nil
}

func (m *listMachine) Result() ([]email.Envelope, error) {
	if !m.done {
		return nil, coroutine.ErrNotDone
	}
	if m.err != nil {
		return nil, m.err
	}
	if m.out == nil {
		m.out = []email.Envelope{}
	}
	return m.out, nil
}
