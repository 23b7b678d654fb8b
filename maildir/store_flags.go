package maildir

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The states of storeFlagsMachine.
const (
	sfStart = iota
	sfScan
	sfKeywords
	sfRename
	sfSync
)

type storeFlagsMachine struct {
	base[struct{}]
	s         Store
	mailbox   string
	dir       string
	ids       []string
	op        email.FlagOp
	flags     email.Flags
	need      email.Flags
	state     int
	scan      *scanMachine
	kwm       *keywordsMachine
	lock      heldLock
	kw        *Keywords
	folder    *Folder
	pending   []int // indices of ids still to rename
	batch     []int // indices in the batch in flight
	rescanned bool
	fromNew   bool
}

// StoreFlags returns a machine changing the flags of messages: op adds
// flags, removes them, or sets exactly these.
//
// Each message is renamed to cur/<key>:2,<flags> with the flag bytes in
// ASCII order; a message still in new/ moves to cur/ on the way
// (seed-reference 11.3), so DeleteMessages-free workflows that set T work
// too. Bytes of the info this package does not map (unknown uppercase
// letters, keyword letters missing from dovecot-keywords, digits) and a
// Dovecot ",<extra>" tail after the flags are kept as they are; an info
// that does not start with "2," ("1,...") is replaced. The six standard
// flags are letters; every other flag is a Dovecot keyword letter a-z
// mapped through the folder's dovecot-keywords, to which new keywords are
// added (atomically, under dovecot-uidlist.lock) when op adds or sets them;
// the lock is then held until the messages are renamed, as Dovecot does.
// $Forwarded is written both as P and as a keyword letter (mblaze and
// mbsync read P, Dovecot only the keyword); either reads as the flag.
// A flag that is not a valid IMAP keyword atom fails with
// email.ErrInvalidArgument before any I/O, as does the 27th keyword of a
// folder. Unknown ids fail with *email.NotFoundError before anything
// changes. A message renamed meanwhile by another writer is located again
// once and its new flags recomputed from its current ones.
func (s Store) StoreFlags(mailbox string, ids []string, op email.FlagOp, flags email.Flags) coroutine.FileMachine[struct{}] {
	dir, err := s.Dir(mailbox)
	if err == nil {
		err = s.checkIDs(ids)
	}
	if err == nil && !op.Valid() {
		err = fmt.Errorf("maildir: flag operation %d: %w", op, email.ErrInvalidArgument)
	}
	flags = email.NewFlags(flags...)
	var need email.Flags
	if err == nil && op != email.FlagRemove {
		need, err = letterless(flags)
	}
	if err != nil {
		return done[struct{}](err)
	}
	m := &storeFlagsMachine{s: s, mailbox: mailbox, dir: dir, ids: uniqIDs(ids), op: op, flags: flags, need: need}
	return withUnlock(m, &m.lock)
}

// Resume implements coroutine.Machine.
func (m *storeFlagsMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	for {
		switch m.state {
		case sfStart:
			if len(m.ids) == 0 {
				return m.finish(struct{}{})
			}
			m.state, m.scan, in = sfScan, m.s.scan(m.mailbox, m.dir), nil
		case sfScan:
			reqs, done, f, err := runSub[*Folder](m.scan, in)
			if !done {
				return m.delegate(reqs)
			}
			if err != nil {
				return m.fail(err)
			}
			m.folder = f
			if m.pending == nil {
				if _, err := locate(f, m.ids); err != nil {
					return m.fail(err)
				}
				m.pending = indices(len(m.ids))
				m.state, m.kwm, in = sfKeywords, m.s.holding(m.mailbox, m.dir, m.need, &m.lock), nil
				continue
			}
			return m.rename()
		case sfKeywords:
			reqs, done, kw, err := runSub[*Keywords](m.kwm, in)
			if !done {
				return m.delegate(reqs)
			}
			if err != nil {
				return m.fail(err)
			}
			m.kw = kw
			return m.rename()
		case sfRename:
			again, err := vanished(in, m.batch, func(j int, err error) error {
				return fmt.Errorf("maildir: renaming message %q: %w", m.ids[m.batch[j]], err)
			})
			if err != nil {
				return m.fail(err)
			}
			if len(again) > 0 {
				if m.rescanned {
					return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.ids[again[0]]})
				}
				m.rescanned, m.pending = true, again
				m.state, m.scan, in = sfScan, m.s.scan(m.mailbox, m.dir), nil
				continue
			}
			reqs := []coroutine.FileRequest{coroutine.SyncDir(m.dir + "/cur")}
			if m.fromNew {
				reqs = append(reqs, coroutine.SyncDir(m.dir+"/new"))
			}
			m.state = sfSync
			return m.ask(reqs...)
		case sfSync:
			if err := firstErr(in, nil); err != nil {
				return m.fail(fmt.Errorf("maildir: flags changed but syncing %s failed: %w", m.dir, err))
			}
			return m.finish(struct{}{})
		default:
			return m.fail(fmt.Errorf("maildir: store_flags in state %d: %w", m.state, email.ErrUnexpectedReply))
		}
	}
}

// rename asks for the renames of the pending messages whose name changes.
func (m *storeFlagsMachine) rename() ([]coroutine.FileRequest, bool) {
	var reqs []coroutine.FileRequest
	m.batch = m.batch[:0]
	sep := m.s.sep()
	for _, i := range m.pending {
		e, ok := m.folder.Find(m.ids[i])
		if !ok {
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox, ID: m.ids[i]})
		}
		next := e.Name.FlagSet(m.kw).Apply(m.op, m.flags)
		letters, missing := render(next, e.Name.keep(m.kw), m.kw)
		if len(missing) > 0 {
			return m.fail(fmt.Errorf("maildir: no keyword letter for %q: %w", missing[0].Raw, email.ErrInvalidArgument))
		}
		file := e.Name.WithFlags(letters, sep)
		if e.Sub == "cur" && file == e.File {
			continue
		}
		if e.Sub == "new" {
			m.fromNew = true
		}
		m.batch = append(m.batch, i)
		reqs = append(reqs, coroutine.Rename(e.Path(m.dir), m.dir+"/cur/"+file))
	}
	m.pending = nil
	m.state = sfRename
	if len(reqs) == 0 {
		return m.finish(struct{}{})
	}
	return m.ask(reqs...)
}
