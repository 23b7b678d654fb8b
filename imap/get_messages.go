package imap

import (
	"fmt"
	"slices"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// Batches of GetMessages: UIDs per UID FETCH, and commands pipelined at
// once (few enough that the commands fit in the socket buffers while the
// server answers the first).
const (
	batchUIDs = 500
	batchCmds = 4
)

// MessagesMachine is the machine GetMessages returns: a network machine
// whose result lists the per-message failures, with ID naming the
// message its body requests belong to, and Stop to end it early.
type MessagesMachine struct {
	coroutine.NetMachine[[]error]
	g *getMessages
}

// ID returns the id of the message whose body the machine is streaming:
// the one its last empty NetSink request started.
func (m *MessagesMachine) ID() string {
	if m.g == nil || m.g.cur == 0 {
		return ""
	}
	return formatUID(m.g.cur)
}

// Stop makes the machine fetch no more: the bodies still to come of the
// commands already sent are dropped as they arrive (the session stays in
// step), no further command goes out, and the result reports no missing
// message.
func (m *MessagesMachine) Stop() {
	if m.g != nil {
		m.g.stopped = true
	}
}

// GetMessages returns the machine that fetches many raw messages of one
// mailbox with UID FETCH <set> (UID BODY.PEEK[]), which leaves \Seen
// alone: commands of at most 500 UIDs, up to 4 of them pipelined, each
// body streamed as in GetMessage. Every message starts with an empty
// coroutine.NetSink request, after which ID names it, then its bytes come
// in NetSink chunks; messages come in the server's order, a duplicated id
// once. A driver that wants no more of a message answers one of its
// NetSink requests with ErrSkipBody: the rest is dropped.
//
// The result holds one error per message not delivered: first an error
// matching email.ErrTooLarge for each message over max (no limit when max
// <= 0), whose bytes were dropped, in the server's order; then an
// *email.NotFoundError for each id the server did not return, in UID
// order. A body for a UID not asked for, or before
// its UID, is dropped and fails the machine with a *StreamError once the
// command ends; a connection that ends inside a body, with a
// *TruncatedError.
func GetMessages(s *Session, mailbox string, ids []string, max int64) *MessagesMachine {
	uids, _, err := parseIDs(ids)
	if err == nil {
		err = checkName(mailbox)
	}
	if err != nil {
		return &MessagesMachine{NetMachine: failed[[]error]("get_messages", err)}
	}
	slices.Sort(uids)
	uids = slices.Compact(uids)
	g := &getMessages{s: s, mailbox: mailbox, uids: uids, max: max, got: make(map[imap.UID]bool, len(uids)),
		sel: selector{mailbox: mailbox, upTo: uids[len(uids)-1]}}
	return &MessagesMachine{NetMachine: newMachine[[]error](s, "get_messages", g, mailbox), g: g}
}

type getMessages struct {
	s        *Session
	mailbox  string
	uids     []imap.UID // sorted, unique
	max      int64
	sel      selector
	state    int
	next     int // the first UID of uids not asked for yet
	cmds     int // commands of the batch running
	got      map[imap.UID]bool
	cur      imap.UID
	problems []error
	stopped  bool
}

func (g *getMessages) result() []error { return g.problems }

func (g *getMessages) advance(r *runner) ([]*wire.Command, bool, error) {
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
			return g.batch(r)
		case 2:
			for i := range g.cmds {
				if err := runErr(r, i, "UID FETCH"); err != nil {
					return nil, false, err
				}
			}
			if g.next < len(g.uids) && !g.stopped {
				return g.batch(r)
			}
			g.cur = 0
			if !g.stopped {
				for _, u := range g.uids {
					if !g.got[u] {
						g.problems = append(g.problems, &email.NotFoundError{Mailbox: g.mailbox, ID: formatUID(u)})
					}
				}
			}
			return nil, true, nil
		}
	}
}

// batch returns the next pipelined UID FETCH commands and sets the run
// to stream their bodies.
func (g *getMessages) batch(r *runner) ([]*wire.Command, bool, error) {
	var cmds []*wire.Command
	for len(cmds) < batchCmds && g.next < len(g.uids) {
		end := min(g.next+batchUIDs, len(g.uids))
		var set imap.UIDSet
		for _, u := range g.uids[g.next:end] {
			set.AddNum(u)
		}
		g.next = end
		c, err := g.s.command("UID FETCH").SP().Raw(set.String()).Raw(" (UID BODY.PEEK[])").Finish()
		if err != nil {
			return nil, false, err
		}
		cmds = append(cmds, c)
	}
	g.cmds = len(cmds)
	r.markBodies = true
	r.onBody = func(head *wire.Fetch, size int64) (bool, error) {
		ok, err := g.take(head.UID, size)
		if err == nil && head.UID == 0 {
			err = &StreamError{Reason: "the body came before the UID"}
		}
		return ok, err
	}
	r.onData = func(resp *wire.Response) error {
		if resp.Kind != wire.KindFetch || resp.Fetch == nil {
			return nil
		}
		if err := checkFetch(resp.Fetch, "BODY[]"); err != nil {
			return err
		}
		for _, sec := range resp.Fetch.Sections {
			if sec.Section == "" && sec.Partial < 0 && !sec.Binary && sec.Data != nil {
				// A body sent as a quoted string rather than a literal.
				ok, err := g.take(resp.Fetch.UID, int64(len(sec.Data)))
				if ok {
					r.sinkData(sec.Data)
				}
				return err
			}
		}
		return nil
	}
	return cmds, false, nil
}

// take says whether the body of uid, of size bytes, is to be streamed,
// and makes it the current message if so.
func (g *getMessages) take(uid imap.UID, size int64) (bool, error) {
	_, asked := slices.BinarySearch(g.uids, uid)
	switch {
	case uid == 0:
		return false, nil
	case !asked:
		return false, &StreamError{UID: uid, Reason: "the FETCH did not ask for it"}
	case g.got[uid] || g.stopped:
		return false, nil // a second copy, or no more wanted
	}
	g.got[uid] = true
	if g.max > 0 && size > g.max {
		g.problems = append(g.problems, fmt.Errorf("%w (in %q)", tooLarge(formatUID(uid), size, g.max), g.mailbox))
		return false, nil
	}
	g.cur = uid
	return true, nil
}
