package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// deletingPrefix starts the name cur/ is renamed to when a mailbox is
// deleted (storage-formats 2.7).
const deletingPrefix = ".cur-deleting-"

// The states of createMailboxMachine.
const (
	cmStart = iota
	cmList
	cmCleanup
	cmDir
	cmExact
	cmSubs
	cmCur
	cmSync
)

type createMailboxMachine struct {
	base[struct{}]
	s     Store
	name  string
	comps []string
	dir   string
	pp    bool // write maildirfolder
	state int
}

// CreateMailbox returns a machine creating a mailbox: the directory (and
// its parents, 0700), then tmp and new (and, for a Maildir++ folder, the
// empty maildirfolder file), then cur last, so that a crash leaves a
// directory no reader takes for a maildir and a second call completes it.
// It syncs the new directory and its parent.
//
// It fails with an error matching email.ErrExists when the mailbox already
// has cur, and with *email.NameError for a refused name (see
// ValidateName). CreateMailbox("INBOX") makes the root a maildir. Leftovers
// of an interrupted DeleteMailbox in the directory (a .cur-deleting-*
// directory) are removed first, with new and tmp, so no deleted message
// comes back. In the fs layout missing parents are made as plain
// directories (containers, not mailboxes).
func (s Store) CreateMailbox(name string) coroutine.FileMachine[struct{}] {
	if err := s.valid(); err != nil {
		return done[struct{}](err)
	}
	comps, err := s.newComponents(name)
	if err != nil {
		return done[struct{}](err)
	}
	return &createMailboxMachine{s: s, name: name, comps: comps, dir: s.dirOf(comps), pp: s.Layout == LayoutMaildirPP && len(comps) > 0}
}

// Resume implements coroutine.Machine.
func (m *createMailboxMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case cmStart:
		m.state = cmList
		return m.ask(coroutine.List(m.dir))
	case cmList:
		if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m.fail(fmt.Errorf("maildir: listing %s: %w", m.dir, err))
		}
		var cleanup []coroutine.FileRequest
		for _, e := range in[0].Entries {
			if e.IsDir && e.Name == "cur" {
				return m.fail(fmt.Errorf("maildir: mailbox %q: %w", m.name, email.ErrExists))
			}
			if strings.HasPrefix(e.Name, deletingPrefix) {
				cleanup = append(cleanup, rmdirAll(m.dir+"/"+e.Name))
			}
		}
		if len(cleanup) > 0 {
			cleanup = append(cleanup, rmdirAll(m.dir+"/new"), rmdirAll(m.dir+"/tmp"))
			m.state = cmCleanup
			return m.ask(cleanup...)
		}
		return m.mkdir()
	case cmCleanup:
		if err := firstErr(in, fs.ErrNotExist); err != nil {
			return m.fail(fmt.Errorf("maildir: removing leftovers of a deletion in %s: %w", m.dir, err))
		}
		return m.mkdir()
	case cmDir:
		if err := in[0].Err; err != nil {
			return m.fail(fmt.Errorf("maildir: creating %s: %w", m.dir, err))
		}
		if len(m.comps) == 0 {
			return m.subs()
		}
		// On a case-insensitive file system "New" is the parent's new/:
		// every level must exist under its exact spelling.
		levels := len(m.comps)
		if m.s.Layout == LayoutMaildirPP {
			levels = 1
		}
		reqs := make([]coroutine.FileRequest, levels)
		for i := range reqs {
			reqs[i] = coroutine.List(m.levelDir(i))
		}
		m.state = cmExact
		return m.ask(reqs...)
	case cmExact:
		for i, r := range in {
			if r.Err != nil {
				return m.fail(fmt.Errorf("maildir: listing %s: %w", m.levelDir(i), r.Err))
			}
			if !hasDir(r.Entries, m.levelName(i)) {
				return m.fail(&email.NameError{Name: m.name, Reason: "collides with an existing directory on a case-insensitive file system"})
			}
		}
		return m.subs()
	case cmSubs:
		if err := firstErr(in, fs.ErrExist); err != nil {
			return m.fail(fmt.Errorf("maildir: creating %s: %w", m.dir, err))
		}
		m.state = cmCur
		return m.ask(coroutine.Mkdir(m.dir + "/cur"))
	case cmCur:
		if err := in[0].Err; err != nil {
			return m.fail(fmt.Errorf("maildir: creating %s/cur: %w", m.dir, err))
		}
		m.state = cmSync
		return m.ask(coroutine.SyncDir(m.dir), coroutine.SyncDir(path.Dir(m.dir)))
	case cmSync:
		if err := firstErr(in, nil); err != nil {
			return m.fail(fmt.Errorf("maildir: syncing %s: %w", m.dir, err))
		}
		return m.finish(struct{}{})
	}
	return m.fail(fmt.Errorf("maildir: create_mailbox in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// subs makes tmp and new (and maildirfolder), before cur.
func (m *createMailboxMachine) subs() ([]coroutine.FileRequest, bool) {
	reqs := []coroutine.FileRequest{coroutine.Mkdir(m.dir + "/tmp"), coroutine.Mkdir(m.dir + "/new")}
	if m.pp {
		reqs = append(reqs, coroutine.Create(m.dir+"/maildirfolder", nil))
	}
	m.state = cmSubs
	return m.ask(reqs...)
}

// levelDir is the directory holding level i of the new mailbox: the root
// in Maildir++ (one directory for all levels), else the parent level.
func (m *createMailboxMachine) levelDir(i int) string {
	if m.s.Layout == LayoutMaildirPP {
		return m.s.dirOf(nil)
	}
	return m.s.dirOf(m.comps[:i])
}

// levelName is the directory name of level i (the whole name in
// Maildir++).
func (m *createMailboxMachine) levelName(i int) string {
	if m.s.Layout == LayoutMaildirPP {
		return ppDirName(m.comps)
	}
	return m.comps[i]
}

// hasDir reports whether a listing holds a directory of exactly that name.
func hasDir(ents []coroutine.DirEntry, name string) bool {
	for _, e := range ents {
		if e.IsDir && e.Name == name {
			return true
		}
	}
	return false
}

func (m *createMailboxMachine) mkdir() ([]coroutine.FileRequest, bool) {
	m.state = cmDir
	return m.ask(coroutine.FileRequest{Op: coroutine.FileMkdir, Path: m.dir, Recursive: true})
}

// rmdirAll returns a recursive FileRemoveDir request.
func rmdirAll(p string) coroutine.FileRequest {
	return coroutine.FileRequest{Op: coroutine.FileRemoveDir, Path: p, Recursive: true}
}

// firstErr returns the first error of a batch that does not match ok (nil
// to accept none).
func firstErr(in []coroutine.FileResult, ok error) error {
	for _, r := range in {
		if r.Err != nil && (ok == nil || !errors.Is(r.Err, ok)) {
			return r.Err
		}
	}
	return nil
}
