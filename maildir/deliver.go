package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// maxNameTries bounds how often a delivery mints a new name after a clash.
const maxNameTries = 3

// The states of deliverMachine.
const (
	dvStart = iota
	dvCreate
	dvProbe
	dvMkTmp
	dvLink
	dvRename
	dvCleanup
	dvSync
)

// deliverMachine writes one message into a maildir's cur/ with the given
// flag bytes (storage-formats 1.5): create tmp/<key> exclusively with the
// bytes and sync it, hard-link it to cur/<key>:2,<flags> (link never
// replaces an existing file; where the file system refuses hard links, a
// no-clobber rename is used instead), remove the tmp/ name, and sync cur/.
// A clash on either name mints a new key. A crash leaves at worst a file in
// tmp/, never a partial message in cur/.
type deliverMachine struct {
	base[string]
	s       Store
	mailbox string
	dir     string
	data    []byte
	mtime   time.Time // the tmp/ file's times when not zero (Received)
	flags   string
	seq     int
	state   int
	tries   int
	madeTmp bool
	key     string
	tmp     string
	target  string
	pending error
	// stream is set when the message comes from the operation's source
	// (coroutine.FileCopyIn) instead of data: the tmp/ name then has no
	// size field, the size read gives the cur/ name, and a clash on it
	// mints a new name for the same tmp/ file, since the source cannot be
	// read twice.
	stream bool
	size   int64
}

func (s Store) deliver(mailbox, dir string, data []byte, flags string, seq int) *deliverMachine {
	return &deliverMachine{s: s, mailbox: mailbox, dir: dir, data: data, flags: flags, seq: seq}
}

// deliverStream returns a delivery of the operation's source.
func (s Store) deliverStream(mailbox, dir, flags string, seq int) *deliverMachine {
	return &deliverMachine{s: s, mailbox: mailbox, dir: dir, flags: flags, seq: seq, stream: true}
}

// rename mints a new cur/ name for a streamed message already in tmp/.
func (m *deliverMachine) rename() ([]coroutine.FileRequest, bool) {
	m.tries++
	if m.tries > maxNameTries {
		m.pending = fmt.Errorf("maildir: %d unique names in %s all exist: %w", maxNameTries, m.dir, email.ErrExists)
		m.state = dvCleanup
		return m.ask(coroutine.Remove(m.tmp))
	}
	key, err := m.s.uniqueKey(m.seq, int(m.size))
	if err != nil {
		m.pending = err
		m.state = dvCleanup
		return m.ask(coroutine.Remove(m.tmp))
	}
	m.key = key
	m.target = m.dir + "/cur/" + key + string(m.s.sep()) + "2," + m.flags
	if m.state == dvRename {
		return m.ask(coroutine.Rename(m.tmp, m.target))
	}
	return m.ask(coroutine.Link(m.tmp, m.target))
}

// create mints a key and asks to create the tmp/ file.
func (m *deliverMachine) create() ([]coroutine.FileRequest, bool) {
	m.tries++
	if m.tries > maxNameTries {
		return m.fail(fmt.Errorf("maildir: %d unique names in %s all exist: %w", maxNameTries, m.dir, email.ErrExists))
	}
	size := len(m.data)
	if m.stream {
		size = -1
	}
	key, err := m.s.uniqueKey(m.seq, size)
	if err != nil {
		return m.fail(err)
	}
	m.key = key
	m.tmp = m.dir + "/tmp/" + key
	m.target = m.dir + "/cur/" + key + string(m.s.sep()) + "2," + m.flags
	m.state = dvCreate
	req := coroutine.Create(m.tmp, m.data)
	if m.stream {
		req = coroutine.CopyIn(m.tmp, m.s.maxMessage(), 0)
	}
	req.ModTime = m.mtime
	return m.ask(req)
}

// Resume implements coroutine.Machine.
func (m *deliverMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case dvStart:
		return m.create()
	case dvCreate:
		switch err := in[0].Err; {
		case err == nil && m.stream:
			m.size, m.state, m.tries = in[0].Size, dvLink, 0
			return m.rename()
		case err == nil:
			m.state = dvLink
			return m.ask(coroutine.Link(m.tmp, m.target))
		case errors.Is(err, email.ErrTooLarge):
			return m.fail(fmt.Errorf("maildir: %w", err))
		case errors.Is(err, fs.ErrExist):
			return m.create()
		case errors.Is(err, fs.ErrNotExist) && !m.madeTmp:
			m.madeTmp = true
			m.state = dvProbe
			return m.ask(coroutine.FileRequest{Op: coroutine.FileStat, Path: m.dir + "/cur"})
		default:
			return m.fail(fmt.Errorf("maildir: writing %s: %w", m.tmp, err))
		}
	case dvProbe:
		if in[0].Err != nil || !in[0].IsDir {
			return m.fail(&email.NotFoundError{Mailbox: m.mailbox})
		}
		m.state = dvMkTmp
		return m.ask(coroutine.Mkdir(m.dir + "/tmp"))
	case dvMkTmp:
		if err := in[0].Err; err != nil {
			return m.fail(fmt.Errorf("maildir: creating %s/tmp: %w", m.dir, err))
		}
		m.tries--
		return m.create()
	case dvLink, dvRename:
		switch err := in[0].Err; {
		case err == nil && m.state == dvLink:
			m.state = dvSync
			return m.ask(coroutine.Remove(m.tmp), coroutine.SyncDir(m.dir+"/cur"))
		case err == nil:
			m.state = dvSync
			return m.ask(coroutine.SyncDir(m.dir + "/cur"))
		case errors.Is(err, fs.ErrExist) && m.stream:
			return m.rename()
		case errors.Is(err, fs.ErrExist):
			m.pending = fs.ErrExist
		case errors.Is(err, fs.ErrNotExist):
			m.pending = &email.NotFoundError{Mailbox: m.mailbox}
		case m.state == dvLink:
			// No hard links here (FAT, some FUSE file systems):
			// publish with a rename that never replaces.
			m.state = dvRename
			return m.ask(coroutine.Rename(m.tmp, m.target))
		default:
			m.pending = fmt.Errorf("maildir: publishing %s: %w", m.target, err)
		}
		m.state = dvCleanup
		return m.ask(coroutine.Remove(m.tmp))
	case dvCleanup:
		if m.pending == fs.ErrExist {
			m.pending = nil
			return m.create()
		}
		return m.fail(m.pending)
	case dvSync:
		if err := in[len(in)-1].Err; err != nil {
			return m.fail(fmt.Errorf("maildir: message %s written but syncing %s/cur failed: %w", m.key, m.dir, err))
		}
		return m.finish(m.key)
	}
	return m.fail(fmt.Errorf("maildir: delivery in state %d: %w", m.state, email.ErrUnexpectedReply))
}
