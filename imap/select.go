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
type selector struct {
	mailbox  string
	readOnly bool
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
		return nil, nil
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
	} else if _, ok := s.Enabled[imap.CapCondStore]; ok {
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

// done checks the result of the SELECT, if one was sent.
func (sl *selector) done(s *Session, r *runner) error {
	if !sl.sent {
		return nil
	}
	sl.sent = false
	if r.err != nil {
		return r.err
	}
	st := r.status[0]
	if err := statusErr("SELECT", st); err != nil {
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
