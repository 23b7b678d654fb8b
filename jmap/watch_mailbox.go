package jmap

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// DefaultPollInterval is the polling interval of WatchMailbox on a server
// without push when WatchOptions.Interval is zero: a change is reported
// within about 5 seconds, as the other backends' watches do.
const DefaultPollInterval = 5 * time.Second

// WatchOptions tunes WatchMailbox.
type WatchOptions struct {
	// Interval is the polling interval when the server has no push
	// (Cyrus 3.6 answers the eventSourceUrl with 204). Zero means
	// DefaultPollInterval.
	Interval time.Duration
	// Ping is the keep-alive interval asked of the push stream, in
	// seconds. Zero means 30.
	Ping int
	// NoPush skips the EventSource and polls from the start.
	NoPush bool
}

// maxPushBody bounds one push response (with closeafter=state the server
// ends it after the first state change).
const maxPushBody = 1 << 20

type watchPhase uint8

const (
	watchSeedState watchPhase = iota // DiffEnvelopes baseline
	watchSeedList                    // list the mailbox into the shadow
	watchPush                        // GET eventSourceUrl
	watchPoll                        // wait Interval
	watchDiff                        // DiffEnvelopes since state
	watchRelist                      // list again after lost history
	watchEmit                        // hand queued events out
)

// WatchMailbox returns a machine that reports the changes of the mailbox
// mailboxID as events until its driver stops it (it never ends on its own
// unless the server fails). It seeds a shadow of the mailbox (id to flags)
// silently, then repeats: wait for a change, diff, emit events.
//
// Waiting uses push when the server has it: a GET of the eventSourceUrl
// template expanded with types=Email, closeafter=state and ping (RFC 8620
// section 7.3), so each response ends after one state change. A server
// without push (a 204, 404, 405 or 501 answer, or no eventSourceUrl) is
// polled instead: the machine asks its driver to pause for Interval (a
// Request with Wait) between diffs.
//
// Changes come from DiffEnvelopes, so they are scoped to the mailbox:
// EnvelopeAdded for emails that came in, EnvelopeRemoved for those that
// left, FlagsAdded and FlagsRemoved with only the flags that changed. When
// the server lost the history the mailbox is listed again and compared
// with the shadow. A poll or push cycle without change yields one
// KeepAlive. Events are yielded as Requests with Event set.
func WatchMailbox(s *Session, mailboxID string, opts WatchOptions) Machine[struct{}] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, struct{}](struct{}{}, &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultPollInterval
	}
	if opts.Ping <= 0 {
		opts.Ping = 30
	}
	return &watchMachine{s: s, mailbox: mailboxID, opts: opts, push: !opts.NoPush && s.EventSourceURL != "", started: false}
}

type watchMachine struct {
	s       *Session
	mailbox string
	opts    WatchOptions
	push    bool
	started bool
	phase   watchPhase
	after   watchPhase // where watchEmit goes next

	diff  Machine[email.EnvelopeDiff]
	list  Machine[[]email.Envelope]
	fetch Machine[Response]

	state     email.State
	pushState string
	shadow    map[string]email.Flags
	queue     []email.WatchEvent
	err       error
	done      bool
}

func (m *watchMachine) Resume(in Response) (Request, bool) {
	if m.done {
		return Request{}, true
	}
	if !m.started {
		m.started = true
		m.enter(watchSeedState)
		in = Response{}
	}
	for range 1 << 20 {
		switch m.phase {
		case watchSeedState, watchDiff:
			req, done := m.diff.Resume(in)
			if !done {
				return req, false
			}
			d, err := m.diff.Result()
			if err != nil {
				return m.fail(err)
			}
			m.state = d.State
			switch {
			case m.phase == watchSeedState:
				m.enter(watchSeedList)
			case d.FullListRequired:
				m.enter(watchRelist)
			default:
				m.events(d)
				m.emit()
			}
		case watchSeedList, watchRelist:
			req, done := m.list.Resume(in)
			if !done {
				return req, false
			}
			envs, err := m.list.Result()
			if err != nil {
				return m.fail(err)
			}
			if m.phase == watchSeedList {
				m.shadow = make(map[string]email.Flags, len(envs))
				for _, e := range envs {
					m.shadow[e.ID] = e.Flags
				}
				m.enter(m.waitPhase())
			} else {
				m.compare(envs)
				m.emit()
			}
		case watchPush:
			req, done := m.fetch.Resume(in)
			if !done {
				return req, false
			}
			r, err := m.fetch.Result()
			if err != nil {
				return m.fail(err)
			}
			changed, sawState, err := m.absorbPush(r)
			if err != nil {
				return m.fail(err)
			}
			switch {
			case !m.push || !sawState:
				// No push, or a stream that ended without any state event:
				// wait an interval (no hot loop on a server that closes at
				// once), then diff.
				m.enter(watchPoll)
			case changed:
				m.enter(watchDiff)
			default:
				m.queue = append(m.queue, email.WatchEvent{Kind: email.KeepAlive})
				m.emit()
			}
		case watchPoll:
			if m.after != watchDiff {
				m.after = watchDiff
				return Request{Wait: m.opts.Interval}, false
			}
			m.enter(watchDiff)
		case watchEmit:
			if len(m.queue) == 0 {
				m.enter(m.waitPhase())
				break
			}
			ev := m.queue[0]
			m.queue = m.queue[1:]
			return Request{Event: &ev}, false
		}
		in = Response{}
	}
	return m.fail(coroutine.ErrTooManySteps)
}

func (m *watchMachine) waitPhase() watchPhase {
	if m.push {
		return watchPush
	}
	return watchPoll
}

// enter switches to phase p and builds its inner machine.
func (m *watchMachine) enter(p watchPhase) {
	m.phase = p
	switch p {
	case watchSeedState:
		m.diff = DiffEnvelopes(m.s, m.mailbox, nil)
	case watchDiff:
		m.diff = DiffEnvelopes(m.s, m.mailbox, m.state)
	case watchSeedList, watchRelist:
		m.list = ListEnvelopes(m.s, m.mailbox, email.ListOptions{})
	case watchPush:
		u := Expand(m.s.EventSourceURL, map[string]string{"types": "Email", "closeafter": "state", "ping": strconv.Itoa(m.opts.Ping)})
		h := Header{}
		h.Set("Accept", "text/event-stream")
		if a := m.s.auth; a != "" {
			h.Set("Authorization", a)
		}
		m.fetch = Fetch(Request{Method: "GET", URL: u, Header: h, MaxBody: maxPushBody})
	case watchPoll:
		m.after = watchPoll
	}
}

// emit hands out the queued events, then waits again.
func (m *watchMachine) emit() {
	m.phase = watchEmit
}

// absorbPush reads one push response; it reports whether the Email state
// changed and whether the stream held a state event at all. A server
// without push turns polling on.
func (m *watchMachine) absorbPush(r Response) (changed, sawState bool, err error) {
	switch {
	case r.Status == 204 || r.Status == 404 || r.Status == 405 || r.Status == 501:
		m.push = false
		return false, false, nil
	case r.Status/100 != 2:
		return false, false, httpError(r)
	}
	var p SSEParser
	evs, err := p.Feed(r.Body)
	if err != nil {
		return false, false, err
	}
	more, err := p.Feed([]byte("\n\n"))
	if err != nil {
		return false, false, err
	}
	evs = append(evs, more...)
	for _, ev := range evs {
		if ev.Type != "state" && ev.Type != "message" {
			continue
		}
		if len(ev.Data) == 0 {
			continue
		}
		sc, err := ParseStateChange(ev.Data)
		if err != nil {
			return false, false, err
		}
		sawState = true
		if st, ok := sc.Changed[m.s.AccountID]["Email"]; ok && st != m.pushState {
			m.pushState, changed = st, true
		}
	}
	return changed, sawState, nil
}

// events turns a diff into events and updates the shadow.
func (m *watchMachine) events(d email.EnvelopeDiff) {
	for _, e := range d.New {
		if old, ok := m.shadow[e.ID]; ok {
			m.flagEvents(e.ID, old, e.Flags)
			continue
		}
		env := e
		m.shadow[e.ID] = e.Flags
		m.queue = append(m.queue, email.WatchEvent{Kind: email.EnvelopeAdded, Mailbox: m.mailbox, ID: e.ID, Envelope: &env})
	}
	for _, id := range d.Vanished {
		if _, ok := m.shadow[id]; ok {
			delete(m.shadow, id)
			m.queue = append(m.queue, email.WatchEvent{Kind: email.EnvelopeRemoved, Mailbox: m.mailbox, ID: id})
		}
	}
	for _, u := range d.FlagUpdates {
		old := m.shadow[u.ID]
		m.flagEvents(u.ID, old, u.Flags)
	}
	if len(m.queue) == 0 {
		m.queue = append(m.queue, email.WatchEvent{Kind: email.KeepAlive})
	}
}

func (m *watchMachine) flagEvents(id string, old, cur email.Flags) {
	m.shadow[id] = cur
	if add := cur.Minus(old); len(add) > 0 {
		m.queue = append(m.queue, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: m.mailbox, ID: id, Flags: add})
	}
	if rm := old.Minus(cur); len(rm) > 0 {
		m.queue = append(m.queue, email.WatchEvent{Kind: email.FlagsRemoved, Mailbox: m.mailbox, ID: id, Flags: rm})
	}
}

// compare diffs a fresh listing against the shadow.
func (m *watchMachine) compare(envs []email.Envelope) {
	seen := make(map[string]bool, len(envs))
	var d email.EnvelopeDiff
	for _, e := range envs {
		seen[e.ID] = true
		if _, ok := m.shadow[e.ID]; ok {
			d.FlagUpdates = append(d.FlagUpdates, email.FlagUpdate{ID: e.ID, Flags: e.Flags})
		} else {
			d.New = append(d.New, e)
		}
	}
	for _, id := range sortedKeys(m.shadow) {
		if !seen[id] {
			d.Vanished = append(d.Vanished, id)
		}
	}
	m.events(d)
}

func (m *watchMachine) fail(err error) (Request, bool) {
	m.err, m.done = fmt.Errorf("jmap: watch: %w", err), true
	return Request{}, true
}

func (m *watchMachine) Result() (struct{}, error) {
	if !m.done {
		return struct{}{}, coroutine.ErrNotDone
	}
	return struct{}{}, m.err
}
