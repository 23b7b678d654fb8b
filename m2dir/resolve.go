package m2dir

import (
	"path"
	"strings"
	"unicode/utf8"

	"github.com/ioemail/ioemail/coroutine"
)

// foreignComponent spells a name level as io-m2dir does: like
// encodeComponent, and every byte of a non-ASCII character as "%XX" too.
func foreignComponent(p string) string {
	enc := encodeComponent(p)
	if isASCII(enc) {
		return enc
	}
	var b strings.Builder
	for i := 0; i < len(enc); i++ {
		if c := enc[i]; c >= utf8.RuneSelf {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foreignPath returns the directory another tool would use for name when
// it differs from ours, else "".
func (s Store) foreignPath(name string) string {
	parts, err := EncodeName(name)
	if err != nil || isASCII(name) {
		return ""
	}
	levels := strings.Split(name, "/")
	out := []string{s.Root}
	for i, p := range parts {
		if i == 0 && p == InboxDir {
			out = append(out, p)
			continue
		}
		out = append(out, foreignComponent(levels[i]))
	}
	return path.Join(out...)
}

// resolveMachine picks, for each folder with two possible spellings, the
// one that exists, then runs the operation's machine.
type resolveMachine[T any] struct {
	machine[T]
	folders []folder
	asked   []int // index in folders of each pair of stats
	build   func([]folder) coroutine.FileMachine[T]
	inner   coroutine.FileMachine[T]
}

// resolved returns the machine build makes for the folders. When a
// folder's name has non-ASCII characters, which io-m2dir writes
// percent-encoded and this package writes verbatim, the machine first
// stats the .m2dir marker under both spellings and uses the other tool's
// directory when only that one exists. For other names it adds no request.
func resolved[T any](s Store, op string, fs []folder, build func([]folder) coroutine.FileMachine[T]) coroutine.FileMachine[T] {
	m := &resolveMachine[T]{machine: machine[T]{op: op}, folders: fs, build: build}
	for i := range fs {
		if alt := s.foreignPath(fs[i].name); alt != "" && alt != fs[i].dir {
			m.asked = append(m.asked, i)
			fs[i].alt = alt
		}
	}
	if len(m.asked) == 0 {
		return build(fs)
	}
	return m
}

// Resume implements coroutine.Machine.
func (m *resolveMachine[T]) Resume(in []result) ([]request, bool) {
	if m.inner != nil {
		reqs, done := m.inner.Resume(in)
		if done {
			m.done = true
			m.out, m.err = m.inner.Result()
		}
		return reqs, done
	}
	if !m.begin(in) {
		return nil, true
	}
	if in == nil {
		reqs := make([]request, 0, 2*len(m.asked))
		for _, i := range m.asked {
			f := m.folders[i]
			reqs = append(reqs, request{Op: coroutine.FileStat, Path: path.Join(f.dir, FolderMarker)},
				request{Op: coroutine.FileStat, Path: path.Join(f.alt, FolderMarker)})
		}
		return m.ask(reqs...)
	}
	for k, i := range m.asked {
		if in[2*k].Err != nil && in[2*k+1].Err == nil {
			m.folders[i].dir = m.folders[i].alt
		}
	}
	m.inner = m.build(m.folders)
	return m.Resume(nil)
}

// onFolders checks the folder names and the message ids of an operation,
// then returns the machine build makes for the folders, resolved as
// resolved does. The first refusal wins: a bad name, in order, then a bad
// id, then extra (a check of the operation's other arguments, reported
// only when names and ids are fine); it gives a machine already failed.
func onFolders[T any](s Store, op string, names, ids []string, extra error, build func([]folder) coroutine.FileMachine[T]) coroutine.FileMachine[T] {
	fs := make([]folder, len(names))
	var err error
	for i, name := range names {
		if fs[i], err = s.folder(name); err != nil {
			return failed[T](op, err)
		}
	}
	if err = checkIDs(ids); err == nil {
		err = extra
	}
	if err != nil {
		return failed[T](op, err)
	}
	return resolved(s, op, fs, build)
}
