package imap

import (
	"slices"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// CopyMessages returns the machine that copies messages to another
// mailbox with UID COPY (RFC 3501 section 6.4.7). The result holds the new
// id of each message, in the order of ids, from COPYUID (RFC 4315); an
// entry is "" when the server did not say.
func CopyMessages(s *Session, from, to string, ids []string) coroutine.NetMachine[[]string] {
	return transfer(s, "copy_messages", from, to, ids, false)
}

// MoveMessages returns the machine that moves messages to another mailbox:
// UID MOVE (RFC 6851) when offered, else UID COPY followed by the removal
// of exactly the moved messages as DeleteMessages does it. The result is
// as CopyMessages'.
func MoveMessages(s *Session, from, to string, ids []string) coroutine.NetMachine[[]string] {
	return transfer(s, "move_messages", from, to, ids, true)
}

func transfer(s *Session, op, from, to string, ids []string, move bool) coroutine.NetMachine[[]string] {
	uids, set, err := parseIDs(ids)
	if err == nil {
		err = checkName(from)
	}
	if err == nil {
		err = checkName(to)
	}
	if err != nil {
		return failed[[]string](op, err)
	}
	return newMachine[[]string](s, op, &transferMsgs{s: s, to: to, uids: uids, move: move, x: expunger{set: set}, sel: selector{mailbox: from, upTo: slices.Max(uids)}}, from, to)
}

type transferMsgs struct {
	s     *Session
	to    string
	uids  []imap.UID
	move  bool
	sel   selector
	x     expunger
	state int
	copy  *imap.CopyData
	cmd   string
}

func (t *transferMsgs) result() []string { return mapCopyUID(t.uids, t.copy) }

func (t *transferMsgs) advance(r *runner) ([]*wire.Command, bool, error) {
	s := t.s
	switch t.state {
	case 0:
		t.state = 1
		cmds, err := t.sel.command(s, r)
		if err != nil || cmds != nil {
			return cmds, false, err
		}
		fallthrough
	case 1:
		if err := t.sel.done(s, r); err != nil {
			return nil, false, err
		}
		if t.sel.changed {
			return nil, false, errStale(t.sel.mailbox)
		}
		t.state = 2
		t.cmd = "UID COPY"
		if t.move && s.has(imap.CapMove) {
			t.cmd = "UID MOVE"
		}
		r.onData = func(resp *wire.Response) error {
			// MOVE sends COPYUID in an untagged OK (RFC 6851 section 4.3).
			if resp.Kind == wire.KindStatus && resp.Status.Code == "COPYUID" {
				t.copy = resp.Status.Copy
			}
			return nil
		}
		e := s.command(t.cmd).SP().Raw(t.x.set.String()).SP()
		if err := s.mailbox(e, t.to); err != nil {
			return nil, false, err
		}
		return one(e)
	case 2:
		if err := runErr(r, 0, t.cmd); err != nil {
			return nil, false, err
		}
		if st := r.status[0]; st.Code == "COPYUID" {
			t.copy = st.Copy
		}
		if !t.move || t.cmd == "UID MOVE" {
			return nil, true, nil
		}
		t.state = 3
		fallthrough
	default:
		return t.x.next(s, r)
	}
}
