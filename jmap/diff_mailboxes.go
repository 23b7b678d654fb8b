package jmap

import (
	"errors"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// maxChangeRounds bounds the /changes calls one diff makes while the server
// says hasMoreChanges; past it the diff asks for a full list.
const maxChangeRounds = 64

type changesResponse struct {
	OldState       string   `json:"oldState"`
	NewState       string   `json:"newState"`
	HasMoreChanges bool     `json:"hasMoreChanges"`
	Created        []string `json:"created"`
	Updated        []string `json:"updated"`
	Destroyed      []string `json:"destroyed"`
}

// DiffMailboxes returns a machine that reports what changed among the
// mailboxes since state, the Mailbox state a previous diff returned
// (RFC 8620 section 5.2, Mailbox/changes). Without a state, or when the
// server cannot calculate the changes (cannotCalculateChanges), the result
// asks for a full list and carries the current state. hasMoreChanges is
// followed. Each exchange also carries a Mailbox/get with no ids, so the
// current state is known even when the changes fail: one exchange in the
// common case.
func DiffMailboxes(s *Session, state email.State) Machine[email.MailboxDiff] {
	return &diffMailboxes{s: s, since: string(state), fresh: len(state) == 0}
}

type diffMailboxes struct {
	s      *Session
	since  string
	fresh  bool
	rounds int
	inner  Machine[*Responses]
	out    email.MailboxDiff
	seen   map[string]int // id -> 1 created, 2 updated, 3 destroyed
	err    error
	done   bool
}

func (m *diffMailboxes) Resume(in Response) (Request, bool) {
	if m.done {
		return Request{}, true
	}
	if m.inner == nil {
		m.start()
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
		if err != nil || m.done {
			m.err, m.done = err, true
			return Request{}, true
		}
		m.start()
		in = Response{}
	}
}

func (m *diffMailboxes) start() {
	calls := []Call{}
	if !m.fresh {
		calls = append(calls, Call{Name: "Mailbox/changes", ID: "c", Args: map[string]any{"accountId": m.s.AccountID, "sinceState": m.since}})
	}
	calls = append(calls, Call{Name: "Mailbox/get", ID: "s", Args: map[string]any{"accountId": m.s.AccountID, "ids": []string{}}})
	m.inner = API(m.s, nil, calls)
}

func (m *diffMailboxes) absorb(r *Responses) error {
	var g mailboxGet
	if err := r.Decode("s", "Mailbox/get", &g); err != nil {
		return err
	}
	if m.fresh {
		m.out = email.MailboxDiff{FullListRequired: true, State: email.State(g.State)}
		m.done = true
		return nil
	}
	var c changesResponse
	if err := r.Decode("c", "Mailbox/changes", &c); err != nil {
		var me *MethodError
		// Cyrus answers invalidArguments to a state it does not know.
		if errors.As(err, &me) && (me.Type == "cannotCalculateChanges" || me.Type == "invalidArguments") {
			m.out = email.MailboxDiff{FullListRequired: true, State: email.State(g.State)}
			m.done = true
			return nil
		}
		return err
	}
	if m.seen == nil {
		m.seen = map[string]int{}
	}
	for _, id := range c.Created {
		m.seen[id] = 1
	}
	for _, id := range c.Updated {
		if m.seen[id] == 0 {
			m.seen[id] = 2
		}
	}
	for _, id := range c.Destroyed {
		if m.seen[id] == 1 {
			delete(m.seen, id) // created and destroyed in the window
		} else {
			m.seen[id] = 3
		}
	}
	m.rounds++
	if c.HasMoreChanges && c.NewState != m.since && m.rounds < maxChangeRounds {
		m.since = c.NewState
		return nil
	}
	if c.HasMoreChanges {
		m.out = email.MailboxDiff{FullListRequired: true, State: email.State(g.State)}
		m.done = true
		return nil
	}
	m.out = email.MailboxDiff{State: email.State(c.NewState)}
	for _, id := range sortedKeys(m.seen) {
		switch m.seen[id] {
		case 1:
			m.out.Created = append(m.out.Created, id)
		case 2:
			m.out.Updated = append(m.out.Updated, id)
		case 3:
			m.out.Deleted = append(m.out.Deleted, id)
		}
	}
	m.done = true
	return nil
}

func (m *diffMailboxes) Result() (email.MailboxDiff, error) {
	if !m.done {
		return email.MailboxDiff{}, coroutine.ErrNotDone
	}
	if m.err != nil {
		return email.MailboxDiff{}, m.err
	}
	return m.out, nil
}
