package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// transfer is what copy and move share: the located source entries, the
// flags each carries, and the keyword tables of both folders.
type transfer struct {
	entries []Entry
	flags   []email.Flags // the flags of each entry, keywords resolved
	kept    []string      // flag bytes standing for no flag, kept as they are
	need    email.Flags   // flags the target needs keyword letters for
}

// hasKeywordLetters reports whether an entry carries a keyword letter.
func hasKeywordLetters(es []Entry) bool {
	for _, e := range es {
		if strings.IndexFunc(e.Name.Flags, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 {
			return true
		}
	}
	return false
}

// plan resolves each entry's flags with the source table and collects the
// flags the target must have letters for. Keyword letters the source table
// does not map mean nothing in another folder and are dropped; other
// unknown bytes are kept.
func plan(es []Entry, srcKw *Keywords) (*transfer, error) {
	t := &transfer{entries: es, flags: make([]email.Flags, len(es)), kept: make([]string, len(es))}
	var all email.Flags
	for i, e := range es {
		t.flags[i] = e.Name.FlagSet(srcKw)
		t.kept[i] = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return -1
			}
			return r
		}, e.Name.keep(srcKw))
		all = all.Union(t.flags[i])
	}
	need, err := letterless(all)
	if err != nil {
		return nil, err
	}
	t.need = need
	return t, nil
}

// letters returns the target flag bytes of entry i.
func (t *transfer) letters(i int, dstKw *Keywords) string {
	l, _ := render(t.flags[i], t.kept[i], dstKw)
	return l
}

// sourceKeywords returns a machine reading the source table when an entry
// needs it, or nil.
func (s Store) sourceKeywords(mailbox, dir string, es []Entry) *keywordsMachine {
	if !hasKeywordLetters(es) {
		return nil
	}
	return s.keywords(mailbox, dir, nil)
}

// transferMachine is what copyMessagesMachine and moveMessagesMachine
// share: their arguments, the opening phases (prepareMachine) and what
// they found, and the scan and delivery they may run later.
type transferMachine struct {
	base[[]string]
	s              Store
	from, to       string
	srcDir, dstDir string
	ids            []string
	state          int
	prep           *prepareMachine
	lock           *heldLock    // shared with prep and the unlockAfter around the machine
	scan           *scanMachine // a second scan, for sources renamed meanwhile
	rescanned      bool
	dv             *deliverMachine
	t              *transfer
	dstKw          *Keywords
	out            []string
}

// pair checks the arguments of a copy or a move.
func (s Store) pair(from, to string, ids []string) (string, string, error) {
	srcDir, err := s.Dir(from)
	if err != nil {
		return "", "", err
	}
	dstDir, err := s.Dir(to)
	if err == nil {
		err = s.canWrite()
	}
	if err == nil {
		err = s.checkIDs(ids)
	}
	return srcDir, dstDir, err
}

// transferOf returns the shared part of a copy or a move of ids, checked.
func (s Store) transferOf(from, to, srcDir, dstDir string, ids []string) transferMachine {
	lock := &heldLock{}
	prep := s.prepare(from, to, srcDir, dstDir, ids)
	prep.lock = lock
	return transferMachine{s: s, from: from, to: to, srcDir: srcDir, dstDir: dstDir, ids: ids, prep: prep, lock: lock}
}

// opening runs the opening phases. It reports ok once they have ended
// well, m.t and m.dstKw then set; otherwise the caller's Resume returns
// reqs and done. With no ids the machine ends at once with an empty list.
func (m *transferMachine) opening(in []coroutine.FileResult) (reqs []coroutine.FileRequest, done, ok bool) {
	if len(m.ids) == 0 {
		reqs, done = m.finish([]string{})
		return reqs, done, false
	}
	reqs, done, p, err := runSub[prepared](m.prep, in)
	switch {
	case !done:
		reqs, done = m.delegate(reqs)
	case err != nil:
		reqs, done = m.fail(err)
	default:
		m.t, m.dstKw = p.t, p.dstKw
		return nil, false, true
	}
	return reqs, done, false
}

// checkRead checks the read of message id at path, which copy and move
// deliver elsewhere: a missing file is *email.NotFoundError, one larger
// than Store.MaxMessageSize an error matching email.ErrTooLarge.
func (s Store) checkRead(r coroutine.FileResult, mailbox, id, path string) error {
	switch {
	case errors.Is(r.Err, fs.ErrNotExist):
		return &email.NotFoundError{Mailbox: mailbox, ID: id}
	case r.Err != nil:
		return fmt.Errorf("maildir: reading %s: %w", path, r.Err)
	case r.Size > s.maxMessage() || int64(len(r.Data)) > s.maxMessage():
		return fmt.Errorf("maildir: message %q is more than %d bytes: %w", id, s.maxMessage(), email.ErrTooLarge)
	}
	return nil
}

// The states of prepareMachine.
const (
	prStart = iota
	prScan
	prSrcKw
	prDstKw
)

// prepared is what prepareMachine ends with.
type prepared struct {
	t     *transfer
	dstKw *Keywords // nil when no flag needs a keyword letter
}

// prepareMachine runs the opening phases copy and move share: it scans the
// source folder, locates every id (failing with *email.NotFoundError at
// the first one missing), reads the source's dovecot-keywords when an
// entry carries a keyword letter, resolves the flags (see plan), and reads
// the target's dovecot-keywords, extended with the letters the flags need,
// when some flag needs one.
type prepareMachine struct {
	base[prepared]
	s              Store
	from, to       string
	srcDir, dstDir string
	ids            []string
	state          int
	scan           *scanMachine
	kw             *keywordsMachine
	lock           *heldLock // the target's lock, held when keywords are added
	t              *transfer
}

func (s Store) prepare(from, to, srcDir, dstDir string, ids []string) *prepareMachine {
	return &prepareMachine{s: s, from: from, to: to, srcDir: srcDir, dstDir: dstDir, ids: ids}
}

// Resume implements coroutine.Machine.
func (m *prepareMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	for {
		switch m.state {
		case prStart:
			m.state, m.scan, in = prScan, m.s.scan(m.from, m.srcDir), nil
		case prScan:
			reqs, done, f, err := runSub[*Folder](m.scan, in)
			if !done {
				return m.delegate(reqs)
			}
			if err != nil {
				return m.fail(err)
			}
			es, err := locate(f, m.ids)
			if err != nil {
				return m.fail(err)
			}
			m.t = &transfer{entries: es}
			m.kw, in = m.s.sourceKeywords(m.from, m.srcDir, es), nil
			m.state = prSrcKw
			if m.kw == nil {
				if err := m.plan(nil); err != nil {
					return m.fail(err)
				}
			}
		case prSrcKw:
			reqs, done, kw, err := runSub[*Keywords](m.kw, in)
			if !done {
				return m.delegate(reqs)
			}
			if err == nil {
				err = m.plan(kw)
			}
			if err != nil {
				return m.fail(err)
			}
			in = nil
		case prDstKw:
			var dstKw *Keywords
			if m.kw != nil {
				reqs, done, kw, err := runSub[*Keywords](m.kw, in)
				if !done {
					return m.delegate(reqs)
				}
				if err != nil {
					return m.fail(err)
				}
				dstKw = kw
			}
			return m.finish(prepared{t: m.t, dstKw: dstKw})
		default:
			return m.fail(fmt.Errorf("maildir: prepare in state %d: %w", m.state, email.ErrUnexpectedReply))
		}
	}
}

// plan resolves the flags and sets up the target keyword machine.
func (m *prepareMachine) plan(srcKw *Keywords) error {
	t, err := plan(m.t.entries, srcKw)
	if err != nil {
		return err
	}
	m.t = t
	m.kw = nil
	if len(t.need) > 0 {
		m.kw = m.s.holding(m.to, m.dstDir, t.need, m.lock)
	}
	m.state = prDstKw
	return nil
}

// runSub resumes a nested machine, reporting its batch or its end.
func runSub[R any](m coroutine.FileMachine[R], in []coroutine.FileResult) (reqs []coroutine.FileRequest, done bool, out R, err error) {
	reqs, done = m.Resume(in)
	if done {
		out, err = m.Result()
	}
	return reqs, done, out, err
}
