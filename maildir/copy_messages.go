package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The states of copyMessagesMachine.
const (
	cpPrepare = iota
	cpScan
	cpRead
	cpDeliver
)

type copyMessagesMachine struct {
	transferMachine
	i int // the message being copied
}

// CopyMessages returns a machine copying messages to another mailbox (or
// the same one) and returning their new ids, in the order of ids.
//
// Every id is located first (exact key match); an unknown id fails with
// *email.NotFoundError before anything is written. Each copy is a new
// delivery into the target's cur/ (see AddMessage) under a fresh unique
// name, so no foreign field such as mbsync's ",U=" travels with it
// (seed-reference 11.4), with the same flags: the standard letters, and
// keywords re-mapped through the target's dovecot-keywords (extended when
// needed; the target's dovecot-uidlist.lock is then held until the last
// message is in place, as Dovecot does). Unknown flag bytes are kept. Messages are read one at a time,
// each at most Store.MaxMessageSize bytes.
func (s Store) CopyMessages(from, to string, ids []string) coroutine.FileMachine[[]string] {
	srcDir, dstDir, err := s.pair(from, to, ids)
	if err != nil {
		return done[[]string](err)
	}
	m := &copyMessagesMachine{transferMachine: s.transferOf(from, to, srcDir, dstDir, ids)}
	return withUnlock(m, m.lock)
}

// Resume implements coroutine.Machine.
func (m *copyMessagesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	for {
		switch m.state {
		case cpPrepare:
			if reqs, done, ok := m.opening(in); !ok {
				return reqs, done
			}
			m.out = make([]string, 0, len(m.ids))
			m.state = cpRead
			return m.read()
		case cpScan:
			reqs, done, f, err := runSub[*Folder](m.scan, in)
			if !done {
				return m.delegate(reqs)
			}
			if err != nil {
				return m.fail(err)
			}
			e, ok := f.Find(m.ids[m.i])
			if !ok {
				return m.fail(&email.NotFoundError{Mailbox: m.from, ID: m.ids[m.i]})
			}
			m.t.entries[m.i] = e
			m.state = cpRead
			return m.read()
		case cpRead:
			r := in[0]
			if errors.Is(r.Err, fs.ErrNotExist) && !m.rescanned {
				m.rescanned = true
				m.state, m.scan, in = cpScan, m.s.scan(m.from, m.srcDir), nil
				continue
			}
			if err := m.s.checkRead(r, m.from, m.ids[m.i], m.t.entries[m.i].Path(m.srcDir)); err != nil {
				return m.fail(err)
			}
			m.rescanned = false
			m.dv = m.s.deliver(m.to, m.dstDir, r.Data, m.t.letters(m.i, m.dstKw), m.i+1)
			m.state, in = cpDeliver, nil
		case cpDeliver:
			reqs, done, key, err := runSub[string](m.dv, in)
			if !done {
				return m.delegate(reqs)
			}
			if err != nil {
				return m.fail(err)
			}
			m.out = append(m.out, key)
			m.i++
			if m.i == len(m.ids) {
				return m.finish(m.out)
			}
			m.state = cpRead
			return m.read()
		default:
			return m.fail(fmt.Errorf("maildir: copy_messages in state %d: %w", m.state, email.ErrUnexpectedReply))
		}
	}
}

func (m *copyMessagesMachine) read() ([]coroutine.FileRequest, bool) {
	return m.ask(coroutine.ReadHead(m.t.entries[m.i].Path(m.srcDir), m.s.maxMessage()+1))
}
