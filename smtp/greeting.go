package smtp

import "github.com/ioemail/ioemail/coroutine"

// Greeting returns a machine that reads the server's greeting (RFC 5321
// section 4.3.1), one or more lines with code 220. A 554 (or any 4yz/5yz)
// greeting is a refusal: the machine fails with an *Error and the session
// is broken, as the server will close the connection.
func (s *Session) Greeting() coroutine.NetMachine[Reply] {
	g := &greetingOp{s: s}
	return newMachine(s, g, func() Reply { return g.reply })
}

type greetingOp struct {
	s     *Session
	state int
	reply Reply
}

func (g *greetingOp) advance(replies []Reply) (*exchange, error) {
	switch g.state {
	case 0:
		g.state = 1
		return &exchange{cmds: []string{"greeting"}}, nil
	case 1:
		g.state = 2
		r := replies[0]
		g.reply = r
		switch {
		case r.Code == 220:
			return nil, nil
		case r.Class() == 4 || r.Class() == 5:
			return nil, g.s.broken(r.Err("greeting"))
		}
		return nil, g.s.broken(unexpected("the greeting", r))
	}
	return nil, nil
}
