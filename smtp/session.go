package smtp

import (
	"errors"
	"io"

	"github.com/ioemail/ioemail/coroutine"
)

// ErrSessionClosed is the error of a machine built on a Session after QUIT.
var ErrSessionClosed = errors.New("smtp: session closed")

// Config tunes a Session. The zero value is usable, but Domain should be
// set: it is the name the client gives in EHLO.
type Config struct {
	// Domain is the EHLO/HELO argument (RFC 5321 section 4.1.1.1): the
	// client's fully qualified host name or an address literal such as
	// "[192.0.2.1]". Empty means "localhost".
	Domain string
	// MaxLineLength and MaxLines bound the server's replies; 0 means
	// DefaultMaxLineLength and DefaultMaxLines.
	MaxLineLength, MaxLines int
	// MaxAuthSteps bounds the 334 challenges of one AUTH exchange; 0 means
	// 16.
	MaxAuthSteps int
	// NoInitialResponse sends AUTH without the mechanism's initial
	// response and gives it after the server's first, empty, 334
	// challenge, for servers that refuse initial responses (RFC 4954
	// section 4 allows both).
	NoInitialResponse bool
	// NoPipelining sends one command at a time even when the server
	// offers PIPELINING.
	NoPipelining bool
	// NoChunking uses DATA even when the server offers CHUNKING.
	NoChunking bool
}

// Session is the state of one SMTP connection shared by the machines that
// run on it in turn: the reply parser (with bytes read ahead), the
// extensions of the last EHLO, and whether the link is encrypted and
// authenticated. Machines built from a Session must be run one at a time,
// each to completion, in the order they are built.
//
// Once a machine fails with an I/O error, a protocol error or a 421 reply,
// the session is broken: every later machine fails at once with that error.
type Session struct {
	cfg    Config
	p      ReplyParser
	ext    Extensions
	secure bool
	authed bool
	err    error
}

// NewSession returns the session of a new connection; secure says whether
// the connection is already encrypted (implicit TLS, RFC 8314).
func NewSession(cfg Config, secure bool) *Session {
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.MaxAuthSteps <= 0 {
		cfg.MaxAuthSteps = 16
	}
	return &Session{cfg: cfg, secure: secure, p: ReplyParser{MaxLineLength: cfg.MaxLineLength, MaxLines: cfg.MaxLines}}
}

// Extensions returns what the server advertised in its last EHLO reply.
func (s *Session) Extensions() Extensions { return s.ext }

// Secure reports whether the link is encrypted.
func (s *Session) Secure() bool { return s.secure }

// Authenticated reports whether AUTH succeeded.
func (s *Session) Authenticated() bool { return s.authed }

// Consumed returns the number of bytes read from the server and parsed so
// far; Buffered the number read but not parsed yet (at most one partial
// line between operations).
func (s *Session) Consumed() int64 { return s.p.Consumed() }

// Buffered returns the number of bytes read but not yet parsed.
func (s *Session) Buffered() int { return s.p.Buffered() }

// Err returns the error that broke the session, or nil.
func (s *Session) Err() error { return s.err }

// broken marks the session unusable and returns err.
func (s *Session) broken(err error) error {
	if s.err == nil {
		s.err = err
	}
	return err
}

// exchange is the unit every operation is made of: write some buffers,
// then read a number of replies (or, for startTLS, ask for the TLS
// upgrade). It fails when bytes follow the last expected reply.
type exchange struct {
	writes   [][]byte
	cmds     []string // the command each expected reply answers
	startTLS bool
	eofOK    bool   // EOF before any reply ends the exchange without error (QUIT)
	trailing string // the error reason when bytes follow the last reply
	// stream, when set, runs after the writes and before the replies: it
	// passes the operation's source on (see Session.SendStream).
	stream streamer

	st      int // 0 writing, 1 reading, 2 done
	next    int // next buffer to write
	reading bool
	got     []Reply
	err     error
}

func (x *exchange) resume(s *Session, in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if x.st == 2 {
		return coroutine.NetRequest{}, true
	}
	if in.Err != nil {
		return x.fail(s.broken(in.Err))
	}
	if x.startTLS {
		if x.next == 0 {
			x.next = 1
			return coroutine.NetRequest{Op: coroutine.NetStartTLS}, false
		}
		x.st = 2
		return coroutine.NetRequest{}, true
	}
	if x.st == 0 {
		if x.next < len(x.writes) {
			x.next++
			return coroutine.Write(x.writes[x.next-1]), false
		}
		if x.stream != nil {
			req, more, err := x.stream.next(s, x, in)
			if err != nil {
				return x.fail(err)
			}
			if more {
				return req, false
			}
		}
		x.st = 1
	}
	if x.reading {
		x.reading = false
		switch {
		case len(in.Data) > 0:
			s.p.Feed(in.Data)
		case in.EOF:
			if x.eofOK && len(x.got) == 0 && !s.p.Pending() {
				x.st = 2
				return coroutine.NetRequest{}, true
			}
			return x.fail(s.broken(&ProtocolError{Reason: "connection closed while waiting for the " + x.cmd(len(x.got)) + " reply", Err: io.ErrUnexpectedEOF}))
		}
	}
	for len(x.got) < len(x.cmds) {
		r, ok, err := s.p.Next()
		if err != nil {
			return x.fail(s.broken(err))
		}
		if !ok {
			x.reading = true
			return coroutine.Read(), false
		}
		x.got = append(x.got, r)
		if r.Code == 421 {
			// The server is closing the connection (RFC 5321 section
			// 3.8): no more replies will come.
			return x.fail(s.broken(r.Err(x.cmd(len(x.got) - 1))))
		}
	}
	if s.p.Buffered() > 0 {
		reason := x.trailing
		if reason == "" {
			reason = "unexpected bytes after the " + x.cmd(len(x.got)-1) + " reply"
		}
		return x.fail(s.broken(protoErr("%s", reason)))
	}
	x.st = 2
	return coroutine.NetRequest{}, true
}

func (x *exchange) cmd(i int) string {
	if i < len(x.cmds) {
		return x.cmds[i]
	}
	return "?"
}

func (x *exchange) fail(err error) (coroutine.NetRequest, bool) {
	x.err, x.st = err, 2
	return coroutine.NetRequest{}, true
}

// op is one operation: a state machine that, given the replies of its last
// exchange (nil on the first call), returns the next exchange, or nil when
// it has finished.
type op interface {
	advance(replies []Reply) (*exchange, error)
}

// machine runs an op as a coroutine.NetMachine; get extracts the result.
type machine[R any] struct {
	s       *Session
	op      op
	get     func() R
	ex      *exchange
	started bool
	done    bool
	out     R
	err     error
}

func newMachine[R any](s *Session, o op, get func() R) *machine[R] {
	return &machine[R]{s: s, op: o, get: get}
}

// Resume implements coroutine.Machine.
func (m *machine[R]) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if m.done {
		return coroutine.NetRequest{}, true
	}
	var replies []Reply
	if !m.started {
		m.started = true
		if m.s.err != nil {
			return m.finish(m.s.err)
		}
	} else {
		req, done := m.ex.resume(m.s, in)
		if !done {
			return req, false
		}
		if m.ex.err != nil {
			return m.finish(m.ex.err)
		}
		replies = m.ex.got
	}
	for {
		ex, err := m.op.advance(replies)
		if err != nil {
			m.out = m.get()
			return m.finish(err)
		}
		if ex == nil {
			m.out = m.get()
			return m.finish(nil)
		}
		m.ex = ex
		req, done := ex.resume(m.s, coroutine.NetReply{})
		if !done {
			return req, false
		}
		if ex.err != nil {
			return m.finish(ex.err)
		}
		replies = ex.got
	}
}

// Result implements coroutine.Machine.
func (m *machine[R]) Result() (R, error) {
	if !m.done {
		var zero R
		return zero, coroutine.ErrNotDone
	}
	return m.out, m.err
}

func (m *machine[R]) finish(err error) (coroutine.NetRequest, bool) {
	m.err, m.done = err, true
	return coroutine.NetRequest{}, true
}

// cmd returns a one-command exchange.
func cmd(name string, line string) *exchange {
	return &exchange{writes: [][]byte{[]byte(line + "\r\n")}, cmds: []string{name}}
}

// unexpected is the protocol error of a reply whose class does not fit.
func unexpected(command string, r Reply) error {
	return protoErr("unexpected reply %d to %s", r.Code, command)
}
