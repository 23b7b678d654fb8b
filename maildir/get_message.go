package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The states of getMessageMachine.
const (
	gmStart = iota
	gmScan
	gmRead
)

type getMessageMachine struct {
	base[[]byte]
	s       Store
	mailbox string
	dir     string
	id      string
	state   int
	scan    *scanMachine
	retried bool
	path    string
}

// GetMessage returns a machine reading the raw bytes of the message whose
// key is exactly id (never a prefix: seed-reference 11.19). The message may
// be in new/ or cur/; reading it moves nothing and changes no flag. When
// the file vanishes between the scan and the read (a concurrent flag
// change renamed it), the folder is scanned once more. A missing message
// gives *email.NotFoundError; one larger than Store.MaxMessageSize gives
// an error matching email.ErrTooLarge.
func (s Store) GetMessage(mailbox, id string) coroutine.FileMachine[[]byte] {
	dir, err := s.Dir(mailbox)
	if err == nil {
		err = s.checkID(id)
	}
	if err != nil {
		return done[[]byte](err)
	}
	return &getMessageMachine{s: s, mailbox: mailbox, dir: dir, id: id}
}

// Resume implements coroutine.Machine.
func (m *getMessageMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if m.done {
		return nil, true
	}
	if err := m.check(in); err != nil {
		return m.fail(err)
	}
	switch m.state {
	case gmStart:
		m.state = gmScan
		m.scan = m.s.scan(m.mailbox, m.dir)
		in = nil
		fallthrough
	case gmScan:
		reqs, done := m.scan.Resume(in)
		if !done {
			return m.delegate(reqs)
		}
		f, err := m.scan.Result()
		if err != nil {
			return m.fail(err)
		}
		e, ok := f.Find(m.id)
		if !ok {
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.id})
		}
		m.path = e.Path(m.dir)
		m.state = gmRead
		return m.ask(coroutine.ReadHead(m.path, m.s.maxMessage()+1))
	case gmRead:
		r := in[0]
		switch {
		case errors.Is(r.Err, fs.ErrNotExist) && !m.retried:
			m.retried = true
			m.state = gmScan
			m.scan = m.s.scan(m.mailbox, m.dir)
			reqs, _ := m.scan.Resume(nil)
			return m.delegate(reqs)
		case errors.Is(r.Err, fs.ErrNotExist):
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.id})
		case r.Err != nil:
			return m.fail(fmt.Errorf("maildir: reading %s: %w", m.path, r.Err))
		case r.Size > m.s.maxMessage() || int64(len(r.Data)) > m.s.maxMessage():
			return m.fail(fmt.Errorf("maildir: message %q is %d bytes, more than %d: %w", m.id, r.Size, m.s.maxMessage(), email.ErrTooLarge))
		}
		return m.finish(r.Data)
	}
	return m.fail(fmt.Errorf("maildir: get_message in state %d: %w", m.state, email.ErrUnexpectedReply))
}
