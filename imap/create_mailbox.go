package imap

import (
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// CreateMailbox returns the machine that creates a mailbox (CREATE, RFC
// 3501 section 6.3.3). The name is the caller's form (see the package
// documentation). A mailbox that already exists gives an error matching
// email.ErrExists when the server says so with ALREADYEXISTS (RFC 5530).
func CreateMailbox(s *Session, name string) coroutine.NetMachine[struct{}] {
	if email.IsInbox(name) {
		return failed[struct{}]("create_mailbox", fmt.Errorf("%w: INBOX always exists", email.ErrExists))
	}
	return newMachine[struct{}](s, "create_mailbox", &simpleMailboxCmd{s: s, cmd: "CREATE", name: name}, name)
}

// DeleteMailbox returns the machine that deletes a mailbox and the
// messages in it (DELETE, RFC 3501 section 6.3.4). INBOX cannot be
// deleted (email.ErrRefused). A missing mailbox gives an error matching
// email.ErrNotFound when the server says NONEXISTENT.
func DeleteMailbox(s *Session, name string) coroutine.NetMachine[struct{}] {
	if email.IsInbox(name) {
		return failed[struct{}]("delete_mailbox", fmt.Errorf("%w: INBOX cannot be deleted", email.ErrRefused))
	}
	return newMachine[struct{}](s, "delete_mailbox", &simpleMailboxCmd{s: s, cmd: "DELETE", name: name}, name)
}

// simpleMailboxCmd runs one command that takes a mailbox name.
type simpleMailboxCmd struct {
	s    *Session
	cmd  string
	name string
	sent bool
}

func (c *simpleMailboxCmd) result() struct{} { return struct{}{} }

func (c *simpleMailboxCmd) advance(r *runner) ([]*wire.Command, bool, error) {
	s := c.s
	if c.sent {
		if r.err != nil {
			return nil, false, r.err
		}
		if err := statusErr(c.cmd, r.status[len(r.status)-1]); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	c.sent = true
	e := s.command(c.cmd).SP()
	if err := s.mailbox(e, c.name); err != nil {
		return nil, false, err
	}
	cmd, err := e.Finish()
	if err != nil {
		return nil, false, err
	}
	if c.cmd == "DELETE" && s.State == StateSelected && sameMailbox(s.sel, c.name) {
		// Leave the mailbox first: Dovecot disconnects a session whose
		// selected mailbox is deleted under it. UNSELECT (RFC 3691) does
		// not expunge, unlike CLOSE.
		s.unselect()
		if s.has(imap.CapUnselect) {
			un, err := s.command("UNSELECT").Finish()
			if err != nil {
				return nil, false, err
			}
			return []*wire.Command{un, cmd}, false, nil
		}
	}
	return []*wire.Command{cmd}, false, nil
}
