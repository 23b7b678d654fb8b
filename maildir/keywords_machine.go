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
// rewrite dovecot-keywords) for longer than lockWaitMax. Try again later.
var ErrLocked = errors.New("maildir: dovecot-uidlist.lock is held by another writer")

// The states of keywordsMachine.
const (
	kwStart = iota
	kwRead
	kwLockTmp
	kwLock
	kwLockRead
	kwLockAlive
	kwLockWait
	kwLockRemove
	kwReread
	kwTick
	kwCreate
	kwRename
	kwUnlock
	kwCleanup
	kwLockGiveUp
)

// Waiting for dovecot-uidlist.lock held by another writer: each wait is a
// FileWatch of the folder (the lock's removal wakes it) bounded by
// lockWaitStep; after lockWaitMax by the Store's clock, or lockWaitSteps
// waits, the operation fails with ErrLocked.
const (
	lockWaitStep  = 50 * time.Millisecond
	lockWaitMax   = 10 * time.Second
	lockWaitSteps = 400
)

// heldLock is shared by an operation's keywordsMachine, which sets held
// once it owns dovecot-uidlist.lock, and the unlockAfter around the
// operation, which removes the lock when the operation ends.
type heldLock struct {
	path string
	held bool
}

// keywordsMachine reads a folder's dovecot-keywords and, when flags of need
// have no letter yet, adds them: under dovecot-uidlist.lock (taken with
// the Store's LockOwner in it, see createLock, waiting while another
// writer holds it; see judgeLock for when a lock is taken as stale and
// removed), it reads the table again, assigns free letters, writes a
// temporary file and renames it over dovecot-keywords (an atomic
// replacement, as Dovecot does).
//
// With hold set and flags in need, the lock is taken even when the table
// is complete and kept when the machine ends: the operation renames its
// message files under it and its unlockAfter releases it, so no Dovecot
// sync sees a letter in a file name while the table is being changed (as
// Dovecot itself keeps the lock until its renames are done).
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
	self       lockOwner // the Store's LockOwner, when hasSelf
	hasSelf    bool
	judged     lockSeen  // the lock whose owner was asked about
	dead       *lockSeen // a lock whose owner is gone, to remove if still there
	holder     string    // the owner the lock last read names, for ErrLocked
	lockTmp    string    // tmp/ file holding our owner, renamed into the lock
	tmpTries   int       // names drawn for lockTmp
	pending    error
	hold       *heldLock
	waits      int
	waitStart  time.Time
	oldMtime   time.Time // of the dovecot-keywords being replaced
	ticks      int
}

func (s Store) keywords(mailbox, dir string, need email.Flags) *keywordsMachine {
	return &keywordsMachine{s: s, mailbox: mailbox, dir: dir, need: need}
}

// holding returns a keywords machine that leaves the lock to hold (see
// keywordsMachine).
func (s Store) holding(mailbox, dir string, need email.Flags, hold *heldLock) *keywordsMachine {
	m := s.keywords(mailbox, dir, need)
	m.hold = hold
	hold.path = m.lock()
	return m
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
		if m.complete(kw) && (m.hold == nil || len(m.need) == 0) {
			return m.finish(kw)
		}
		if err := m.s.canWrite(); err != nil {
			return m.fail(err)
		}
		self, ok, err := m.s.lockSelf()
		if err != nil {
			return m.fail(err)
		}
		m.self, m.hasSelf = self, ok
		return m.createLock()
	case kwLockTmp:
		switch err := in[0].Err; {
		case errors.Is(err, fs.ErrExist) && m.tmpTries < 3:
			m.lockTmp = "" // a name a killed operation left: draw another
			return m.createLock()
		case errors.Is(err, fs.ErrNotExist):
			m.lockTmp = ""
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox})
		case err != nil:
			m.lockTmp = ""
			return m.fail(fmt.Errorf("maildir: locking %s: %w", m.dir, err))
		}
		m.state = kwLock
		return m.ask(coroutine.Rename(m.lockTmp, m.lock()))
	case kwLockGiveUp:
		return m.fail(m.pending)
	case kwLock:
		switch err := in[0].Err; {
		case errors.Is(err, fs.ErrExist):
			return m.readLock()
		case errors.Is(err, fs.ErrNotExist):
			return m.giveUp(&email.NotFoundError{Mailbox: m.mailbox})
		case err != nil:
			return m.giveUp(fmt.Errorf("maildir: locking %s: %w", m.dir, err))
		}
		m.lockTmp = "" // renamed into the lock
		if m.hold != nil {
			m.hold.held = true
		}
		m.state = kwReread
		return m.ask(coroutine.ReadHead(m.file(), maxKeywordsFile))
	case kwLockRead:
		switch err := in[0].Err; {
		case errors.Is(err, fs.ErrNotExist):
			return m.createLock()
		case err != nil:
			return m.giveUp(fmt.Errorf("maildir: locking %s: %w", m.dir, err))
		}
		return m.judgeLock(in[0])
	case kwLockAlive:
		switch err := in[0].Err; {
		case errors.Is(err, fs.ErrNotExist):
			// The owner is gone: read the lock once more and remove it
			// if it is still the one judged (as Dovecot checks that the
			// lock was not replaced meanwhile).
			m.dead = &lockSeen{data: m.judged.data, size: m.judged.size, mtime: m.judged.mtime}
			return m.readLock()
		case err == nil:
			return m.wait() // a live process of this host holds it
		}
		return m.byAge(m.judged) // the driver cannot tell
	case kwLockWait:
		if err := in[0].Err; err != nil {
			return m.giveUp(fmt.Errorf("%w (%s%s; cannot wait: %v)", ErrLocked, m.lock(), m.holder, err))
		}
		return m.createLock()
	case kwLockRemove:
		if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m.giveUp(fmt.Errorf("maildir: removing stale lock in %s: %w", m.dir, err))
		}
		return m.createLock()
	case kwReread:
		kw, err := m.parse(in[0])
		if err == nil && m.hold != nil && m.complete(kw) {
			return m.finish(kw) // the caller's unlockAfter releases the lock
		}
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
		if in[0].Err == nil {
			m.oldMtime = in[0].ModTime
		}
		return m.create()
	case kwTick:
		if in[0].Err != nil {
			m.ticks = maxTicks // the driver cannot wait: write now
		}
		return m.create()
	case kwCreate:
		if err := in[0].Err; err != nil {
			return m.unlockFail(fmt.Errorf("maildir: writing keywords: %w", err))
		}
		m.state = kwRename
		return m.ask(coroutine.FileRequest{Op: coroutine.FileRename, Path: m.tmp, Target: m.file(), Replace: true})
	case kwRename:
		if err := in[0].Err; err != nil {
			m.pending = fmt.Errorf("maildir: replacing keywords: %w", err)
			m.released()
			m.state = kwCleanup
			return m.ask(coroutine.Remove(m.tmp), coroutine.Remove(m.lock()))
		}
		if m.hold != nil {
			return m.finish(m.kw)
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

// createLock asks to take the lock. With a LockOwner, the lock appears
// with its content whole, as Dovecot's default dotlocks do: the owner is
// written to a file in the folder's tmp/ (once per operation), which is
// then renamed to the lock without replacing it, so a process killed at
// any point leaves either no lock (and at worst a tmp/ file, which
// CleanTmp removes) or a lock naming it. Without one, the lock is an
// empty file created exclusively.
func (m *keywordsMachine) createLock() ([]coroutine.FileRequest, bool) {
	if !m.hasSelf {
		m.state = kwLock
		return m.ask(coroutine.Create(m.lock(), nil))
	}
	if m.lockTmp != "" {
		m.state = kwLock
		return m.ask(coroutine.Rename(m.lockTmp, m.lock()))
	}
	hex, err := m.s.randomHex()
	if err != nil {
		return m.fail(err)
	}
	m.tmpTries++
	m.lockTmp = path.Join(m.dir, "tmp", lockFile+"."+hex)
	m.state = kwLockTmp
	return m.ask(coroutine.Create(m.lockTmp, []byte(m.s.LockOwner)))
}

// giveUp fails with err without the lock, removing the tmp/ file made
// to take it, if any.
func (m *keywordsMachine) giveUp(err error) ([]coroutine.FileRequest, bool) {
	if m.lockTmp == "" {
		return m.fail(err)
	}
	tmp := m.lockTmp
	m.lockTmp, m.pending, m.state = "", err, kwLockGiveUp
	return m.ask(coroutine.Remove(tmp))
}

// readLock asks for the content, size and mtime of the lock another
// writer holds.
func (m *keywordsMachine) readLock() ([]coroutine.FileRequest, bool) {
	m.state = kwLockRead
	return m.ask(coroutine.ReadHead(m.lock(), maxLockRead))
}

// judgeLock decides about the lock another writer holds, as Dovecot's
// file-dotlock.c does for dovecot-uidlist.lock: a lock naming a process of
// this host (the host of the Store's LockOwner) other than ours is taken
// as stale as soon as the driver answers that the process is gone, and is
// never taken while it runs; any other lock (an empty one, one of another
// host, one naming our own process id, which another operation of this
// process may hold) is taken as stale once it is two minutes old by the
// Store's clock. A stale lock is removed once per operation; after that,
// or while the lock is not stale, the machine waits for it.
func (m *keywordsMachine) judgeLock(r coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	seen := lockSeen{data: r.Data, size: r.Size, mtime: r.ModTime}
	if m.dead.same(seen) && !m.triedStale {
		m.triedStale = true
		m.state = kwLockRemove
		return m.ask(coroutine.Remove(m.lock()))
	}
	m.dead = nil
	owner, ok := parseLockOwner(r.Data)
	m.holder = ""
	if ok {
		m.holder = ", held by " + owner.String()
	}
	if ok && r.Size <= maxLockRead && m.hasSelf && owner.host == m.self.host && owner.pid != m.self.pid && !m.triedStale {
		m.judged = seen
		m.state = kwLockAlive
		return m.ask(coroutine.OwnerAlive(m.lock(), owner.pid))
	}
	return m.byAge(seen)
}

// byAge applies the age rule to a lock (see judgeLock).
func (m *keywordsMachine) byAge(seen lockSeen) ([]coroutine.FileRequest, bool) {
	if m.s.Clock().Sub(seen.mtime) < staleLockSecs*time.Second || m.triedStale {
		return m.wait()
	}
	m.triedStale = true
	m.state = kwLockRemove
	return m.ask(coroutine.Remove(m.lock()))
}

// wait waits for the lock to go (a FileWatch of the folder bounded by
// lockWaitStep), or fails with ErrLocked once the wait is over.
func (m *keywordsMachine) wait() ([]coroutine.FileRequest, bool) {
	now := m.s.Clock()
	if m.waits == 0 {
		m.waitStart = now
	}
	if m.waits >= lockWaitSteps || now.Sub(m.waitStart) > lockWaitMax {
		return m.giveUp(fmt.Errorf("%w (%s%s)", ErrLocked, m.lock(), m.holder))
	}
	m.waits++
	m.state = kwLockWait
	return m.ask(coroutine.FileRequest{Op: coroutine.FileWatch, Path: m.dir, Wait: lockWaitStep})
}

// create writes the new table once the clock has passed the second of the
// replaced file's mtime. Dovecot notices a changed dovecot-keywords by its
// mtime in whole seconds only (and bumps it itself for the same reason), so
// a rewrite within the same second would leave it reading "unknown-N" for
// the new letters; the wait is a FileWatch of the folder bounded by the
// rest of that second, and is at most a few such steps. A driver that
// cannot wait, or an mtime far from the Store's clock, writes at once.
func (m *keywordsMachine) create() ([]coroutine.FileRequest, bool) {
	now := m.s.Clock()
	ahead := m.oldMtime.Unix() - now.Unix() // Dovecot's bump makes it 1 at most, unless clocks differ
	if !m.oldMtime.IsZero() && ahead >= 0 && ahead <= 1 && m.ticks < maxTicks {
		m.ticks++
		wait := time.Unix(m.oldMtime.Unix()+1, 0).Sub(now) + 10*time.Millisecond
		m.state = kwTick
		return m.ask(coroutine.FileRequest{Op: coroutine.FileWatch, Path: m.dir, Wait: min(wait, 1100*time.Millisecond)})
	}
	m.state = kwCreate
	return m.ask(coroutine.Create(m.tmp, m.kw.Bytes()))
}

// maxTicks bounds the waits of create (a folder change wakes one early).
const maxTicks = 50

// unlockFail removes the lock, then fails with err.
func (m *keywordsMachine) unlockFail(err error) ([]coroutine.FileRequest, bool) {
	m.pending = err
	m.released()
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

// released records that the machine removes the lock itself.
func (m *keywordsMachine) released() {
	if m.hold != nil {
		m.hold.held = false
	}
}

// unlockAfter runs an operation whose keywords machine may end holding
// dovecot-uidlist.lock (see holding), then removes the lock if it is held,
// whatever the operation's outcome.
type unlockAfter[R any] struct {
	base[R]
	inner     coroutine.FileMachine[R]
	lock      *heldLock
	res       R
	err       error
	unlocking bool
}

// withUnlock wraps inner, which shares lock with its keywords machine.
func withUnlock[R any](inner coroutine.FileMachine[R], lock *heldLock) coroutine.FileMachine[R] {
	return &unlockAfter[R]{inner: inner, lock: lock}
}

// Resume implements coroutine.Machine.
func (m *unlockAfter[R]) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	if m.unlocking {
		if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) && m.err == nil {
			m.err = fmt.Errorf("maildir: unlocking %s: %w", m.lock.path, err)
		}
		return m.end()
	}
	reqs, done := m.inner.Resume(in)
	if !done {
		return m.delegate(reqs)
	}
	m.res, m.err = m.inner.Result()
	if !m.lock.held {
		return m.end()
	}
	m.lock.held, m.unlocking = false, true
	return m.ask(coroutine.Remove(m.lock.path))
}

func (m *unlockAfter[R]) end() ([]coroutine.FileRequest, bool) {
	if m.err != nil {
		return m.fail(m.err)
	}
	return m.finish(m.res)
}
