package smtp

import "github.com/ioemail/ioemail/coroutine"

// Reset returns a machine that sends RSET (RFC 5321 section 4.1.1.5),
// aborting any mail transaction in progress.
func (s *Session) Reset() coroutine.NetMachine[struct{}] {
	return newMachine(s, &simpleOp{s: s, name: "RSET"}, func() struct{} { return struct{}{} })
}

// Noop returns a machine that sends NOOP (RFC 5321 section 4.1.1.9), to
// check that the connection is alive.
func (s *Session) Noop() coroutine.NetMachine[struct{}] {
	return newMachine(s, &simpleOp{s: s, name: "NOOP"}, func() struct{} { return struct{}{} })
}

// Quit returns a machine that sends QUIT (RFC 5321 section 4.1.1.10) and
// reads the reply; a server that closes without one is fine too. The
// session is closed afterwards, whatever the outcome.
func (s *Session) Quit() coroutine.NetMachine[struct{}] {
	return newMachine(s, &simpleOp{s: s, name: "QUIT", quit: true}, func() struct{} { return struct{}{} })
}

type simpleOp struct {
	s     *Session
	name  string
	quit  bool
	state int
}

func (o *simpleOp) advance(replies []Reply) (*exchange, error) {
	switch o.state {
	case 0:
		o.state = 1
		x := cmd(o.name, o.name)
		x.eofOK = o.quit
		return x, nil
	case 1:
		o.state = 2
		if o.quit {
			o.s.broken(ErrSessionClosed)
		}
		if len(replies) == 0 {
			return nil, nil
		}
		r := replies[0]
		switch r.Class() {
		case 2:
			return nil, nil
		case 4, 5:
			return nil, r.Err(o.name)
		}
		return nil, o.s.broken(unexpected(o.name, r))
	}
	return nil, nil
}
