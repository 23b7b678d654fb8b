package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Create-mailbox states.
const (
	cmRoot   = iota // making the root directory
	cmMarker        // creating .m2store
	cmDirs          // making the folder and its .meta
	cmFolder        // creating .m2dir
	cmSync          // syncing the parent directory
)

type createMailbox struct {
	machine[struct{}]
	s     Store
	f     folder
	state int
}

// CreateMailbox returns a machine that creates the folder name, with any
// missing parent directories (as plain containers) and its .meta
// directory, then its .m2dir marker last: a crash leaves a directory
// without a marker, which readers ignore and a retry completes. It creates
// the root and its .m2store marker when they are missing.
//
// It fails with an error matching email.ErrExists when the folder exists,
// and email.ErrInvalidName when the name cannot be stored (see EncodeName).
func (s Store) CreateMailbox(name string) coroutine.FileMachine[struct{}] {
	f, err := s.folder(name)
	if err != nil {
		return failed[struct{}]("create_mailbox", err)
	}
	return resolved(s, "create_mailbox", []folder{f}, func(fs []folder) coroutine.FileMachine[struct{}] {
		f := fs[0]
		return &createMailbox{machine: machine[struct{}]{op: "create_mailbox"}, s: s, f: f}
	})
}

// Resume implements coroutine.Machine.
func (m *createMailbox) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case cmRoot:
		m.state = cmMarker
		return m.ask(request{Op: coroutine.FileMkdir, Path: m.s.Root, Recursive: true})
	case cmMarker:
		if err := in[0].Err; err != nil {
			return m.fail(fileError(request{Op: coroutine.FileMkdir, Path: m.s.Root}, err))
		}
		m.state = cmDirs
		return m.ask(coroutine.Create(path.Join(m.s.Root, StoreMarker), nil))
	case cmDirs:
		if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrExist) {
			return m.fail(fileError(coroutine.Create(path.Join(m.s.Root, StoreMarker), nil), err))
		}
		m.state = cmFolder
		return m.ask(request{Op: coroutine.FileMkdir, Path: m.f.meta(), Recursive: true})
	case cmFolder:
		if err := in[0].Err; err != nil {
			return m.fail(fileError(request{Op: coroutine.FileMkdir, Path: m.f.meta()}, err))
		}
		m.state = cmSync
		return m.ask(coroutine.Create(m.f.file(FolderMarker), nil))
	case cmSync:
		if err := in[0].Err; err != nil {
			if errors.Is(err, fs.ErrExist) {
				return m.fail(fmt.Errorf("m2dir: mailbox %q: %w", m.f.name, email.ErrExists))
			}
			return m.fail(fileError(coroutine.Create(m.f.file(FolderMarker), nil), err))
		}
		m.state = -1
		return m.ask(coroutine.SyncDir(path.Dir(m.f.dir)), coroutine.SyncDir(m.f.dir))
	case -1:
		for i, r := range in {
			if r.Err != nil {
				return m.fail(fileError(coroutine.SyncDir([]string{path.Dir(m.f.dir), m.f.dir}[i]), r.Err))
			}
		}
		return m.finish(struct{}{})
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}
