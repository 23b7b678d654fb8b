package imap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// Noop returns the machine that sends NOOP (RFC 3501 section 6.1.2): it
// checks that the connection is alive, and lets the server report changes
// to the selected mailbox. It changes nothing, so it is always safe to
// repeat.
func Noop(s *Session) coroutine.NetMachine[struct{}] {
	return newMachine[struct{}](s, "noop", &noop{s: s})
}

type noop struct {
	s    *Session
	sent bool
}

func (n *noop) result() struct{} { return struct{}{} }

func (n *noop) advance(r *runner) ([]*wire.Command, bool, error) {
	if n.sent {
		return nil, true, runErr(r, 0, "NOOP")
	}
	n.sent = true
	return one(n.s.command("NOOP"))
}
