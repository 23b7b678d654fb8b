package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// maxMoveRounds bounds the rename rounds of a move (a name clash or a
// concurrent rename of the source costs one round).
const maxMoveRounds = 3

// The states of moveMessagesMachine.
const (
	mvPrepare = iota
	mvScan
	mvRename
	mvRead
	mvDeliver
	mvRemove
	mvSync
	mvCheckDst
)

type moveMessagesMachine struct {
	transferMachine
	pending  []int // indices to rename in the batch in flight
	keys     []string
	rounds   int
	relocate []int // indices whose source vanished
	fallback []int // indices to copy and remove
	fi       int
}

// MoveMessages returns a machine moving messages to another mailbox and
// returning their new ids, in the order of ids.
//
// Every id is located first; an unknown id fails with
// *email.NotFoundError before anything moves. Each message is renamed, in
// one batch, straight into the target's cur/ under a fresh unique name
// with its flags (keywords re-mapped through the target's
// dovecot-keywords) by a rename that never replaces a file: atomic, so a
// crash leaves every message in exactly one place. A source renamed
// meanwhile by a flag change is located again once. Where the rename is
// impossible (another file system), the message is copied as CopyMessages
// does, then the source removed: a crash then leaves a duplicate, never a
// loss. Moving to the same mailbox gives the messages new names. A
// repeated id moves once and gets the same new id at each place.
func (s Store) MoveMessages(from, to string, ids []string) coroutine.FileMachine[[]string] {
	srcDir, dstDir, err := s.pair(from, to, ids)
	if err != nil {
		return done[[]string](err)
	}
	uniq, index := dedupe(ids)
	m := &moveMessagesMachine{transferMachine: s.transferOf(from, to, srcDir, dstDir, uniq)}
	run := withUnlock(m, m.lock)
	if len(uniq) == len(ids) {
		return run
	}
	// A repeated id moves once and gets the same new id.
	return coroutine.Map(run, func(out []string) ([]string, error) {
		all := make([]string, len(index))
		for k, i := range index {
			all[k] = out[i]
		}
		return all, nil
	})
}

// Resume implements coroutine.Machine.
func (m *moveMessagesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	for {
		switch m.state {
		case mvPrepare:
			if reqs, done, ok := m.opening(in); !ok {
				return reqs, done
			}
			m.state = mvCheckDst
			return m.ask(coroutine.FileRequest{Op: coroutine.FileStat, Path: m.dstDir + "/cur"})
		case mvScan:
			reqs, done, f, err := runSub[*Folder](m.scan, in)
			if !done {
				return m.delegate(reqs)
			}
			if err != nil {
				return m.fail(err)
			}
			for _, i := range m.relocate {
				e, ok := f.Find(m.ids[i])
				if !ok {
					return m.fail(&email.NotFoundError{Mailbox: m.from, ID: m.ids[i]})
				}
				m.t.entries[i] = e
			}
			m.pending, m.relocate = append(m.pending, m.relocate...), nil
			return m.rename()
		case mvCheckDst:
			if in[0].Err != nil || !in[0].IsDir {
				return m.fail(&email.NotFoundError{Mailbox: m.to})
			}
			m.out = make([]string, len(m.ids))
			m.keys = make([]string, len(m.ids))
			m.pending = indices(len(m.ids))
			return m.rename()
		case mvRename:
			var again []int
			for j, i := range m.pending {
				switch err := in[j].Err; {
				case err == nil:
					m.out[i] = m.keys[i]
				case errors.Is(err, fs.ErrExist):
					again = append(again, i)
				case errors.Is(err, fs.ErrNotExist):
					m.relocate = append(m.relocate, i)
				default:
					m.fallback = append(m.fallback, i)
				}
			}
			m.pending = again
			if len(m.relocate) > 0 && !m.rescanned {
				m.rescanned = true
				m.state, m.scan, in = mvScan, m.s.scan(m.from, m.srcDir), nil
				continue
			}
			if len(m.relocate) > 0 {
				return m.fail(&email.NotFoundError{Mailbox: m.from, ID: m.ids[m.relocate[0]]})
			}
			if len(m.pending) > 0 {
				return m.rename()
			}
			return m.nextFallback()
		case mvRead:
			i := m.fallback[m.fi]
			if err := m.s.checkRead(in[0], m.from, m.ids[i], m.t.entries[i].Path(m.srcDir)); err != nil {
				return m.fail(err)
			}
			r := in[0]
			m.dv = m.s.deliver(m.to, m.dstDir, r.Data, m.t.letters(i, m.dstKw), i+1)
			m.state, in = mvDeliver, nil
		case mvDeliver:
			reqs, done, key, err := runSub[string](m.dv, in)
			if !done {
				return m.delegate(reqs)
			}
			if err != nil {
				return m.fail(err)
			}
			i := m.fallback[m.fi]
			m.out[i] = key
			m.state = mvRemove
			return m.ask(coroutine.Remove(m.t.entries[i].Path(m.srcDir)))
		case mvRemove:
			if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
				return m.fail(fmt.Errorf("maildir: message copied as %q but removing the source failed: %w", m.out[m.fallback[m.fi]], err))
			}
			m.fi++
			return m.nextFallback()
		case mvSync:
			if err := firstErr(in, fs.ErrNotExist); err != nil {
				return m.fail(fmt.Errorf("maildir: messages moved but syncing failed: %w", err))
			}
			return m.finish(m.out)
		default:
			return m.fail(fmt.Errorf("maildir: move_messages in state %d: %w", m.state, email.ErrUnexpectedReply))
		}
	}
}

// rename asks for one no-clobber rename per pending index, each to a
// freshly minted name.
func (m *moveMessagesMachine) rename() ([]coroutine.FileRequest, bool) {
	m.rounds++
	if m.rounds > maxMoveRounds {
		return m.fail(fmt.Errorf("maildir: moving to %s: names kept clashing: %w", m.dstDir, email.ErrExists))
	}
	reqs := make([]coroutine.FileRequest, len(m.pending))
	for j, i := range m.pending {
		e := m.t.entries[i]
		key, err := m.s.uniqueKey(i+1, int(e.Name.Size))
		if err != nil {
			return m.fail(err)
		}
		m.keys[i] = key
		target := m.dstDir + "/cur/" + key + string(m.s.sep()) + "2," + m.t.letters(i, m.dstKw)
		reqs[j] = coroutine.Rename(e.Path(m.srcDir), target)
	}
	m.state = mvRename
	return m.ask(reqs...)
}

// nextFallback copies the next message that could not be renamed, or
// syncs the directories when none is left.
func (m *moveMessagesMachine) nextFallback() ([]coroutine.FileRequest, bool) {
	if m.fi < len(m.fallback) {
		i := m.fallback[m.fi]
		m.state = mvRead
		return m.ask(coroutine.ReadHead(m.t.entries[i].Path(m.srcDir), m.s.maxMessage()+1))
	}
	m.state = mvSync
	return m.ask(coroutine.SyncDir(m.dstDir+"/cur"), coroutine.SyncDir(m.srcDir+"/cur"), coroutine.SyncDir(m.srcDir+"/new"))
}
