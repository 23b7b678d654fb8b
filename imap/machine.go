package imap

import (
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// stepper is one operation written as an explicit state machine over
// commands: advance is called first and again after each batch of
// commands ends (with the runner holding their statuses or error), and
// returns the next batch, or done.
type stepper[R any] interface {
	advance(r *runner) (cmds []*wire.Command, done bool, err error)
	result() R
}

// eventer is a stepper that also yields events (watch): they are handed
// out one per Resume, before the stepper is advanced again.
type eventer interface {
	nextEvent() *email.WatchEvent
}

// machine adapts a stepper to coroutine.NetMachine.
type machine[R any] struct {
	// names are the caller's mailbox names the operation sends; when one
	// has a "/" and the session does not know the server's hierarchy
	// delimiter yet, LIST "" "" (RFC 3501 section 6.3.8) runs first.
	names   []string
	delim   int // 0: not checked, 1: LIST sent, 2: done
	s       *Session
	op      string
	st      stepper[R]
	run     runner
	running bool
	done    bool
	out     R
	err     error
}

func newMachine[R any](s *Session, op string, st stepper[R], names ...string) *machine[R] {
	return &machine[R]{s: s, op: op, st: st, names: names}
}

// failed returns a finished machine that reports err.
func failed[R any](op string, err error) coroutine.NetMachine[R] {
	var zero R
	return coroutine.Done[coroutine.NetReply, coroutine.NetRequest, R](zero, opError(op, err))
}

// Resume implements coroutine.Machine.
func (m *machine[R]) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if m.done {
		return coroutine.NetRequest{}, true
	}
	for {
		if !m.running {
			if m.s.err != nil {
				return m.finish(m.s.err)
			}
			if ev, ok := m.st.(eventer); ok {
				if e := ev.nextEvent(); e != nil {
					return coroutine.NetRequest{Op: coroutine.NetEvent, Event: e}, false
				}
			}
			if cmds := m.delimCommand(); cmds != nil {
				m.run.start(m.s, cmds)
				m.running = true
				in = coroutine.NetReply{}
				continue
			}
			m.run.onData, m.run.onCont = nil, nil
			m.run.byeOK, m.run.greet, m.run.startTLS = false, false, false
			m.run.wait, m.run.onTimeout, m.run.scrub, m.run.needs = 0, nil, nil, nil
			m.run.onBody, m.run.markBodies, m.run.onSource = nil, false, nil
			cmds, done, err := m.st.advance(&m.run)
			if err != nil {
				return m.finish(err)
			}
			if done {
				m.out = m.st.result()
				return m.finish(nil)
			}
			m.run.start(m.s, cmds)
			m.running = true
			in = coroutine.NetReply{}
		}
		req, done := m.run.resume(in)
		if !done {
			return req, false
		}
		m.running = false
	}
}

// delimCommand returns the LIST that learns the delimiter, when needed.
func (m *machine[R]) delimCommand() []*wire.Command {
	switch m.delim {
	case 1:
		m.delim = 2
		m.run.onData = nil
		return nil
	case 2:
		return nil
	}
	m.delim = 2
	if m.s.delim != 0 || m.s.State == StateNotAuthenticated {
		return nil
	}
	need := false
	for _, n := range m.names {
		need = need || strings.Contains(n, "/")
	}
	if !need {
		return nil
	}
	c, err := m.s.command("LIST").Raw(` "" ""`).Finish()
	if err != nil {
		return nil
	}
	m.delim = 1
	s := m.s
	m.run.onData = func(resp *wire.Response) error {
		if resp.Kind == wire.KindList && resp.List != nil && resp.List.Delim != 0 {
			s.delim = resp.List.Delim
		}
		return nil
	}
	return []*wire.Command{c}
}

func (m *machine[R]) finish(err error) (coroutine.NetRequest, bool) {
	m.done = true
	m.err = opError(m.op, err)
	return coroutine.NetRequest{}, true
}

// Result implements coroutine.Machine.
func (m *machine[R]) Result() (R, error) {
	if !m.done {
		var zero R
		return zero, coroutine.ErrNotDone
	}
	return m.out, m.err
}

// one returns a batch of one command, or the encoding error.
func one(e *wire.Encoder) ([]*wire.Command, bool, error) {
	c, err := e.Finish()
	if err != nil {
		return nil, false, err
	}
	return []*wire.Command{c}, false, nil
}

// runErr returns the run's error, or the error of its i-th status. The
// error names the command as it was sent; cmd is the fallback when the
// run has no such command.
func runErr(r *runner, i int, cmd string) error {
	if r.err != nil {
		return r.err
	}
	return statusErr(r.name(i, cmd), r.status[i])
}

// name returns the name of the i-th command of the run, or def.
func (r *runner) name(i int, def string) string {
	if i < len(r.names) && r.names[i] != "" {
		return r.names[i]
	}
	return def
}

// commandName returns the name of a command as encoded: its first atom
// after the tag, with the next one for UID commands ("UID FETCH").
func commandName(c *wire.Command) string {
	if len(c.Segments) == 0 {
		return ""
	}
	line := string(c.Segments[0])
	_, rest, ok := strings.Cut(line, " ")
	if !ok {
		return ""
	}
	words := strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == '\r' || r == '\n' })
	switch {
	case len(words) == 0:
		return ""
	case len(words) > 1 && strings.EqualFold(words[0], "UID"):
		return strings.ToUpper(words[0] + " " + words[1])
	}
	return strings.ToUpper(words[0])
}
