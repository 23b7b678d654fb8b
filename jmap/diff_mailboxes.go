package jmap

import (
	"encoding/json"
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
// mailboxes since state, the State a previous diff returned, by name as
// every backend does: Created and Deleted hold the names that appeared and
// vanished (a renamed mailbox, or one under a renamed parent, is its old
// name deleted and its new name created), Updated the names whose contents
// or counts changed (RFC 8620 section 5.2, Mailbox/changes). The State
// holds the JMAP Mailbox state and the tree of names at that state, so the
// diff needs no earlier listing. Without a state, with a state this
// package did not make, or when the server cannot calculate the changes
// (cannotCalculateChanges), the result asks for a full list and carries the
// current state. hasMoreChanges is followed. Each exchange also carries a
// Mailbox/get of the tree: one exchange in the common case.
func DiffMailboxes(s *Session, state email.State) Machine[email.MailboxDiff] {
	m := &diffMailboxes{s: s, fresh: len(state) == 0}
	if !m.fresh {
		var st mailboxState
		if json.Unmarshal(state, &st) != nil || st.State == "" {
			m.fresh = true
		} else {
			m.since, m.old = st.State, st.Names
		}
	}
	return m
}

// mailboxState is the State of DiffMailboxes.
type mailboxState struct {
	State string            `json:"s"`
	Names map[string]string `json:"n"` // id -> caller name
}

func encodeMailboxState(state string, names map[string]string) email.State {
	b, _ := json.Marshal(mailboxState{State: state, Names: names})
	return b
}

type diffMailboxes struct {
	s       *Session
	since   string
	old     map[string]string
	fresh   bool
	rounds  int
	inner   Machine[*Responses]
	out     email.MailboxDiff
	updated map[string]bool
	err     error
	done    bool
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
	calls = append(calls, mailboxTreeCall(m.s, "s"))
	m.inner = API(m.s, nil, calls)
}

func (m *diffMailboxes) absorb(r *Responses) error {
	var g mailboxGet
	if err := r.Decode("s", "Mailbox/get", &g); err != nil {
		return err
	}
	now := m.s.remember(g.State, g.List).byID
	full := email.MailboxDiff{FullListRequired: true, State: encodeMailboxState(g.State, now)}
	if m.fresh {
		m.out, m.done = full, true
		return nil
	}
	var c changesResponse
	if err := r.Decode("c", "Mailbox/changes", &c); err != nil {
		var me *MethodError
		// Cyrus answers invalidArguments to a state it does not know.
		if errors.As(err, &me) && (me.Type == "cannotCalculateChanges" || me.Type == "invalidArguments") {
			m.out, m.done = full, true
			return nil
		}
		return err
	}
	if m.updated == nil {
		m.updated = map[string]bool{}
	}
	for _, id := range c.Updated {
		m.updated[id] = true
	}
	m.rounds++
	if c.HasMoreChanges && c.NewState != m.since && m.rounds < maxChangeRounds {
		m.since = c.NewState
		return nil
	}
	if c.HasMoreChanges {
		m.out, m.done = full, true
		return nil
	}
	m.out = nameDiff(m.old, now, m.updated)
	m.out.State = encodeMailboxState(c.NewState, now)
	m.done = true
	return nil
}

// nameDiff compares two trees of names (id -> name): the names only in now
// are created, those only in old deleted, and the names of updated ids
// that kept their name updated. Each list is sorted.
func nameDiff(old, now map[string]string, updated map[string]bool) email.MailboxDiff {
	oldNames, nowNames := map[string]bool{}, map[string]bool{}
	for _, n := range old {
		oldNames[n] = true
	}
	for _, n := range now {
		nowNames[n] = true
	}
	var d email.MailboxDiff
	for _, n := range sortedKeys(nowNames) {
		if !oldNames[n] {
			d.Created = append(d.Created, n)
		}
	}
	for _, n := range sortedKeys(oldNames) {
		if !nowNames[n] {
			d.Deleted = append(d.Deleted, n)
		}
	}
	up := map[string]bool{}
	for id := range updated {
		if n, ok := now[id]; ok && old[id] == n {
			up[n] = true
		}
	}
	d.Updated = sortedKeys(up)
	return d
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
