package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// ErrLocked is returned when a folder's keyword table must change while
// another writer holds dovecot-uidlist.lock (Dovecot takes that lock to
// rewrite dovecot-keywords). Try again later.
var ErrLocked = errors.New("maildir: dovecot-uidlist.lock is held by another writer")

// The states of keywordsMachine.
const (
	kwStart = iota
	kwRead
	kwLock
	kwLockStat
	kwLockRemove
	kwReread
	kwCreate
	kwRename
	kwUnlock
	kwCleanup
)

// keywordsMachine reads a folder's dovecot-keywords and, when flags of need
// have no letter yet, adds them: under dovecot-uidlist.lock (created
// exclusively; a lock older than two minutes by the Store's clock is taken
// as stale and removed), it reads the table again, assigns free letters,
// writes a temporary file and renames it over dovecot-keywords (an atomic
// replacement, as Dovecot does).
type keywordsMachine struct {
	base[*Keywords]
	s          Store
	mailbox    string
	dir        string
	need       email.Flags
	state      int
	kw         *Keywords
	tmp        string
	triedStale bool
	pending    error
}

func (s Store) keywords(mailbox, dir string, need email.Flags) *keywordsMachine {
	return &keywordsMachine{s: s, mailbox: mailbox, dir: dir, need: need}
}

func (m *keywordsMachine) file() string { return path.Join(m.dir, keywordsFile) }
func (m *keywordsMachine) lock() string { return path.Join(m.dir, lockFile) }

// complete reports whether every needed flag has a letter in kw.
func (m *keywordsMachine) complete(kw *Keywords) bool {
	for _, f := range m.need {
		if kw.letter(f) == 0 && (f.IANA != email.Forwarded || kw.free() >= 0) {
			return false
		}
	}
	return true
}

// Resume implements coroutine.Machine.
func (m *keywordsMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case kwStart:
		m.state = kwRead
		return m.ask(coroutine.ReadHead(m.file(), maxKeywordsFile))
	case kwRead:
		kw, err := m.parse(in[0])
		if err != nil {
			return m.fail(err)
		}
		if m.complete(kw) {
			return m.finish(kw)
		}
		if err := m.s.canWrite(); err != nil {
			return m.fail(err)
		}
		m.state = kwLock
		return m.ask(coroutine.Create(m.lock(), nil))
	case kwLock:
		switch err := in[0].Err; {
		case errors.Is(err, fs.ErrExist) && !m.triedStale:
			m.state = kwLockStat
			return m.ask(coroutine.FileRequest{Op: coroutine.FileStat, Path: m.lock()})
		case errors.Is(err, fs.ErrExist):
			return m.fail(fmt.Errorf("%w (%s)", ErrLocked, m.lock()))
		case errors.Is(err, fs.ErrNotExist):
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox})
		case err != nil:
			return m.fail(fmt.Errorf("maildir: locking %s: %w", m.dir, err))
		}
		m.state = kwReread
		return m.ask(coroutine.ReadHead(m.file(), maxKeywordsFile))
	case kwLockStat:
		m.triedStale = true
		switch err := in[0].Err; {
		case errors.Is(err, fs.ErrNotExist):
			m.state = kwLock
			return m.ask(coroutine.Create(m.lock(), nil))
		case err != nil:
			return m.fail(fmt.Errorf("maildir: locking %s: %w", m.dir, err))
		}
		if m.s.Clock().Sub(in[0].ModTime) < staleLockSecs*time.Second {
			return m.fail(fmt.Errorf("%w (%s)", ErrLocked, m.lock()))
		}
		m.state = kwLockRemove
		return m.ask(coroutine.Remove(m.lock()))
	case kwLockRemove:
		if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m.fail(fmt.Errorf("maildir: removing stale lock in %s: %w", m.dir, err))
		}
		m.state = kwLock
		return m.ask(coroutine.Create(m.lock(), nil))
	case kwReread:
		kw, err := m.parse(in[0])
		if err == nil {
			err = kw.assign(m.need)
		}
		if err != nil {
			return m.unlockFail(err)
		}
		m.kw = kw
		if len(kw.Bytes()) > maxKeywordsFile {
			return m.unlockFail(fmt.Errorf("maildir: dovecot-keywords would exceed %d bytes: %w", maxKeywordsFile, email.ErrTooLarge))
		}
		hex, err := m.s.randomHex()
		if err != nil {
			return m.unlockFail(err)
		}
		m.tmp = path.Join(m.dir, ".dovecot-keywords."+hex+".tmp")
		m.state = kwCreate
		return m.ask(coroutine.Create(m.tmp, kw.Bytes()))
	case kwCreate:
		if err := in[0].Err; err != nil {
			return m.unlockFail(fmt.Errorf("maildir: writing keywords: %w", err))
		}
		m.state = kwRename
		return m.ask(coroutine.FileRequest{Op: coroutine.FileRename, Path: m.tmp, Target: m.file(), Replace: true})
	case kwRename:
		if err := in[0].Err; err != nil {
			m.pending = fmt.Errorf("maildir: replacing keywords: %w", err)
			m.state = kwCleanup
			return m.ask(coroutine.Remove(m.tmp), coroutine.Remove(m.lock()))
		}
		m.state = kwUnlock
		return m.ask(coroutine.Remove(m.lock()))
	case kwUnlock:
		if err := in[0].Err; err != nil && m.pending == nil {
			return m.fail(fmt.Errorf("maildir: unlocking %s: %w", m.dir, err))
		}
		if m.pending != nil {
			return m.fail(m.pending)
		}
		return m.finish(m.kw)
	case kwCleanup:
		return m.fail(m.pending)
	}
	return m.fail(fmt.Errorf("maildir: keywords machine in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// unlockFail removes the lock, then fails with err.
func (m *keywordsMachine) unlockFail(err error) ([]coroutine.FileRequest, bool) {
	m.pending = err
	m.state = kwUnlock
	return m.ask(coroutine.Remove(m.lock()))
}

func (m *keywordsMachine) parse(r coroutine.FileResult) (*Keywords, error) {
	switch {
	case errors.Is(r.Err, fs.ErrNotExist):
		return &Keywords{}, nil
	case r.Err != nil:
		return nil, fmt.Errorf("maildir: reading %s: %w", m.file(), r.Err)
	case r.Size > maxKeywordsFile:
		return nil, fmt.Errorf("maildir: %s is larger than %d bytes: %w", m.file(), maxKeywordsFile, email.ErrTooLarge)
	}
	return ParseKeywords(r.Data), nil
}
