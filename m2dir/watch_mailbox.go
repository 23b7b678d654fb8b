package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
)

// WatchState is what a watch remembers of a folder between wakes: every
// message's flags. It lives in memory only; pass the one a WatchMailbox
// returned to the next.
type WatchState struct {
	mailbox string
	snap    changes.Snapshot
}

// Len returns the number of messages the state knows.
func (w *WatchState) Len() int { return len(w.snap) }

// WatchResult is the outcome of one WatchMailbox machine.
type WatchResult struct {
	// State is the folder as it is now; pass it to the next WatchMailbox.
	State *WatchState
	// Events are the changes since the previous state, in the order
	// EnvelopeRemoved, FlagsAdded/FlagsRemoved, EnvelopeAdded.
	Events []email.WatchEvent
}

// Watch states.
const (
	wmStart = iota
	wmWait
	wmScan
)

type watchMailbox struct {
	machine[WatchResult]
	s     Store
	f     folder
	prev  *WatchState
	wait  time.Duration
	state int
	scan  *rescan
}

// WatchMailbox returns a machine for one wake of a watch on the folder
// mailbox. A file machine has no way to hand out events while it runs, so
// a watch is a loop of these machines, each ending with the events of one
// wake (client.M2dirClient.WatchMailbox runs that loop):
//
//   - with prev nil, it takes a baseline (the folder's messages and their
//     flags, no envelope read) and ends with no events;
//   - otherwise it asks for a FileWatch of the folder and its .meta (one
//     request each, giving up after wait, 0 meaning no limit), then rescans
//     as DiffEnvelopes does and ends with the events since prev:
//     EnvelopeRemoved, FlagsAdded and FlagsRemoved holding only the delta,
//     and EnvelopeAdded with the whole envelope. It rescans after a wait
//     that timed out too, which catches changes a file-system watch misses.
//
// Every event's Mailbox is the mailbox argument as given.
func (s Store) WatchMailbox(mailbox string, prev *WatchState, wait time.Duration) coroutine.FileMachine[WatchResult] {
	const op = "watch_mailbox"
	f, err := s.folder(mailbox)
	if err != nil {
		return failed[WatchResult](op, err)
	}
	return resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[WatchResult] {
		f := fs[0]
		return &watchMailbox{machine: machine[WatchResult]{op: op}, s: s, f: f, prev: prev, wait: wait}
	})
}

// Resume implements coroutine.Machine.
func (m *watchMailbox) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case wmStart:
		if m.prev == nil {
			return m.rescan(nil)
		}
		m.state = wmWait
		return m.ask(request{Op: coroutine.FileWatch, Path: m.f.dir, Wait: m.wait},
			request{Op: coroutine.FileWatch, Path: m.f.meta(), Wait: m.wait})
	case wmWait:
		if err := in[0].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.fail(&email.NotFoundError{Mailbox: m.f.name})
			}
			return m.fail(fmt.Errorf("m2dir: watching %s: %w", m.f.dir, err))
		}
		// A folder without .meta (written by another tool) is watched
		// through its directory alone.
		if err := in[1].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m.fail(fmt.Errorf("m2dir: watching %s: %w", m.f.meta(), err))
		}
		return m.rescan(nil)
	case wmScan:
		return m.step(in)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

func (m *watchMailbox) rescan(in []result) ([]request, bool) {
	var old changes.Snapshot
	if m.prev != nil {
		old = m.prev.snap
	}
	m.scan = m.s.rescan(m.op, m.f, old, true)
	m.state = wmScan
	return m.step(in)
}

// step advances the rescan and ends with its events.
func (m *watchMailbox) step(in []result) ([]request, bool) {
	reqs, done := m.scan.Resume(in)
	if !done {
		return m.ask(reqs...)
	}
	r, err := m.scan.Result()
	if err != nil {
		return m.fail(err)
	}
	next := &WatchState{mailbox: m.f.name, snap: r.snap}
	if m.prev == nil {
		return m.finish(WatchResult{State: next})
	}
	return m.finish(WatchResult{State: next, Events: changes.Events(m.f.name, r.delta, m.prev.snap, r.snap, r.added)})
}
