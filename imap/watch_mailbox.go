package imap

import (
	"fmt"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// IdleRefresh is how long one IDLE lasts before the watch ends it and
// starts another, below the 30-minute inactivity limit of RFC 2177
// section 3.
const IdleRefresh = 29 * time.Minute

// WatchOptions configures WatchMailbox. Both functions come from the
// driver: the machine reads no clock and no flag of its own.
type WatchOptions struct {
	// Now returns the current time; it times the IDLE refresh. Required.
	Now func() time.Time
	// Stopped reports that the caller wants the watch to end. It is asked
	// whenever a read times out (the driver resumes a read with TimedOut,
	// for example when it is cancelled); the watch then ends IDLE with
	// DONE (once the server has answered IDLE with "+") and finishes
	// without error.
	Stopped func() bool
	// StopWait bounds the wait, once the watch is stopped, for the "+"
	// that lets DONE go out and for the answer to DONE; past it the watch
	// ends with ErrStoppedUnanswered and the session is broken (the IDLE's
	// answer is still due). 0 means DefaultStopWait.
	StopWait time.Duration
	// Resume, when non-nil, is the state a previous watch of the same
	// mailbox reported to Checkpoint: the first SELECT is then compared
	// with it and the changes since are reported as events, instead of
	// being taken as the silent baseline.
	Resume *WatchState
	// Checkpoint, when non-nil, is called with the watch's state each time
	// every event so far has been handed out and the watch is about to
	// IDLE: a watch resumed from it reports each later change once.
	Checkpoint func(*WatchState)
}

// DefaultStopWait is the default WatchOptions.StopWait.
const DefaultStopWait = 5 * time.Second

// WatchMailbox returns the machine that watches a mailbox with IDLE (RFC
// 2177) and yields a NetEvent for every change until Stopped reports true.
//
// It selects the mailbox and records each message's UID and flags. When
// the server reports anything during IDLE (EXISTS, EXPUNGE, FETCH,
// VANISHED), it ends IDLE with DONE, selects the mailbox again and
// compares: new UIDs give EnvelopeAdded with full envelopes (UID FETCH
// of the items ListEnvelopes fetches), missing ones EnvelopeRemoved, flag
// changes FlagsAdded and FlagsRemoved with only the changed flags, and a
// new UIDVALIDITY gives MailboxReset (the UIDs are then read again without
// events). The first IDLE of each wake is pipelined after a NOOP, which
// collects what changed while the wake was fetching: some servers
// (go-imap's) report such a change only at the next command, not when
// IDLE starts, and it would otherwise wait for another change to be seen. IDLE is re-issued every
// IdleRefresh.
//
// With QRESYNC enabled (RFC 7162 section 3.2.6) and a mailbox with
// mod-sequences, a wake fetches only what changed since the
// HIGHESTMODSEQ of the previous SELECT: UID FETCH 1:* (UID FLAGS)
// (CHANGEDSINCE modseq VANISHED), whose VANISHED (EARLIER) names the
// expunged UIDs and whose FETCH responses carry the changed and the new
// messages. If the server refuses that fetch, or its result does not add
// up to the message count the server announced, the wake falls back to
// the full fetch, so the events stay exact. Otherwise (no CONDSTORE or QRESYNC, NOMODSEQ, an empty
// mailbox, the first SELECT) each wake fetches every UID and flag set,
// which is simple and exact but linear in the mailbox size. A server
// without IDLE gets an error matching email.ErrUnsupported.
func WatchMailbox(s *Session, mailbox string, opts WatchOptions) coroutine.NetMachine[struct{}] {
	if err := checkName(mailbox); err != nil {
		return failed[struct{}]("watch_mailbox", err)
	}
	if opts.Now == nil || opts.Stopped == nil {
		return failed[struct{}]("watch_mailbox", fmt.Errorf("%w: WatchOptions.Now and Stopped are required", email.ErrInvalidArgument))
	}
	w := &watch{s: s, mailbox: mailbox, opts: opts}
	w.resume(opts.Resume)
	return newMachine[struct{}](s, "watch_mailbox", w, mailbox)
}

type watch struct {
	s        *Session
	mailbox  string
	opts     WatchOptions
	state    int
	sel      selector
	seeded   bool
	validity uint32
	// modSeq is the HIGHESTMODSEQ of the last SELECT (0: unknown).
	modSeq uint64
	// chg and vanished collect a CHANGEDSINCE fetch.
	chg      map[imap.UID]email.Flags
	vanished imap.UIDSet
	shadow   map[imap.UID]email.Flags
	cur      map[imap.UID]email.Flags
	added    []imap.UID
	// pendingEnvs collects the envelopes of added messages.
	pendingEnvs map[imap.UID]*email.Envelope
	events      []email.WatchEvent
	// stale records a change the server announced while the watch was
	// reading the mailbox (see noteChange): the next round selects again
	// instead of idling, as the server will not repeat the announcement.
	stale bool
	// IDLE round
	idleStart time.Time
	changed   bool
	doneSent  bool
	stopping  bool
	// idling: the server answered IDLE with its continuation.
	idling bool
	// doneOut: DONE was written (doneSent: it was asked for).
	doneOut bool
	// polled: the NOOP before this wake's first IDLE was sent; noopSent:
	// it went out with the IDLE being run.
	polled   bool
	noopSent bool
}

func (w *watch) result() struct{} { return struct{}{} }

func (w *watch) nextEvent() *email.WatchEvent {
	if len(w.events) == 0 {
		return nil
	}
	e := w.events[0]
	w.events = w.events[1:]
	return &e
}

func (w *watch) emit(e email.WatchEvent) {
	e.Mailbox = w.mailbox
	w.events = append(w.events, e)
}

func (w *watch) advance(r *runner) ([]*wire.Command, bool, error) {
	s := w.s
	for {
		switch w.state {
		case 0: // (re)select
			w.polled = false
			if !s.has(imap.CapIdle) {
				return nil, false, fmt.Errorf("imap: server lacks IDLE: %w", email.ErrUnsupported)
			}
			w.state = 1
			w.stale = false
			w.sel = selector{mailbox: w.mailbox, force: true}
			cmds, err := w.sel.command(s, r)
			if err != nil || cmds != nil {
				return cmds, false, err
			}
		case 1: // read what changed, or every UID and flag set
			if err := w.sel.done(s, r); err != nil {
				return nil, false, err
			}
			if w.seeded && s.uidValidity != w.validity {
				w.emit(email.WatchEvent{Kind: email.MailboxReset})
				w.seeded = false
			}
			w.validity = s.uidValidity
			since := w.modSeq
			w.modSeq = s.modSeq
			if _, qr := s.enabled[imap.CapQResync]; qr && w.seeded && since != 0 && s.modSeq != 0 && s.exists > 0 {
				return w.fetchChanged(r, since)
			}
			if cmds, err := w.fetchAll(r); err != nil || cmds != nil {
				return cmds, false, err
			}
		case 6: // apply what changed since the last SELECT
			if r.err != nil {
				return nil, false, r.err
			}
			if statusErr("UID FETCH", r.status[0]) != nil || !w.applyChanges() {
				// Refused (NO or BAD), or the changes do not add up:
				// read everything.
				if cmds, err := w.fetchAll(r); err != nil || cmds != nil {
					return cmds, false, err
				}
				continue
			}
			if cmds, err := w.fetchAdded(r); err != nil || cmds != nil {
				return cmds, false, err
			}
		case 2: // compare with the shadow
			if err := runErr(r, 0, "UID FETCH"); err != nil && s.exists > 0 {
				return nil, false, err
			}
			w.state = 4
			if !w.seeded {
				w.shadow, w.seeded = w.cur, true
				continue
			}
			w.added = w.added[:0]
			for _, u := range sortedUIDs(w.shadow) {
				if _, ok := w.cur[u]; !ok {
					w.emit(email.WatchEvent{Kind: email.EnvelopeRemoved, ID: formatUID(u)})
				}
			}
			for _, u := range sortedUIDs(w.cur) {
				now := w.cur[u]
				old, ok := w.shadow[u]
				if !ok {
					w.added = append(w.added, u)
					continue
				}
				if add := now.Minus(old); len(add) > 0 {
					w.emit(email.WatchEvent{Kind: email.FlagsAdded, ID: formatUID(u), Flags: add})
				}
				if rm := old.Minus(now); len(rm) > 0 {
					w.emit(email.WatchEvent{Kind: email.FlagsRemoved, ID: formatUID(u), Flags: rm})
				}
			}
			w.shadow = w.cur
			if cmds, err := w.fetchAdded(r); err != nil || cmds != nil {
				return cmds, false, err
			}
		case 3: // envelopes of the new messages
			if err := runErr(r, 0, "UID FETCH"); err != nil {
				return nil, false, err
			}
			for _, u := range w.added {
				if e := w.pendingEnvs[u]; e != nil {
					w.emit(email.WatchEvent{Kind: email.EnvelopeAdded, ID: e.ID, Envelope: e})
				}
			}
			w.pendingEnvs = nil
			w.state = 4
			if len(w.events) > 0 {
				return nil, false, nil // hand out the events first
			}
		case 4: // IDLE
			if len(w.events) > 0 {
				return nil, false, nil // hand out the events first
			}
			if w.opts.Stopped() {
				return nil, true, nil
			}
			if w.stale {
				w.state = 0 // a change came during the reading: read again
				continue
			}
			if w.opts.Checkpoint != nil && w.seeded {
				w.opts.Checkpoint(w.checkpoint())
			}
			var cmds []*wire.Command
			w.noopSent = false
			if !w.polled {
				// A change made while the wake was fetching is reported by
				// some servers only at the next command, not when IDLE
				// starts (go-imap's server keeps it until another change
				// comes): a NOOP pipelined before the IDLE collects it, and
				// its EXISTS, EXPUNGE or FETCH ends the IDLE at once.
				noop, err := s.command("NOOP").Finish()
				if err != nil {
					return nil, false, err
				}
				cmds = append(cmds, noop)
				w.polled, w.noopSent = true, true
			}
			w.state = 5
			w.idleStart = w.opts.Now()
			w.changed, w.doneSent, w.stopping, w.idling, w.doneOut = false, false, false, false, false
			r.onCont = func([]byte) ([]byte, error) {
				w.idling = true
				if w.doneSent && !w.doneOut {
					// Data came before "+": DONE goes now (RFC 2177 section
					// 3: only after the continuation).
					w.doneOut = true
					return []byte("DONE\r\n"), nil
				}
				return nil, nil
			}
			r.onData = func(resp *wire.Response) error {
				switch resp.Kind {
				case wire.KindExists, wire.KindExpunge, wire.KindFetch, wire.KindVanished:
					w.changed = true
					w.done(r)
				}
				return nil
			}
			r.wait = IdleRefresh
			r.onTimeout = func() ([]byte, error) {
				switch {
				case w.stopping:
					// No "+" came, or DONE went unanswered, within StopWait:
					// the IDLE's tagged status is still due, so the session
					// is out of step for good.
					s.Fail(ErrStoppedUnanswered)
					return nil, ErrStoppedUnanswered
				case w.opts.Stopped():
					// DONE goes out now, or once "+" comes (done).
					w.stopping = true
					r.wait = w.opts.StopWait
					if r.wait <= 0 {
						r.wait = DefaultStopWait
					}
					w.done(r)
				case w.opts.Now().Sub(w.idleStart) >= IdleRefresh && !w.idling:
					err := protoErr("no answer to IDLE within %v", IdleRefresh)
					s.Fail(err)
					return nil, err
				case w.opts.Now().Sub(w.idleStart) >= IdleRefresh:
					w.done(r)
				default:
					r.wait = max(time.Second, IdleRefresh-w.opts.Now().Sub(w.idleStart))
				}
				return nil, nil
			}
			idle, err := s.command("IDLE").Finish()
			if err != nil {
				return nil, false, err
			}
			return append(cmds, idle), false, nil
		case 5: // IDLE ended
			i := 0
			if w.noopSent {
				if err := runErr(r, 0, "NOOP"); err != nil {
					return nil, false, err
				}
				i = 1
			}
			if err := runErr(r, i, "IDLE"); err != nil {
				return nil, false, err
			}
			switch {
			case w.stopping || w.opts.Stopped():
				return nil, true, nil
			case w.changed:
				w.state = 0
			default:
				w.state = 4 // refresh
			}
		}
	}
}

// fetchAll returns the fetch of every UID and flag set (state 2), or nil
// for an empty mailbox (state 2 then compares with nothing).
func (w *watch) fetchAll(r *runner) ([]*wire.Command, error) {
	s := w.s
	w.cur = map[imap.UID]email.Flags{}
	w.state = 2
	if s.exists == 0 {
		return nil, nil
	}
	r.onData = func(resp *wire.Response) error {
		w.noteChange(resp)
		if f := resp.Fetch; resp.Kind == wire.KindFetch && f != nil && f.UID != 0 && f.HasFlags && len(w.cur) < maxIDs {
			w.cur[f.UID] = toFlags(f.Flags)
		}
		return nil
	}
	c, err := s.command("UID FETCH").Raw(" 1:* (UID FLAGS)").Finish()
	if err != nil {
		return nil, err
	}
	return []*wire.Command{c}, nil
}

// fetchChanged returns the fetch of the messages changed since modseq,
// with the UIDs expunged since then (RFC 7162 sections 3.1.4.1 and
// 3.2.6), in state 6.
func (w *watch) fetchChanged(r *runner, since uint64) ([]*wire.Command, bool, error) {
	w.state = 6
	w.chg = map[imap.UID]email.Flags{}
	w.vanished = nil
	r.onData = func(resp *wire.Response) error {
		w.noteChange(resp)
		switch resp.Kind {
		case wire.KindFetch:
			if f := resp.Fetch; f != nil && f.UID != 0 && f.HasFlags && len(w.chg) < maxIDs {
				w.chg[f.UID] = toFlags(f.Flags)
			}
		case wire.KindVanished:
			if resp.Vanished != nil && len(w.vanished) < maxIDs {
				w.vanished.AddSet(resp.Vanished.UIDs)
			}
		}
		return nil
	}
	return one(w.s.command("UID FETCH").Raw(" 1:* (UID FLAGS) (CHANGEDSINCE ").Number(since).Raw(" VANISHED)"))
}

// applyChanges turns a CHANGEDSINCE fetch into events and updates the
// shadow, as the full comparison would: removed messages first, then flag
// changes, then (w.added) the new messages. It changes nothing and
// returns false when the result does not match the message count the
// server announced.
func (w *watch) applyChanges() bool {
	var gone []imap.UID
	if nums, ok := expandSet(w.vanished, len(w.shadow)+1); ok {
		for _, u := range nums {
			if _, known := w.shadow[u]; known {
				gone = append(gone, u)
			}
		}
	} else {
		for u := range w.shadow {
			if w.vanished.Contains(u) {
				gone = append(gone, u)
			}
		}
	}
	slices.Sort(gone)
	gone = slices.Compact(gone)
	w.added = w.added[:0]
	for u := range w.chg {
		if _, known := w.shadow[u]; !known && !w.vanished.Contains(u) {
			w.added = append(w.added, u)
		}
	}
	if len(w.shadow)-len(gone)+len(w.added) != int(w.s.exists) {
		return false
	}
	slices.Sort(w.added)
	for _, u := range gone {
		delete(w.shadow, u)
		w.emit(email.WatchEvent{Kind: email.EnvelopeRemoved, ID: formatUID(u)})
	}
	for _, u := range sortedUIDs(w.chg) {
		old, known := w.shadow[u]
		if !known {
			continue
		}
		now := w.chg[u]
		if add := now.Minus(old); len(add) > 0 {
			w.emit(email.WatchEvent{Kind: email.FlagsAdded, ID: formatUID(u), Flags: add})
		}
		if rm := old.Minus(now); len(rm) > 0 {
			w.emit(email.WatchEvent{Kind: email.FlagsRemoved, ID: formatUID(u), Flags: rm})
		}
		w.shadow[u] = now
	}
	for _, u := range w.added {
		w.shadow[u] = w.chg[u]
	}
	w.chg, w.vanished = nil, nil
	return true
}

// fetchAdded returns the fetch of the envelopes of w.added (state 3), or
// nil when there are none (state 4).
func (w *watch) fetchAdded(r *runner) ([]*wire.Command, error) {
	w.state = 4
	if len(w.added) == 0 {
		return nil, nil
	}
	var set imap.UIDSet
	set.AddNum(w.added...)
	got := map[imap.UID]*email.Envelope{}
	r.onData = func(resp *wire.Response) error {
		w.noteChange(resp)
		f := resp.Fetch
		if resp.Kind != wire.KindFetch || f == nil {
			return nil
		}
		if err := checkFetch(f, "ENVELOPE", "FLAGS", "RFC822.SIZE"); err != nil {
			return err
		}
		if f.UID == 0 || f.Envelope == nil || !set.Contains(f.UID) {
			// Not the answer: a flag change the server announces on its
			// own (RFC 3501 section 7.4.2), so the shadow may be behind.
			w.stale = true
			return nil
		}
		e := toEnvelope(f, false)
		got[f.UID] = &e
		return nil
	}
	c, err := w.s.command("UID FETCH").SP().Raw(set.String()).Raw(" (" + envelopeItems + ")").Finish()
	if err != nil {
		return nil, err
	}
	w.pendingEnvs = got
	w.state = 3
	return []*wire.Command{c}, nil
}

// noteChange marks the watch stale when the server announces, outside
// IDLE, that the mailbox changed (EXISTS, EXPUNGE, or VANISHED without
// EARLIER, RFC 7162 section 3.2.10): a message added or removed while the
// watch reads the mailbox may be missing from what it read, and the
// server does not announce it again in the next IDLE.
func (w *watch) noteChange(resp *wire.Response) {
	switch resp.Kind {
	case wire.KindExists, wire.KindExpunge:
		w.stale = true
	case wire.KindVanished:
		if resp.Vanished == nil || !resp.Vanished.Earlier {
			w.stale = true
		}
	}
}

// done ends IDLE with DONE, once, as soon as the server has answered
// IDLE with "+".
func (w *watch) done(r *runner) {
	if !w.doneSent {
		w.doneSent = true
		if w.idling {
			w.doneOut = true
			r.queue([]byte("DONE\r\n"))
		}
	}
}

func sortedUIDs(m map[imap.UID]email.Flags) []imap.UID {
	out := make([]imap.UID, 0, len(m))
	for u := range m {
		out = append(out, u)
	}
	slices.Sort(out)
	return out
}
