package imap

import (
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// selector is the SELECT step shared by the operations that work inside a
// mailbox: it selects the mailbox unless it is already selected (with
// write access when needed), and records what the server says about it.
//
// A mailbox already selected is brought up to date first when the
// operation could otherwise miss a change another client made since the
// server last reported one (RFC 3501 section 5.2: a server may hold back
// EXISTS until a command asks; Dovecot answers a UID FETCH or a SEARCH
// from the view it last announced). The selector then sends NOOP, whose
// EXISTS, EXPUNGE and VANISHED responses update the session, and the
// operation runs on the current view. It does so:
//
//   - for an operation over the whole mailbox (a listing, a search, a
//     snapshot), always: a NOOP costs one round trip, a SELECT more;
//   - for an operation on given UIDs (upTo is the highest), only when one
//     of them is at or above the UIDNEXT the SELECT announced: every
//     lower UID was assigned before the SELECT, so it is in the view
//     unless expunged, and no round trip is spent.
//
// The NOOP is not pipelined with the operation's command: Dovecot 2.3
// runs a UID FETCH sent in the same batch as a NOOP on the view from
// before the NOOP's EXISTS (it answers the NOOP with "* 1 EXISTS" and the
// FETCH with nothing), so the command waits for the NOOP's tagged OK.
type selector struct {
	mailbox  string
	readOnly bool
	// upTo is the highest UID the operation names, 0 for an operation over
	// the whole mailbox.
	upTo imap.UID
	// noop reports that the last command was the refreshing NOOP.
	noop bool
	// params replaces the select parameters ("(CONDSTORE)" when enabled),
	// for QRESYNC (RFC 7162 section 3.2.5); it forces a new SELECT.
	params string
	// force sends SELECT even when the mailbox is selected, to learn its
	// UIDVALIDITY again.
	force bool
	sent  bool
	// onData, when set, also sees the SELECT's responses (QRESYNC sends
	// VANISHED and FETCH there).
	onData func(*wire.Response) error
	// changed reports that the mailbox's UIDVALIDITY differs from the one
	// this session saw before: ids from before are void.
	changed bool
}

// command returns the SELECT or EXAMINE to send, or nil when the mailbox
// is already selected.
func (sl *selector) command(s *Session, r *runner) ([]*wire.Command, error) {
	if sl.params == "" && !sl.force && s.State == StateSelected && sameMailbox(s.sel, sl.mailbox) && (sl.readOnly || !s.readOnly) {
		if !sl.stale(s) {
			return nil, nil
		}
		c, err := s.command("NOOP").Finish()
		if err != nil {
			return nil, err
		}
		sl.noop = true
		return []*wire.Command{c}, nil
	}
	name := "SELECT"
	if sl.readOnly {
		name = "EXAMINE"
	}
	e := s.command(name).SP()
	if err := s.mailbox(e, sl.mailbox); err != nil {
		return nil, err
	}
	if sl.params != "" {
		e.SP().Raw(sl.params)
	} else if _, ok := s.enabled[imap.CapCondStore]; ok {
		e.Raw(" (CONDSTORE)")
	}
	c, err := e.Finish()
	if err != nil {
		return nil, err
	}
	// RFC 3501 section 6.3.1: a SELECT closes the current mailbox even
	// when it fails.
	s.unselect()
	sl.sent = true
	r.onData = func(resp *wire.Response) error {
		if sl.onData != nil {
			if err := sl.onData(resp); err != nil {
				return err
			}
		}
		if resp.Kind == wire.KindStatus && resp.Status != nil {
			st := resp.Status
			switch st.Code {
			case "UIDVALIDITY":
				s.uidValidity = st.UIDValidity
			case "UIDNEXT":
				s.uidNext = st.UIDNext
			case "HIGHESTMODSEQ":
				s.modSeq = st.HighestModSeq
			}
		}
		return nil
	}
	return []*wire.Command{c}, nil
}

// stale reports whether the selected mailbox must be brought up to date
// before the operation (see selector).
func (sl *selector) stale(s *Session) bool {
	if sl.upTo == 0 {
		return true
	}
	return s.uidNext == 0 || sl.upTo >= s.uidNext
}

// done checks the result of the SELECT or NOOP, if one was sent.
func (sl *selector) done(s *Session, r *runner) error {
	if sl.noop {
		sl.noop = false
		return runErr(r, 0, "NOOP")
	}
	if !sl.sent {
		return nil
	}
	sl.sent = false
	if r.err != nil {
		return r.err
	}
	st := r.status[0]
	if err := statusErr(r.name(0, "SELECT"), st); err != nil {
		if st.Type == wire.NO && (st.Code == "" || st.Code == imap.ResponseCodeNonExistent) {
			return fmt.Errorf("%w: %w", &email.NotFoundError{Mailbox: sl.mailbox}, err)
		}
		return err
	}
	s.sel = sl.mailbox
	s.State = StateSelected
	s.readOnly = st.Code == "READ-ONLY"
	key := s.callerName(sl.mailbox, 0)
	if old, ok := s.validity[key]; ok && old != s.uidValidity {
		sl.changed = true
	}
	s.validity[key] = s.uidValidity
	return nil
}
