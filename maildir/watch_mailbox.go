package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
)

// WatchState is what a watch remembers of a mailbox between wakes: every
// message's key and flags. It lives in memory only; pass the one a
// WatchMailbox returned to the next.
type WatchState struct {
	snap changes.Snapshot
}

// Len returns the number of messages the state knows.
func (w *WatchState) Len() int { return len(w.snap) }

// WatchResult is the outcome of one WatchMailbox machine.
type WatchResult struct {
	// State is the mailbox as it is now; pass it to the next WatchMailbox.
	State *WatchState
	// Events are the changes since the previous state, in the order
	// EnvelopeRemoved, FlagsAdded/FlagsRemoved, EnvelopeAdded.
	Events []email.WatchEvent
}

// The states of watchMachine.
const (
	wmStart = iota
	wmWait
	wmScan
)

type watchMachine struct {
	base[WatchResult]
	s       Store
	mailbox string
	dir     string
	prev    *WatchState
	wait    time.Duration
	state   int
	scan    *changesMachine
}

// WatchMailbox returns a machine for one wake of a watch on a mailbox. A
// file machine cannot hand out events while it runs, so a watch is a loop
// of these machines, each ending with the events of one wake
// (client.MaildirClient.WatchMailbox runs that loop):
//
//   - with prev nil, it takes a baseline (keys and flags from the file
//     names, no message read) and ends with no events;
//   - otherwise it asks for a FileWatch of new/ and cur/ (giving up after
//     wait, 0 meaning no limit), then rescans as DiffEnvelopes does and
//     ends with the events since prev: EnvelopeRemoved, FlagsAdded and
//     FlagsRemoved holding only the delta (a move between new/ and cur/ or
//     a rename by another program is a flag change), and EnvelopeAdded
//     with the whole envelope. It rescans after a wait that timed out too.
//
// Every event's Mailbox is the mailbox argument as given.
func (s Store) WatchMailbox(mailbox string, prev *WatchState, wait time.Duration) coroutine.FileMachine[WatchResult] {
	dir, err := s.Dir(mailbox)
	if err != nil {
		return done[WatchResult](err)
	}
	return &watchMachine{s: s, mailbox: mailbox, dir: dir, prev: prev, wait: wait}
}

// Resume implements coroutine.Machine.
func (m *watchMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case wmStart:
		if m.prev == nil {
			return m.rescan()
		}
		m.state = wmWait
		return m.ask(coroutine.FileRequest{Op: coroutine.FileWatch, Path: m.dir + "/new", Wait: m.wait},
			coroutine.FileRequest{Op: coroutine.FileWatch, Path: m.dir + "/cur", Wait: m.wait})
	case wmWait:
		if err := in[1].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.fail(&email.NotFoundError{Mailbox: m.mailbox})
			}
			return m.fail(fmt.Errorf("maildir: watching %s/cur: %w", m.dir, err))
		}
		if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m.fail(fmt.Errorf("maildir: watching %s/new: %w", m.dir, err))
		}
		return m.rescan()
	case wmScan:
		return m.step(in)
	}
	return m.fail(fmt.Errorf("maildir: watch_mailbox in state %d: %w", m.state, email.ErrUnexpectedReply))
}

func (m *watchMachine) rescan() ([]coroutine.FileRequest, bool) {
	var old changes.Snapshot
	if m.prev != nil {
		old = m.prev.snap
	}
	m.scan = &changesMachine{s: m.s, mailbox: m.mailbox, dir: m.dir, old: old, keepFlags: true}
	m.state = wmScan
	return m.step(nil)
}

// step advances the rescan and ends with its events.
func (m *watchMachine) step(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	reqs, done := m.scan.Resume(in)
	if !done {
		return m.delegate(reqs)
	}
	r, err := m.scan.Result()
	if err != nil {
		return m.fail(err)
	}
	next := &WatchState{snap: r.snap}
	if m.prev == nil {
		return m.finish(WatchResult{State: next})
	}
	return m.finish(WatchResult{State: next, Events: changes.Events(m.mailbox, r.delta, m.prev.snap, r.snap, r.added)})
}
