package imap

import (
	"slices"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// DeleteMessages returns the machine that permanently removes exactly the
// named messages: UID STORE +FLAGS.SILENT (\Deleted) and UID EXPUNGE
// (RFC 4315). Without UIDPLUS it uses EXPUNGE only when no other message
// of the mailbox carries \Deleted, and otherwise fails with an error
// matching email.ErrRefused, having changed nothing. Ids that name no
// message are ignored.
func DeleteMessages(s *Session, mailbox string, ids []string) coroutine.NetMachine[struct{}] {
	uids, set, err := parseIDs(ids)
	if err == nil {
		err = checkName(mailbox)
	}
	if err != nil {
		return failed[struct{}]("delete_message", err)
	}
	return newMachine[struct{}](s, "delete_message", &deleteMessages{s: s, x: expunger{set: set}, sel: selector{mailbox: mailbox, upTo: slices.Max(uids)}}, mailbox)
}

type deleteMessages struct {
	s     *Session
	sel   selector
	x     expunger
	state int
}

func (d *deleteMessages) result() struct{} { return struct{}{} }

func (d *deleteMessages) advance(r *runner) ([]*wire.Command, bool, error) {
	s := d.s
	switch d.state {
	case 0:
		d.state = 1
		cmds, err := d.sel.command(s, r)
		if err != nil || cmds != nil {
			return cmds, false, err
		}
		fallthrough
	case 1:
		if err := d.sel.done(s, r); err != nil {
			return nil, false, err
		}
		if d.sel.changed {
			return nil, false, errStale(d.sel.mailbox)
		}
		d.state = 2
		fallthrough
	default:
		return d.x.next(s, r)
	}
}
