package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/cleanup"
)

// DefaultTmpAge is the age after which CleanTmp removes a leftover: 36
// hours, the rule Maildir's tmp/ cleaning follows.
const DefaultTmpAge = 36 * time.Hour

// deletingInfix marks a folder that DeleteMailbox hid before removing it:
// ".<name>.deleting-<random>" in the folder's parent.
const deletingInfix = ".deleting-"

// The states of cleanTmp.
const (
	ctList = iota
	ctStat
	ctRemove
	ctDone
)

type cleanTmp struct {
	machine[int]
	s      Store
	f      folder
	age    time.Duration
	state  int
	parent string
	cands  []request // the stat of each candidate
	gone   []request // the removal of each old candidate
}

// CleanTmp returns a machine removing what interrupted writes left in a
// folder, and returning how many it removed: temporary message files
// (TempPrefix + random) in the folder, temporary flags files (TempPrefix +
// random + FlagsSuffix) in its .meta, and the hidden directory of an
// interrupted DeleteMailbox of this folder (".<name>.deleting-<random>" in
// its parent, removed with what it holds; the name may then be gone for
// every other operation). Only regular files (for the deletion leftover, a
// directory) last modified more than age ago by the Store's Clock are
// removed (DefaultTmpAge when age is 0): younger ones may be writes in
// flight by another process. Nothing else is touched. Store.Clock is
// required; a folder that is neither there nor left over by a deletion is
// an error matching email.ErrNotFound.
func (s Store) CleanTmp(mailbox string, age time.Duration) coroutine.FileMachine[int] {
	const op = "clean_tmp"
	if s.Clock == nil {
		return failed[int](op, fmt.Errorf("m2dir: Store.Clock is required to judge ages: %w", email.ErrInvalidArgument))
	}
	if age < 0 {
		return failed[int](op, fmt.Errorf("m2dir: negative age %v: %w", age, email.ErrInvalidArgument))
	}
	if age == 0 {
		age = DefaultTmpAge
	}
	f, err := s.folder(mailbox)
	if err != nil {
		return failed[int](op, err)
	}
	return resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[int] {
		return &cleanTmp{machine: machine[int]{op: op}, s: s, f: fs[0], age: age, parent: path.Dir(fs[0].dir)}
	})
}

// Resume implements coroutine.Machine.
func (m *cleanTmp) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case ctList:
		m.state = ctStat
		return m.ask(coroutine.List(m.f.dir), coroutine.List(m.f.meta()), coroutine.List(m.parent))
	case ctStat:
		return m.stat(in)
	case ctRemove:
		cutoff := m.s.Clock().Add(-m.age)
		for i, r := range in {
			p := m.cands[i].Path
			hidden := m.hidden(p)
			if r.Err != nil || r.IsDir != hidden || !r.ModTime.Before(cutoff) {
				continue
			}
			rm := coroutine.Remove(p)
			if hidden {
				rm = request{Op: coroutine.FileRemoveDir, Path: p, Recursive: true}
			}
			m.gone = append(m.gone, rm)
		}
		if len(m.gone) == 0 {
			return m.finish(0)
		}
		m.state = ctDone
		return m.ask(m.gone...)
	case ctDone:
		n, failed := cleanup.Removed(in)
		if failed >= 0 {
			return m.fail(fileError(m.gone[failed], in[failed].Err))
		}
		return m.finish(n)
	}
	return m.fail(fmt.Errorf("m2dir: clean_tmp in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// stat collects the candidates from the listings of the folder, its .meta
// and its parent, and asks for their stats.
func (m *cleanTmp) stat(in []result) ([]request, bool) {
	if err := in[0].Err; err != nil && !errors.Is(err, fs.ErrNotExist) {
		return m.fail(fileError(coroutine.List(m.f.dir), err))
	}
	for _, e := range in[0].Entries {
		if !e.IsDir && strings.HasPrefix(e.Name, TempPrefix) {
			m.cands = append(m.cands, request{Op: coroutine.FileStat, Path: m.f.file(e.Name)})
		}
	}
	if in[1].Err == nil {
		for _, e := range in[1].Entries {
			if !e.IsDir && strings.HasPrefix(e.Name, TempPrefix) {
				m.cands = append(m.cands, request{Op: coroutine.FileStat, Path: path.Join(m.f.meta(), e.Name)})
			}
		}
	}
	hiddenFound := false
	if in[2].Err == nil && m.parent != m.f.dir {
		for _, e := range in[2].Entries {
			p := path.Join(m.parent, e.Name)
			if e.IsDir && m.hidden(p) {
				hiddenFound = true
				m.cands = append(m.cands, request{Op: coroutine.FileStat, Path: p})
			}
		}
	}
	if in[0].Err != nil && !hiddenFound {
		return m.fail(&email.NotFoundError{Mailbox: m.f.name})
	}
	if len(m.cands) == 0 {
		return m.finish(0)
	}
	m.state = ctRemove
	return m.ask(m.cands...)
}

// hidden reports whether p is the hidden directory of an interrupted
// deletion of the folder.
func (m *cleanTmp) hidden(p string) bool {
	return path.Dir(p) == m.parent && strings.HasPrefix(path.Base(p), "."+path.Base(m.f.dir)+deletingInfix)
}
