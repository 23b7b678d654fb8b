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

// The states of deleteMailboxMachine.
const (
	dmStart = iota
	dmList
	dmHide
	dmRemove
	dmSync
)

type deleteMailboxMachine struct {
	base[struct{}]
	s     Store
	name  string
	comps []string
	dir   string
	state int
}

// DeleteMailbox returns a machine deleting a mailbox and every message in
// it.
//
// It refuses (email.ErrRefused) to delete INBOX, which is the store's root,
// and a mailbox that has child mailboxes ("A" while "A/B" exists): delete
// the children first. In the fs layout any sub-directory other than cur,
// new, tmp and dot names counts as a child. It first renames cur to
// .cur-deleting-<random>, so the folder stops being a maildir for every
// reader at once, then removes the directory with what is left in it, and
// syncs the parent. A crash in between leaves a directory no reader lists;
// CreateMailbox of the same name cleans it up. A missing mailbox gives
// *email.NotFoundError.
func (s Store) DeleteMailbox(name string) coroutine.FileMachine[struct{}] {
	if err := s.valid(); err != nil {
		return done[struct{}](err)
	}
	comps, err := s.components(name)
	if err != nil {
		return done[struct{}](err)
	}
	if len(comps) == 0 {
		return done[struct{}](fmt.Errorf("maildir: deleting INBOX, the store's root: %w", email.ErrRefused))
	}
	return &deleteMailboxMachine{s: s, name: name, comps: comps, dir: s.dirOf(comps)}
}

// Resume implements coroutine.Machine.
func (m *deleteMailboxMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case dmStart:
		m.state = dmList
		reqs := []coroutine.FileRequest{coroutine.List(m.dir)}
		if m.s.Layout == LayoutMaildirPP {
			reqs = append(reqs, coroutine.List(m.s.dirOf(nil)))
		}
		return m.ask(reqs...)
	case dmList:
		if err := in[0].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.fail(&email.NotFoundError{Mailbox: m.name})
			}
			return m.fail(fmt.Errorf("maildir: listing %s: %w", m.dir, err))
		}
		if !isMaildir(in[0].Entries) {
			return m.fail(&email.NotFoundError{Mailbox: m.name})
		}
		if m.hasChildren(in) {
			return m.fail(fmt.Errorf("maildir: mailbox %q has child mailboxes; delete them first: %w", m.name, email.ErrRefused))
		}
		suffix := "0"
		if m.s.Entropy != nil {
			hex, err := m.s.randomHex()
			if err != nil {
				return m.fail(err)
			}
			suffix = hex
		}
		m.state = dmHide
		return m.ask(coroutine.Rename(m.dir+"/cur", m.dir+"/"+deletingPrefix+suffix))
	case dmHide:
		if err := in[0].Err; err != nil {
			return m.fail(fmt.Errorf("maildir: hiding %s/cur: %w", m.dir, err))
		}
		m.state = dmRemove
		return m.ask(rmdirAll(m.dir))
	case dmRemove:
		if err := in[0].Err; err != nil {
			return m.fail(fmt.Errorf("maildir: removing %s: %w", m.dir, err))
		}
		m.state = dmSync
		return m.ask(coroutine.SyncDir(path.Dir(m.dir)))
	case dmSync:
		if err := in[0].Err; err != nil {
			return m.fail(fmt.Errorf("maildir: syncing %s: %w", path.Dir(m.dir), err))
		}
		return m.finish(struct{}{})
	}
	return m.fail(fmt.Errorf("maildir: delete_mailbox in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// hasChildren reports whether the listings show a child mailbox.
func (m *deleteMailboxMachine) hasChildren(in []coroutine.FileResult) bool {
	if m.s.Layout == LayoutMaildirPP {
		prefix := ppDirName(m.comps) + "."
		for _, e := range in[1].Entries {
			if e.IsDir && strings.HasPrefix(e.Name, prefix) {
				return true
			}
		}
		return false
	}
	for _, e := range in[0].Entries {
		if e.IsDir && e.Name != "cur" && e.Name != "new" && e.Name != "tmp" && !strings.HasPrefix(e.Name, ".") {
			return true
		}
	}
	return false
}
