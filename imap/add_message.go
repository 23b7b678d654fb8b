package imap

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// AddMessage returns the machine that stores a raw message in a mailbox
// with APPEND (RFC 3501 section 6.3.11), with flags in canonical
// spellings. The message goes as a literal: non-synchronising under
// LITERAL+ (or LITERAL- up to 4 KiB), otherwise after the server's
// go-ahead. The result is the new id from APPENDUID (RFC 4315); it is ""
// when the server lacks UIDPLUS. The message bytes are sent unchanged.
func AddMessage(s *Session, mailbox string, raw []byte, flags email.Flags) coroutine.NetMachine[string] {
	if err := checkName(mailbox); err != nil {
		return failed[string]("add_message", err)
	}
	if len(raw) == 0 {
		return failed[string]("add_message", fmt.Errorf("%w: empty message", email.ErrInvalidArgument))
	}
	return newMachine[string](s, "add_message", &addMessage{s: s, mailbox: mailbox, raw: raw, flags: flags}, mailbox)
}

type addMessage struct {
	s       *Session
	mailbox string
	raw     []byte
	flags   email.Flags
	sent    bool
	out     string
}

func (a *addMessage) result() string { return a.out }

func (a *addMessage) advance(r *runner) ([]*wire.Command, bool, error) {
	s := a.s
	if a.sent {
		if err := runErr(r, 0, "APPEND"); err != nil {
			return nil, false, err
		}
		if st := r.status[0]; st.Code == "APPENDUID" && st.AppendUID != 0 {
			a.out = formatUID(st.AppendUID)
		}
		return nil, true, nil
	}
	a.sent = true
	e := s.command("APPEND").SP()
	if err := s.mailbox(e, a.mailbox); err != nil {
		return nil, false, err
	}
	e.SP()
	if err := writeFlags(e, a.flags); err != nil {
		return nil, false, err
	}
	e.SP().Literal(a.raw)
	return one(e)
}
