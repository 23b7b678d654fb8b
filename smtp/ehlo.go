package smtp

import "github.com/ioemail/ioemail/coroutine"

// Hello returns a machine that sends EHLO with the session's domain and
// records the extensions of the reply (RFC 5321 section 4.1.1.1). When the
// server refuses EHLO with a 5yz code (an old server that knows only HELO,
// 500/502), it falls back to HELO; the extensions are then empty.
func (s *Session) Hello() coroutine.NetMachine[Extensions] {
	h := &helloOp{s: s}
	return newMachine(s, h, func() Extensions { return s.ext })
}

type helloOp struct {
	s     *Session
	state int
}

func (h *helloOp) advance(replies []Reply) (*exchange, error) {
	switch h.state {
	case 0:
		h.state = 1
		return cmd("EHLO", "EHLO "+h.s.cfg.Domain), nil
	case 1:
		r := replies[0]
		switch r.Class() {
		case 2:
			h.state = 3
			h.s.ext = parseExtensions(r.Lines)
			return nil, nil
		case 5:
			h.state = 2
			return cmd("HELO", "HELO "+h.s.cfg.Domain), nil
		case 4:
			h.state = 3
			return nil, r.Err("EHLO")
		}
		return nil, h.s.broken(unexpected("EHLO", r))
	case 2:
		h.state = 3
		r := replies[0]
		switch r.Class() {
		case 2:
			h.s.ext = Extensions{Domain: firstWord(r.Lines)}
			return nil, nil
		case 4, 5:
			return nil, r.Err("HELO")
		}
		return nil, h.s.broken(unexpected("HELO", r))
	}
	return nil, nil
}

func firstWord(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	for i := 0; i < len(lines[0]); i++ {
		if lines[0][i] == ' ' {
			return lines[0][:i]
		}
	}
	return lines[0]
}
