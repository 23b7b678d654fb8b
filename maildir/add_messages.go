package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// NewMessage is one message of an AddMessages batch.
type NewMessage struct {
	// Raw is the whole message.
	Raw []byte
	// Flags are the message's flags, as AddMessage takes them.
	Flags email.Flags
	// Received, when not zero, is the file's modification time (what
	// listings report as Envelope.Received), as email.WithReceived sets it
	// for AddMessage.
	Received time.Time
}

// The states of addMessagesMachine.
const (
	asStart = iota
	asCreate
	asProbe
	asMkTmp
	asKeywords
	asRename
	asSync
)

// addMessagesMachine is AddMessages: it creates every tmp/ file of the
// batch in one request batch, extends dovecot-keywords when needed (taking
// dovecot-uidlist.lock), renames every file into cur/ in one request
// batch, and syncs cur/ once.
type addMessagesMachine struct {
	base[[]string]
	s       Store
	mailbox string
	dir     string
	msgs    []NewMessage
	need    email.Flags
	state   int
	kw      *keywordsMachine
	lock    heldLock
	madeTmp bool

	// Per message: the flag letters, the tmp/ and cur/ names, the key,
	// how many names were minted, and whether it is in tmp/ or in cur/.
	letters []string
	tmp     []string
	target  []string
	key     []string
	tries   []int
	inTmp   []bool
	inCur   []bool
	// pending is the batch of message indexes the last request batch was
	// about, in its order.
	pending []int
	// failed is the first failure; the batch then cleans up and ends with
	// it.
	failed error
}

// AddMessages returns a machine storing a batch of messages in mailbox, as
// AddMessage stores each (cur/<key>:2,<letters>, the same flags, keyword
// letters and Received times), and returning their ids in the order of
// msgs. It makes the batch durable at once instead of message by message:
// every tmp/ file is created exclusively, written and synced (one request
// batch, which a driver may run in parallel), then every file is renamed
// into cur/ without replacing an existing one (a second request batch),
// then cur/ is synced once. Only then does the machine end, so every id it
// returns names a message whose content and cur/ entry survive a crash.
// A clash on a tmp/ or cur/ name mints a new key for that message. When a
// message carries keywords, dovecot-keywords is extended for all of them
// once the tmp/ files are written, and the renames happen while holding
// dovecot-uidlist.lock, as AddMessage does (the lock is not held while the
// files are written and synced).
//
// Invalid flags (email.ErrInvalidArgument) and a message larger than
// Store.MaxMessageSize (email.ErrTooLarge) fail the batch before any I/O.
// Any other failure fails the whole batch: the tmp/ files not yet renamed
// are removed, the messages already in cur/ are left there (cur/ is still
// synced; a caller finds them again by their content), and no id is
// returned. A crash leaves at worst complete files in tmp/ (for
// Store.CleanTmp) and complete messages in cur/, never a partial one.
func (s Store) AddMessages(mailbox string, msgs []NewMessage) coroutine.FileMachine[[]string] {
	dir, err := s.Dir(mailbox)
	if err == nil {
		err = s.canWrite()
	}
	if err != nil {
		return done[[]string](err)
	}
	m := &addMessagesMachine{s: s, mailbox: mailbox, dir: dir, msgs: make([]NewMessage, len(msgs))}
	var all email.Flags
	for i, msg := range msgs {
		if int64(len(msg.Raw)) > s.maxMessage() {
			return done[[]string](fmt.Errorf("maildir: message %d of the batch is %d bytes, more than %d: %w", i, len(msg.Raw), s.maxMessage(), email.ErrTooLarge))
		}
		msg.Flags = email.NewFlags(msg.Flags...)
		m.msgs[i] = msg
		all = all.Union(msg.Flags)
	}
	m.need, err = letterless(all)
	if err != nil {
		return done[[]string](err)
	}
	return withUnlock(m, &m.lock)
}

// Resume implements coroutine.Machine.
func (m *addMessagesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case asStart:
		if len(m.msgs) == 0 {
			return m.finish([]string{})
		}
		n := len(m.msgs)
		m.letters = make([]string, n)
		m.tmp, m.target, m.key = make([]string, n), make([]string, n), make([]string, n)
		m.tries, m.inTmp, m.inCur = make([]int, n), make([]bool, n), make([]bool, n)
		return m.create(m.all())
	case asKeywords:
		return m.keywords(in)
	case asCreate:
		return m.created(in)
	case asProbe:
		if in[0].Err != nil || !in[0].IsDir {
			m.failed = &email.NotFoundError{Mailbox: m.mailbox}
			return m.cleanup()
		}
		m.state = asMkTmp
		return m.ask(coroutine.Mkdir(m.dir + "/tmp"))
	case asMkTmp:
		if err := in[0].Err; err != nil {
			m.failed = fmt.Errorf("maildir: creating %s/tmp: %w", m.dir, err)
			return m.cleanup()
		}
		return m.create(m.pending)
	case asRename:
		return m.renamed(in)
	case asSync:
		return m.synced(in)
	}
	return m.fail(fmt.Errorf("maildir: add_messages in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// all returns the indexes of every message.
func (m *addMessagesMachine) all() []int {
	idx := make([]int, len(m.msgs))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// publish renders every message's letters with the folder's keyword
// table (nil when no message has keywords) and asks to rename the tmp/
// files into cur/.
func (m *addMessagesMachine) publish(kw *Keywords) ([]coroutine.FileRequest, bool) {
	for i, msg := range m.msgs {
		letters, missing := render(msg.Flags, "", kw)
		if len(missing) > 0 {
			m.failed = fmt.Errorf("maildir: no keyword letter for %q: %w", missing[0].Raw, email.ErrInvalidArgument)
			return m.cleanup()
		}
		m.letters[i] = letters
		m.target[i] = m.dir + "/cur/" + m.key[i] + string(m.s.sep()) + "2," + letters
		m.tries[i] = 0
	}
	return m.rename(m.all())
}

// mint gives message i a new key and the names that go with it.
func (m *addMessagesMachine) mint(i int) error {
	m.tries[i]++
	if m.tries[i] > maxNameTries {
		return fmt.Errorf("maildir: %d unique names in %s all exist: %w", maxNameTries, m.dir, email.ErrExists)
	}
	key, err := m.s.uniqueKey(i+1, len(m.msgs[i].Raw))
	if err != nil {
		return err
	}
	m.key[i] = key
	m.target[i] = m.dir + "/cur/" + key + string(m.s.sep()) + "2," + m.letters[i]
	return nil
}

// create asks for the tmp/ files of the messages idx, each under a new key.
func (m *addMessagesMachine) create(idx []int) ([]coroutine.FileRequest, bool) {
	reqs := make([]coroutine.FileRequest, 0, len(idx))
	for _, i := range idx {
		if err := m.mint(i); err != nil {
			m.failed = err
			return m.cleanup()
		}
		m.tmp[i] = m.dir + "/tmp/" + m.key[i]
		req := coroutine.Create(m.tmp[i], m.msgs[i].Raw)
		req.ModTime = m.msgs[i].Received
		reqs = append(reqs, req)
	}
	m.state, m.pending = asCreate, idx
	return m.ask(reqs...)
}

// created reads the results of a create batch: clashes get a new name, a
// missing tmp/ is made once (when cur/ exists), then every file is
// renamed into cur/.
func (m *addMessagesMachine) created(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	var again, noTmp []int
	for k, i := range m.pending {
		switch err := in[k].Err; {
		case err == nil:
			m.inTmp[i] = true
		case errors.Is(err, fs.ErrExist):
			again = append(again, i)
		case errors.Is(err, fs.ErrNotExist) && !m.madeTmp:
			noTmp = append(noTmp, i)
		case m.failed == nil:
			m.failed = fmt.Errorf("maildir: writing %s: %w", m.tmp[i], err)
		}
	}
	if m.failed != nil {
		return m.cleanup()
	}
	if len(noTmp) > 0 {
		m.madeTmp = true
		for _, i := range noTmp {
			m.tries[i]-- // the name did not clash
		}
		m.pending = append(noTmp, again...)
		m.state = asProbe
		return m.ask(coroutine.FileRequest{Op: coroutine.FileStat, Path: m.dir + "/cur"})
	}
	if len(again) > 0 {
		return m.create(again)
	}
	if len(m.need) == 0 {
		return m.publish(nil)
	}
	// Only now the lock, so that it is held for the renames alone.
	m.state = asKeywords
	m.kw = m.s.holding(m.mailbox, m.dir, m.need, &m.lock)
	return m.keywords(nil)
}

// keywords runs the nested machine that holds the lock and extends
// dovecot-keywords, then publishes with its table, or cleans up when it
// failed.
func (m *addMessagesMachine) keywords(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	reqs, done := m.kw.Resume(in)
	if !done {
		return m.delegate(reqs)
	}
	kw, err := m.kw.Result()
	if err != nil {
		m.failed = err
		return m.cleanup()
	}
	return m.publish(kw)
}

// rename asks to move the tmp/ files of the messages idx into cur/,
// never replacing a file there.
func (m *addMessagesMachine) rename(idx []int) ([]coroutine.FileRequest, bool) {
	reqs := make([]coroutine.FileRequest, 0, len(idx))
	for _, i := range idx {
		if m.tries[i] > 0 {
			// A clash in cur/: a new key for the same tmp/ file.
			if err := m.mint(i); err != nil {
				m.failed = err
				return m.cleanup()
			}
		} else {
			m.tries[i] = 1
		}
		reqs = append(reqs, coroutine.Rename(m.tmp[i], m.target[i]))
	}
	m.state, m.pending = asRename, idx
	return m.ask(reqs...)
}

// renamed reads the results of a rename batch.
func (m *addMessagesMachine) renamed(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	var again []int
	for k, i := range m.pending {
		switch err := in[k].Err; {
		case err == nil:
			m.inTmp[i], m.inCur[i] = false, true
		case errors.Is(err, fs.ErrExist):
			again = append(again, i)
		case m.failed != nil:
		case errors.Is(err, fs.ErrNotExist):
			m.failed = &email.NotFoundError{Mailbox: m.mailbox}
		default:
			m.failed = fmt.Errorf("maildir: publishing %s: %w", m.target[i], err)
		}
	}
	if m.failed == nil && len(again) > 0 {
		return m.rename(again)
	}
	return m.cleanup()
}

// cleanup removes the tmp/ files left (after a failure) and syncs cur/
// when a message went there.
func (m *addMessagesMachine) cleanup() ([]coroutine.FileRequest, bool) {
	var reqs []coroutine.FileRequest
	for i, t := range m.inTmp {
		if t {
			reqs = append(reqs, coroutine.Remove(m.tmp[i]))
			m.inTmp[i] = false
		}
	}
	for _, c := range m.inCur {
		if c {
			reqs = append(reqs, coroutine.SyncDir(m.dir+"/cur"))
			break
		}
	}
	if len(reqs) == 0 {
		return m.fail(m.failed)
	}
	m.state = asSync
	return m.ask(reqs...)
}

// synced ends the batch once cur/ is synced.
func (m *addMessagesMachine) synced(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if m.failed != nil {
		return m.fail(m.failed)
	}
	if err := in[len(in)-1].Err; err != nil {
		return m.fail(fmt.Errorf("maildir: %d messages written but syncing %s/cur failed: %w", len(m.msgs), m.dir, err))
	}
	return m.finish(m.key)
}
