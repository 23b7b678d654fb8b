package imap

import (
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// GetMessage returns the machine that fetches one raw message with UID
// FETCH <uid> (UID BODY.PEEK[]), which leaves \Seen alone, and streams
// it: the literal's bytes go to the operation's sink as they arrive, in
// coroutine.NetSink requests (one per read, never more than the read
// buffer), and the result is the byte count. The message is not bounded
// by the session's literal limit; max bounds it instead (no limit when
// max <= 0): a larger message fails with an error matching
// email.ErrTooLarge before any byte reaches the sink, its bytes dropped
// as they arrive, and the session stays usable.
//
// A UID the server does not return gives an *email.NotFoundError; a body
// for another UID, a *StreamError (dropped when the UID comes before the
// body, as servers send it; otherwise it already went to the sink); a
// connection that ends inside the body, a *TruncatedError. A sink error
// (the NetSink reply's Err) drops the rest of the body and fails the
// machine with it once the server has answered; the session stays
// usable.
func GetMessage(s *Session, mailbox, id string, max int64) coroutine.NetMachine[int64] {
	uids, _, err := parseIDs([]string{id})
	if err == nil {
		err = checkName(mailbox)
	}
	if err != nil {
		return failed[int64]("get_message", err)
	}
	return newMachine[int64](s, "get_message", &getMessage{s: s, id: id, uid: uids[0], max: max, sel: selector{mailbox: mailbox, upTo: uids[0]}}, mailbox)
}

// StreamError reports a streamed FETCH body that does not answer the
// request: a body for a UID that was not asked for. errors.Is matches
// email.ErrProtocol.
type StreamError struct {
	// UID is the UID the server sent the body for.
	UID imap.UID
	// Reason says what was wrong.
	Reason string
}

// Error implements error.
func (e *StreamError) Error() string {
	return fmt.Sprintf("imap: FETCH body of UID %d: %s", e.UID, e.Reason)
}

// Is makes errors.Is match email.ErrProtocol.
func (e *StreamError) Is(target error) bool { return target == email.ErrProtocol }

// TruncatedError reports a connection that ended inside a streamed
// message body: Got of its Size bytes arrived (and went to the sink). The
// session is broken. errors.Is matches email.ErrProtocol.
type TruncatedError struct {
	// Size is the size the server announced.
	Size int64
	// Got is the number of bytes that arrived.
	Got int64
}

// Error implements error.
func (e *TruncatedError) Error() string {
	return fmt.Sprintf("imap: connection closed after %d of the %d bytes of a message", e.Got, e.Size)
}

// Is makes errors.Is match email.ErrProtocol.
func (e *TruncatedError) Is(target error) bool { return target == email.ErrProtocol }

// tooLarge is the error of a message over the caller's limit.
func tooLarge(id string, size, max int64) error {
	return fmt.Errorf("message %s is %d bytes, more than the limit of %d: %w", id, size, max, email.ErrTooLarge)
}

type getMessage struct {
	s     *Session
	id    string
	uid   imap.UID
	max   int64
	sel   selector
	state int
	n     int64
	found bool
	// inBody: a body whose response had no UID before it is being
	// streamed; the UID is checked at the end of the response.
	inBody bool
}

func (g *getMessage) result() int64 { return g.n }

func (g *getMessage) advance(r *runner) ([]*wire.Command, bool, error) {
	s := g.s
	for {
		switch g.state {
		case 0:
			g.state = 1
			cmds, err := g.sel.command(s, r)
			if err != nil || cmds != nil {
				return cmds, false, err
			}
		case 1:
			if err := g.sel.done(s, r); err != nil {
				return nil, false, err
			}
			if g.sel.changed {
				return nil, false, errStale(g.sel.mailbox)
			}
			g.state = 2
			c, err := g.fetch(r)
			if err != nil {
				return nil, false, err
			}
			return []*wire.Command{c}, false, nil
		case 2:
			if err := runErr(r, 0, "UID FETCH"); err != nil {
				return nil, false, err
			}
			if !g.found {
				return nil, false, &email.NotFoundError{Mailbox: g.sel.mailbox, ID: g.id}
			}
			return nil, true, nil
		}
	}
}

// fetch returns the UID FETCH of the message and sets the run to stream
// it.
func (g *getMessage) fetch(r *runner) (*wire.Command, error) {
	r.onBody = func(head *wire.Fetch, size int64) (bool, error) {
		switch {
		case head.UID != 0 && head.UID != g.uid:
			return false, &StreamError{UID: head.UID, Reason: fmt.Sprintf("the FETCH was for UID %d", g.uid)}
		case g.found:
			return false, nil // a second copy: the first counts
		case g.max > 0 && size > g.max:
			return false, tooLarge(g.id, size, g.max)
		}
		g.found, g.n, g.inBody = true, size, head.UID == 0
		return true, nil
	}
	r.onData = func(resp *wire.Response) error {
		if resp.Kind != wire.KindFetch || resp.Fetch == nil {
			return nil
		}
		if err := checkFetch(resp.Fetch, "BODY[]"); err != nil {
			return err
		}
		if g.inBody {
			g.inBody = false
			if resp.Fetch.UID != g.uid {
				return &StreamError{UID: resp.Fetch.UID, Reason: fmt.Sprintf("the FETCH was for UID %d, and the body went to the sink before the UID came", g.uid)}
			}
			return nil
		}
		if resp.Fetch.UID != g.uid || g.found {
			return nil
		}
		for _, sec := range resp.Fetch.Sections {
			if sec.Section == "" && sec.Partial < 0 && !sec.Binary && sec.Data != nil {
				// A body sent as a quoted string rather than a literal.
				if g.max > 0 && int64(len(sec.Data)) > g.max {
					return tooLarge(g.id, int64(len(sec.Data)), g.max)
				}
				g.found, g.n = true, int64(len(sec.Data))
				r.sinkData(sec.Data)
			}
		}
		return nil
	}
	return g.s.command("UID FETCH").SP().Number(uint64(g.uid)).Raw(" (UID BODY.PEEK[])").Finish()
}
