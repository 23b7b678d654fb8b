package imap

import (
	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// GetMessage returns the machine that fetches one raw message with UID
// FETCH <uid> (UID BODY.PEEK[]), which leaves \Seen alone. The message is
// buffered whole, within the session's literal limit (Limits.MaxLiteral):
// a larger message fails with email.ErrTooLarge, its bytes dropped as
// they arrive, and the session stays usable. A UID the server does not
// return gives an *email.NotFoundError.
func GetMessage(s *Session, mailbox, id string) coroutine.NetMachine[[]byte] {
	uids, _, err := parseIDs([]string{id})
	if err == nil {
		err = checkName(mailbox)
	}
	if err != nil {
		return failed[[]byte]("get_message", err)
	}
	return newMachine[[]byte](s, "get_message", &getMessage{s: s, id: id, uid: uids[0], sel: selector{mailbox: mailbox, upTo: uids[0]}}, mailbox)
}

type getMessage struct {
	s     *Session
	id    string
	uid   imap.UID
	sel   selector
	state int
	out   []byte
	found bool
}

func (g *getMessage) result() []byte { return g.out }

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

// fetch returns the UID FETCH of the message and sets the run to collect
// it.
func (g *getMessage) fetch(r *runner) (*wire.Command, error) {
	r.onData = func(resp *wire.Response) error {
		if resp.Kind != wire.KindFetch || resp.Fetch == nil {
			return nil
		}
		if err := checkFetch(resp.Fetch, "BODY[]"); err != nil {
			return err
		}
		if resp.Fetch.UID != g.uid {
			return nil
		}
		for _, sec := range resp.Fetch.Sections {
			if sec.Section == "" && sec.Partial < 0 && !sec.Binary {
				// The data aliases the read buffer: copy it.
				g.out = append([]byte(nil), sec.Data...)
				g.found = sec.Data != nil
			}
		}
		return nil
	}
	return g.s.command("UID FETCH").SP().Number(uint64(g.uid)).Raw(" (UID BODY.PEEK[])").Finish()
}
