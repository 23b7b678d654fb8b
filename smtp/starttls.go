package smtp

import (
	"errors"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// ErrNoStartTLS is returned when the server does not offer STARTTLS on a
// link that must be encrypted: either a server that does not support it, or
// an attacker stripping it from the EHLO reply. It matches
// email.ErrInsecure.
var ErrNoStartTLS = errorsJoin("smtp: server does not offer STARTTLS", email.ErrInsecure)

// StartTLS returns a machine that sends STARTTLS (RFC 3207), asks the
// driver to start TLS (a coroutine.NetStartTLS request) once the server
// answered 220, and forgets the extensions learnt over the clear link: run
// Hello next. Bytes received after the 220 reply and before the handshake
// are an error (they could only be injected by an attacker), never parsed.
func (s *Session) StartTLS() coroutine.NetMachine[struct{}] {
	t := &startTLSOp{s: s}
	return newMachine(s, t, func() struct{} { return struct{}{} })
}

type startTLSOp struct {
	s     *Session
	state int
}

func (t *startTLSOp) advance(replies []Reply) (*exchange, error) {
	switch t.state {
	case 0:
		if t.s.secure {
			return nil, errors.New("smtp: STARTTLS on a link that is already encrypted")
		}
		if t.s.ext.ESMTP && !t.s.ext.StartTLS {
			return nil, ErrNoStartTLS
		}
		t.state = 1
		x := cmd("STARTTLS", "STARTTLS")
		x.trailing = "bytes after the STARTTLS reply, before the TLS handshake (possible command injection)"
		return x, nil
	case 1:
		r := replies[0]
		switch r.Class() {
		case 2:
			t.state = 2
			return &exchange{startTLS: true}, nil
		case 4, 5:
			t.state = 3
			return nil, r.Err("STARTTLS")
		}
		return nil, t.s.broken(unexpected("STARTTLS", r))
	case 2:
		t.state = 3
		t.s.secure = true
		t.s.ext = Extensions{}
	}
	return nil, nil
}
