package jmap

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// diffState is the checkpoint of DiffEnvelopes: the mailbox id, the
// account's Email state, the query state of the mailbox's Email/query, and
// the set of emails in the mailbox as sorted 64-bit FNV-1a hashes of their
// ids (8 bytes each, little-endian, base64 in the JSON encoding).
type diffState struct {
	Mailbox string `json:"m"`
	Email   string `json:"e"`
	Query   string `json:"q"`
	Members []byte `json:"h"`
}

// members is the decoded membership set of a diffState.
type members map[uint64]struct{}

func idHash(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

func decodeMembers(b []byte) (members, bool) {
	if len(b)%8 != 0 {
		return nil, false
	}
	out := make(members, len(b)/8)
	for i := 0; i < len(b); i += 8 {
		out[binary.LittleEndian.Uint64(b[i:])] = struct{}{}
	}
	return out, true
}

func (ms members) encode() []byte {
	hs := make([]uint64, 0, len(ms))
	for h := range ms {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	out := make([]byte, 8*len(hs))
	for i, h := range hs {
		binary.LittleEndian.PutUint64(out[8*i:], h)
	}
	return out
}

func (ms members) has(id string) bool {
	_, ok := ms[idHash(id)]
	return ok
}

// diffSort is the sort of the diff's query: by arrival, which never changes.
var diffSort = []map[string]any{{"property": "receivedAt", "isAscending": false}}

// maxBaselineRestarts bounds how often a baseline listing restarts because
// the mailbox changed between its pages.
const maxBaselineRestarts = 3

type diffPhase uint8

const (
	phaseBaseline diffPhase = iota // Email/query pages + Email/get ids []
	phaseChanges                   // Email/queryChanges + Email/changes
	phaseMore                      // Email/changes while hasMoreChanges
	phaseGet                       // Email/get of new and changed emails
)

// DiffEnvelopes returns a machine that reports what changed in the mailbox
// mailboxID since state, a State an earlier diff of the same mailbox
// returned.
//
// The diff is scoped to the mailbox, exactly: Email/queryChanges on an
// inMailbox query says which emails may have entered or left it,
// Email/changes (hasMoreChanges followed) which emails changed, and the
// membership set kept in the state (8 bytes per email in the mailbox)
// settles what servers report loosely (Cyrus lists every changed email as
// removed and added again). New holds the emails that entered the mailbox
// (created, moved or copied in), Vanished those that left it (destroyed,
// moved out), FlagUpdates those that stayed and changed, with their whole
// flag sets; the three are disjoint. A diff takes two exchanges (one more
// per extra round of Email/changes); the envelopes are fetched in chunks of
// maxObjectsInGet.
//
// Without a state, with a state of another mailbox, or when the server
// cannot calculate the changes (cannotCalculateChanges, tooManyChanges),
// the machine lists the ids of the mailbox (paged Email/query) to build a
// fresh state, and the result asks for a full list. Email/changes is
// account-wide, and nothing else says which emails that stayed in the
// mailbox changed keywords, so its loss ends the diff even when
// Email/queryChanges still answers: Cyrus, for one, refuses any Email state
// older than the deletion of any mailbox that held messages on the account
// ("outdated sinceModseq").
func DiffEnvelopes(s *Session, mailboxID string, state email.State) Machine[email.EnvelopeDiff] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, email.EnvelopeDiff](email.EnvelopeDiff{}, &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	m := &diffEnvelopes{s: s, mailbox: mailboxID, phase: phaseBaseline}
	var st diffState
	if len(state) > 0 && json.Unmarshal(state, &st) == nil && st.Mailbox == mailboxID && st.Email != "" && st.Query != "" {
		if ms, ok := decodeMembers(st.Members); ok {
			m.since, m.old, m.phase = st, ms, phaseChanges
		}
	}
	return m
}

type diffEnvelopes struct {
	s       *Session
	mailbox string
	since   diffState
	old     members
	phase   diffPhase
	rounds  int
	inner   Machine[*Responses]
	getter  Machine[emailGet]

	// baseline listing
	pos      int
	restarts int
	firstQS  string
	emailSt  string
	ids      members

	// incremental
	queryState string
	emailNext  string
	added      []string        // ids in the new query results reported added
	removed    map[string]bool // ids reported removed
	changed    map[string]bool // ids Email/changes reported

	out  email.EnvelopeDiff
	err  error
	done bool
}

func (m *diffEnvelopes) Resume(in Response) (Request, bool) {
	if m.done {
		return Request{}, true
	}
	if m.inner == nil && m.getter == nil {
		m.start()
		in = Response{}
	}
	for {
		var req Request
		var done bool
		if m.getter != nil {
			req, done = m.getter.Resume(in)
		} else {
			req, done = m.inner.Resume(in)
		}
		if !done {
			return req, false
		}
		var err error
		if m.getter != nil {
			var g emailGet
			g, err = m.getter.Result()
			if err == nil {
				m.finish(g)
			}
		} else {
			var r *Responses
			r, err = m.inner.Result()
			if err == nil {
				err = m.absorb(r)
			}
		}
		if err != nil || m.done {
			m.err, m.done = err, true
			return Request{}, true
		}
		m.start()
		in = Response{}
	}
}

func (m *diffEnvelopes) start() {
	acct := m.s.AccountID
	filter := map[string]any{"inMailbox": m.mailbox}
	m.getter = nil
	switch m.phase {
	case phaseBaseline:
		if m.ids == nil {
			m.ids = members{}
		}
		m.inner = API(m.s, nil, []Call{
			{Name: "Email/query", ID: "q", Args: map[string]any{"accountId": acct, "filter": filter, "sort": diffSort, "position": m.pos, "calculateTotal": true}},
			{Name: "Email/get", ID: "s", Args: map[string]any{"accountId": acct, "ids": []string{}}},
		})
	case phaseChanges:
		m.inner = API(m.s, nil, []Call{
			{Name: "Email/queryChanges", ID: "q", Args: map[string]any{"accountId": acct, "filter": filter, "sort": diffSort, "sinceQueryState": m.since.Query}},
			{Name: "Email/changes", ID: "c", Args: map[string]any{"accountId": acct, "sinceState": m.since.Email}},
		})
	case phaseMore:
		m.inner = API(m.s, nil, []Call{
			{Name: "Email/changes", ID: "c", Args: map[string]any{"accountId": acct, "sinceState": m.emailNext}},
		})
	case phaseGet:
		ids := m.newIDs()
		ids = append(ids, m.updatedIDs()...)
		m.inner = nil
		m.getter = getEmails(m.s, ids, append([]string{"mailboxIds"}, envelopeProps...))
	}
}

// toBaseline restarts as a baseline after the server lost the history.
func (m *diffEnvelopes) toBaseline() {
	m.phase, m.pos, m.ids, m.firstQS = phaseBaseline, 0, nil, ""
}

// resync reports whether err says the server lost the history.
func resync(err error) bool {
	var me *MethodError
	return errors.As(err, &me) && (me.Type == "cannotCalculateChanges" || me.Type == "tooManyChanges")
}

func (m *diffEnvelopes) absorb(r *Responses) error {
	switch m.phase {
	case phaseBaseline:
		return m.baselinePage(r)
	case phaseChanges:
		var qc struct {
			NewQueryState string   `json:"newQueryState"`
			Removed       []string `json:"removed"`
			Added         []struct {
				ID string `json:"id"`
			} `json:"added"`
		}
		if err := r.Decode("q", "Email/queryChanges", &qc); err != nil {
			if resync(err) {
				m.toBaseline()
				return nil
			}
			return err
		}
		m.queryState = qc.NewQueryState
		m.removed, m.changed = map[string]bool{}, map[string]bool{}
		for _, id := range qc.Removed {
			m.removed[id] = true
		}
		for _, a := range qc.Added {
			m.added = append(m.added, a.ID)
		}
		return m.changes(r)
	case phaseMore:
		return m.changes(r)
	}
	return nil
}

func (m *diffEnvelopes) baselinePage(r *Responses) error {
	var q queryResponse
	if err := r.Decode("q", "Email/query", &q); err != nil {
		return err
	}
	var g emailGet
	if err := r.Decode("s", "Email/get", &g); err != nil {
		return err
	}
	if m.pos == 0 {
		m.firstQS, m.emailSt = q.QueryState, g.State
	} else if q.QueryState != m.firstQS {
		// The mailbox changed between pages: start again.
		m.restarts++
		if m.restarts > maxBaselineRestarts {
			m.out = email.EnvelopeDiff{FullListRequired: true}
			m.done = true
			return nil
		}
		m.toBaseline()
		return nil
	}
	for _, id := range q.IDs {
		m.ids[idHash(id)] = struct{}{}
	}
	m.pos += len(q.IDs)
	if len(q.IDs) > 0 && q.Total != nil && m.pos < *q.Total {
		return nil // next page
	}
	m.out = email.EnvelopeDiff{FullListRequired: true}
	if q.CanCalculateChanges && m.firstQS != "" {
		m.out.State = encodeState(diffState{Mailbox: m.mailbox, Email: m.emailSt, Query: m.firstQS, Members: m.ids.encode()})
	}
	m.done = true
	return nil
}

// changes absorbs one Email/changes answer.
func (m *diffEnvelopes) changes(r *Responses) error {
	var c changesResponse
	if err := r.Decode("c", "Email/changes", &c); err != nil {
		if resync(err) {
			m.toBaseline()
			return nil
		}
		return err
	}
	for _, list := range [][]string{c.Created, c.Updated} {
		for _, id := range list {
			m.changed[id] = true
		}
	}
	m.rounds++
	if c.HasMoreChanges {
		if m.rounds >= maxChangeRounds || c.NewState == m.emailNext {
			m.toBaseline()
			return nil
		}
		m.emailNext, m.phase = c.NewState, phaseMore
		return nil
	}
	m.emailNext = c.NewState
	m.phase = phaseGet
	return nil
}

// newIDs returns the ids that entered the mailbox.
func (m *diffEnvelopes) newIDs() []string {
	var out []string
	for _, id := range m.added {
		if !m.old.has(id) {
			out = append(out, id)
		}
	}
	return out
}

// updatedIDs returns the changed ids that were and still are in the
// mailbox.
func (m *diffEnvelopes) updatedIDs() []string {
	isAdded := make(map[string]bool, len(m.added))
	for _, id := range m.added {
		isAdded[id] = true
	}
	var out []string
	for _, id := range sortedKeys(m.changed) {
		if m.old.has(id) && (!m.removed[id] || isAdded[id]) {
			out = append(out, id)
		}
	}
	return out
}

// finish builds the diff from the fetched emails and the new state.
func (m *diffEnvelopes) finish(g emailGet) {
	byID := make(map[string]*Email, len(g.List))
	for i := range g.List {
		byID[g.List[i].ID] = &g.List[i]
	}
	isAdded := make(map[string]bool, len(m.added))
	for _, id := range m.added {
		isAdded[id] = true
	}
	out := email.EnvelopeDiff{New: []email.Envelope{}}
	next := make(members, len(m.old))
	for h := range m.old {
		next[h] = struct{}{}
	}
	for _, id := range sortedKeys(m.removed) {
		if isAdded[id] {
			continue
		}
		if m.old.has(id) {
			out.Vanished = append(out.Vanished, id)
		}
		delete(next, idHash(id))
	}
	for _, id := range m.added {
		next[idHash(id)] = struct{}{}
	}
	for _, id := range m.newIDs() {
		if e, ok := byID[id]; ok {
			out.New = append(out.New, e.Envelope())
		}
	}
	for _, id := range m.updatedIDs() {
		if e, ok := byID[id]; ok {
			out.FlagUpdates = append(out.FlagUpdates, email.FlagUpdate{ID: id, Flags: KeywordFlags(e.Keywords)})
		}
	}
	out.State = encodeState(diffState{Mailbox: m.mailbox, Email: m.emailNext, Query: m.queryState, Members: next.encode()})
	m.out = out
	m.done = true
}

func encodeState(st diffState) email.State {
	b, _ := json.Marshal(st)
	return b
}

func (m *diffEnvelopes) Result() (email.EnvelopeDiff, error) {
	if !m.done {
		return email.EnvelopeDiff{}, coroutine.ErrNotDone
	}
	if m.err != nil {
		return email.EnvelopeDiff{}, m.err
	}
	return m.out, nil
}
