package imap

import (
	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// EachEnvelope returns the machine that hands every envelope of a mailbox
// to fn, in the server's order (UID order on the servers known), with the
// fields ListEnvelopes fills.
//
// It selects the mailbox and sends one UID FETCH 1:* of the listing's
// items (see ListEnvelopes; listItems); each envelope goes to fn as its FETCH
// response is parsed, so the machine holds one response at a time, never
// the mailbox. fn runs inside Resume, on the caller's goroutine. An error
// from fn stops the calls (the machine reads the rest of the answer, to
// keep the stream in step, without converting it) and ends the machine
// with that error wrapped in an *email.OpError (errors.Is finds it). A
// broken response fails the listing with a *FetchError, as in
// ListEnvelopes, after fn has seen the envelopes before it.
func EachEnvelope(s *Session, mailbox string, fn func(email.Envelope) error) coroutine.NetMachine[struct{}] {
	if err := checkName(mailbox); err != nil {
		return failed[struct{}]("each_envelope", err)
	}
	e := &eachEnvelope{s: s, sel: selector{mailbox: mailbox}}
	e.fetch.fn = func(_ imap.UID, env email.Envelope) error { return fn(env) }
	return newMachine[struct{}](s, "each_envelope", e, mailbox)
}

type eachEnvelope struct {
	s     *Session
	sel   selector
	state int
	fetch fetchAll
}

func (e *eachEnvelope) result() struct{} { return struct{}{} }

func (e *eachEnvelope) advance(r *runner) ([]*wire.Command, bool, error) {
	s := e.s
	switch e.state {
	case 0:
		e.state = 1
		cmds, err := e.sel.command(s, r)
		if err != nil || cmds != nil {
			return cmds, false, err
		}
		fallthrough
	case 1:
		if err := e.sel.done(s, r); err != nil {
			return nil, false, err
		}
		if s.exists == 0 {
			return nil, true, nil
		}
		e.state = 2
		return e.fetch.command(s, r, "")
	default:
		return nil, true, e.fetch.done(r)
	}
}

// fetchAll is the UID FETCH 1:* of the listing's items that EachEnvelope
// and an unpaged ListEnvelopes send: every envelope goes to fn as its
// response is parsed. After fn fails, fn is not called again and done
// returns that error.
type fetchAll struct {
	fn  func(imap.UID, email.Envelope) error
	err error // fn's first error
}

// command sets r's data handler and returns the UID FETCH, with extra
// items (" BODYSTRUCTURE") after the listing's.
func (f *fetchAll) command(s *Session, r *runner, extra string) ([]*wire.Command, bool, error) {
	withAttachment := extra != ""
	r.onData = func(resp *wire.Response) error {
		if resp.Kind != wire.KindFetch || resp.Fetch == nil || f.err != nil {
			return nil
		}
		if err := checkFetch(resp.Fetch, "ENVELOPE", "FLAGS", "RFC822.SIZE"); err != nil {
			return err
		}
		if resp.Fetch.UID == 0 {
			return nil // an unsolicited FLAGS update (checkFetch passed it)
		}
		if err := f.fn(resp.Fetch.UID, toEnvelope(resp.Fetch, withAttachment)); err != nil {
			f.err = err
		}
		return nil
	}
	return one(s.command("UID FETCH").Raw(" 1:* (" + listItems + extra + ")"))
}

// done returns the error of the run: fn's first error, else the FETCH's.
func (f *fetchAll) done(r *runner) error {
	if f.err != nil {
		return f.err
	}
	return runErr(r, 0, "UID FETCH")
}
