package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Delete-mailbox states.
const (
	dmList   = iota // listing the folder
	dmHide          // renaming it to a dot-name
	dmRemove        // removing the hidden tree
	dmSync          // syncing the parent
	dmDone
)

type deleteMailbox struct {
	machine[struct{}]
	s      Store
	f      folder
	hidden string
	state  int
}

// DeleteMailbox returns a machine that deletes the folder name and its
// messages. The folder first disappears atomically by a no-clobber rename
// to ".<name>.deleting-<random>" in its parent (readers skip dot-names),
// then that tree is removed; a crash in between leaves only a hidden
// directory.
//
// It refuses (email.ErrRefused) the root of the store, INBOX, and a folder
// that has sub-directories (child folders would go with it). A missing
// folder is an error matching email.ErrNotFound.
func (s Store) DeleteMailbox(name string) coroutine.FileMachine[struct{}] {
	const op = "delete_mailbox"
	if strings.Trim(name, "/") == "" {
		return failed[struct{}](op, fmt.Errorf("m2dir: the store root: %w", email.ErrRefused))
	}
	if email.IsInbox(name) {
		return failed[struct{}](op, fmt.Errorf("m2dir: INBOX cannot be deleted: %w", email.ErrRefused))
	}
	f, err := s.folder(name)
	if err != nil {
		return failed[struct{}](op, err)
	}
	return resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[struct{}] {
		f := fs[0]
		return &deleteMailbox{machine: machine[struct{}]{op: op}, s: s, f: f}
	})
}

// Resume implements coroutine.Machine.
func (m *deleteMailbox) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case dmList:
		m.state = dmHide
		return m.ask(coroutine.List(m.f.dir))
	case dmHide:
		c, err := readContents(m.f, in[0], result{})
		if err != nil {
			return m.fail(err)
		}
		if len(c.subdirs) > 0 {
			return m.fail(fmt.Errorf("m2dir: mailbox %q has child folders: %w", m.f.name, email.ErrRefused))
		}
		n, err := newNonce(m.s.Entropy)
		if err != nil {
			return m.fail(err)
		}
		m.hidden = path.Join(path.Dir(m.f.dir), "."+path.Base(m.f.dir)+deletingInfix+n)
		m.state = dmRemove
		return m.ask(coroutine.Rename(m.f.dir, m.hidden))
	case dmRemove:
		if err := in[0].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.fail(&email.NotFoundError{Mailbox: m.f.name})
			}
			return m.fail(fileError(coroutine.Rename(m.f.dir, m.hidden), err))
		}
		m.state = dmSync
		return m.ask(request{Op: coroutine.FileRemoveDir, Path: m.hidden, Recursive: true})
	case dmSync:
		if err := in[0].Err; err != nil {
			return m.fail(fileError(request{Op: coroutine.FileRemoveDir, Path: m.hidden}, err))
		}
		m.state = dmDone
		return m.ask(coroutine.SyncDir(path.Dir(m.f.dir)))
	case dmDone:
		if err := in[0].Err; err != nil {
			return m.fail(fileError(coroutine.SyncDir(path.Dir(m.f.dir)), err))
		}
		return m.finish(struct{}{})
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}
