package smtp

import (
	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/coroutine"
)

// ConnectOptions says how Connect sets a session up.
type ConnectOptions struct {
	// AllowPlaintext lets a connection that is not encrypted stay so when
	// the server does not offer STARTTLS, and allows authenticating over
	// it. Without it such a connection is upgraded with STARTTLS or
	// refused (ErrNoStartTLS), so that an attacker cannot strip STARTTLS
	// from the EHLO reply. Even with it, STARTTLS is used when offered.
	AllowPlaintext bool
	// Auth, when set, authenticates with this SASL mechanism.
	Auth sasl.Client
}

// Connect returns a machine that sets up a new connection: it reads the
// greeting, sends EHLO (or HELO), upgrades a clear link with STARTTLS and
// says EHLO again, then authenticates when opts.Auth is set (and says EHLO
// once more). It ends with the server's extensions, ready to send mail.
func (s *Session) Connect(opts ConnectOptions) coroutine.NetMachine[Extensions] {
	c := &connectOp{s: s, opts: opts}
	return newMachine(s, c, func() Extensions { return s.ext })
}

type connectOp struct {
	s     *Session
	opts  ConnectOptions
	state int // 0 greeting, 1 EHLO, 2 STARTTLS decision, 3 re-EHLO, 4 AUTH decision, 5 done
	inner op
}

func (c *connectOp) advance(replies []Reply) (*exchange, error) {
	for {
		if c.inner != nil {
			ex, err := c.inner.advance(replies)
			if err != nil || ex != nil {
				return ex, err
			}
			c.inner, replies = nil, nil
		}
		switch c.state {
		case 0:
			c.state, c.inner = 1, &greetingOp{s: c.s}
		case 1:
			c.state, c.inner = 2, &helloOp{s: c.s}
		case 2:
			c.state = 4
			if !c.s.secure && (c.s.ext.StartTLS || !c.opts.AllowPlaintext) {
				if !c.s.ext.StartTLS {
					return nil, ErrNoStartTLS
				}
				c.state, c.inner = 3, &startTLSOp{s: c.s}
			}
		case 3:
			c.state, c.inner = 4, &helloOp{s: c.s}
		case 4:
			c.state = 5
			if c.opts.Auth != nil {
				c.inner = &authOp{s: c.s, c: c.opts.Auth, allowPlain: c.opts.AllowPlaintext}
			}
		default:
			return nil, nil
		}
	}
}
