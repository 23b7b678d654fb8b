package imap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// Logout returns the machine that ends the session with LOGOUT (RFC 3501
// section 6.1.3); the server's BYE is expected.
func Logout(s *Session) coroutine.NetMachine[struct{}] {
	return newMachine[struct{}](s, "logout", &logout{s: s})
}

type logout struct {
	s    *Session
	sent bool
}

func (l *logout) result() struct{} { return struct{}{} }

func (l *logout) advance(r *runner) ([]*wire.Command, bool, error) {
	if l.sent {
		if r.err != nil {
			return nil, false, r.err
		}
		l.s.State = StateLogout
		l.s.err = ErrClosed
		return nil, true, nil
	}
	l.sent = true
	r.byeOK = true
	return one(l.s.command("LOGOUT"))
}
