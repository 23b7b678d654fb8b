package maildir

import (
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The states of deleteMessagesMachine.
const (
	dlStart = iota
	dlScan
	dlRemove
	dlSync
)

type deleteMessagesMachine struct {
	base[struct{}]
	s         Store
	mailbox   string
	dir       string
	ids       []string
	state     int
	scan      *scanMachine
	pending   []int // indices of ids in the removal batch in flight
	paths     []string
	rescanned bool
}

// DeleteMessages returns a machine permanently removing exactly the named
// messages: each id is matched exactly against the keys (never a prefix),
// and an unknown id fails with *email.NotFoundError before anything is
// removed. The files are unlinked in one batch; one renamed meanwhile by a
// concurrent flag change is located again once; new/ and cur/ are synced.
// Unlike the reference implementation, this is a real removal, not a T
// (trashed) flag; use StoreFlags with email.FlagDeleted for that.
func (s Store) DeleteMessages(mailbox string, ids []string) coroutine.FileMachine[struct{}] {
	dir, err := s.Dir(mailbox)
	if err == nil {
		err = s.checkIDs(ids)
	}
	if err != nil {
		return done[struct{}](err)
	}
	return &deleteMessagesMachine{s: s, mailbox: mailbox, dir: dir, ids: uniqIDs(ids)}
}

// Resume implements coroutine.Machine.
func (m *deleteMessagesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case dlStart:
		if len(m.ids) == 0 {
			return m.finish(struct{}{})
		}
		m.state, m.scan, in = dlScan, m.s.scan(m.mailbox, m.dir), nil
		fallthrough
	case dlScan:
		reqs, done, f, err := runSub[*Folder](m.scan, in)
		if !done {
			return m.delegate(reqs)
		}
		if err != nil {
			return m.fail(err)
		}
		if m.pending == nil {
			m.pending = indices(len(m.ids))
		}
		m.paths = m.paths[:0]
		for _, i := range m.pending {
			e, ok := f.Find(m.ids[i])
			if !ok {
				return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.ids[i]})
			}
			m.paths = append(m.paths, e.Path(m.dir))
		}
		reqs = make([]coroutine.FileRequest, len(m.paths))
		for j, p := range m.paths {
			reqs[j] = coroutine.Remove(p)
		}
		m.state = dlRemove
		return m.ask(reqs...)
	case dlRemove:
		again, err := vanished(in, m.pending, func(j int, err error) error {
			return fmt.Errorf("maildir: removing %s: %w", m.paths[j], err)
		})
		if err != nil {
			return m.fail(err)
		}
		if len(again) > 0 {
			if m.rescanned {
				return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.ids[again[0]]})
			}
			m.rescanned = true
			m.pending = again
			m.state, m.scan = dlScan, m.s.scan(m.mailbox, m.dir)
			reqs, _ := m.scan.Resume(nil)
			return m.delegate(reqs)
		}
		m.state = dlSync
		return m.ask(coroutine.SyncDir(m.dir+"/cur"), coroutine.SyncDir(m.dir+"/new"))
	case dlSync:
		if err := firstErr(in, fs.ErrNotExist); err != nil {
			return m.fail(fmt.Errorf("maildir: messages removed but syncing %s failed: %w", m.dir, err))
		}
		return m.finish(struct{}{})
	}
	return m.fail(fmt.Errorf("maildir: delete_message in state %d: %w", m.state, email.ErrUnexpectedReply))
}
