package maildir

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/ioemail/ioemail/coroutine"
)

// memFS is an in-memory file system answering file requests the way
// client.FileDriver does, so that machines can be run, recorded and
// broken on purpose without touching the disk.
type memFS struct {
	files map[string][]byte
	dirs  map[string]bool
	mtime map[string]int64
	tick  int64
	// ftime holds the modification times of files that have one.
	ftime map[string]time.Time
	// fail, when set, may return an error for a request instead of
	// performing it.
	fail func(coroutine.FileRequest) error
	// before, when set, runs before each request is performed (to change
	// the tree under a machine's feet).
	before func(coroutine.FileRequest)
	// seen counts the requests performed, by kind.
	seen map[coroutine.FileOp]int
	// procs, when set, answers FileOwnerAlive: the pids that run.
	procs map[int64]bool
}

func newMemFS(dirs ...string) *memFS {
	m := &memFS{files: map[string][]byte{}, dirs: map[string]bool{"/": true}, mtime: map[string]int64{}, seen: map[coroutine.FileOp]int{}}
	for _, d := range dirs {
		m.mkdirAll(d)
	}
	return m
}

func (m *memFS) mkdirAll(d string) {
	for d != "/" && !m.dirs[d] {
		m.dirs[d] = true
		m.touch(d)
		d = path.Dir(d)
	}
}

// maildir makes the three directories of a maildir.
func (m *memFS) maildir(d string) {
	for _, s := range []string{"tmp", "new", "cur"} {
		m.mkdirAll(d + "/" + s)
	}
}

func (m *memFS) touch(p string) {
	m.tick++
	m.mtime[path.Dir(p)] = m.tick
}

func (m *memFS) write(p string, data string) {
	m.mkdirAll(path.Dir(p))
	m.files[p] = []byte(data)
	m.touch(p)
}

func notExist(op, p string) error { return &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist} }
func exist(op, p string) error    { return &fs.PathError{Op: op, Path: p, Err: fs.ErrExist} }

func (m *memFS) do(reqs []coroutine.FileRequest) []coroutine.FileResult {
	out := make([]coroutine.FileResult, len(reqs))
	for i, r := range reqs {
		m.seen[r.Op]++
		if m.before != nil {
			m.before(r)
		}
		if m.fail != nil {
			if err := m.fail(r); err != nil {
				out[i] = coroutine.FileResult{Err: err}
				continue
			}
		}
		out[i] = m.one(r)
	}
	return out
}

func (m *memFS) one(r coroutine.FileRequest) coroutine.FileResult {
	p, t := r.Path, r.Target
	switch r.Op {
	case coroutine.FileList:
		if !m.dirs[p] {
			return coroutine.FileResult{Err: notExist("open", p)}
		}
		var ents []coroutine.DirEntry
		for d := range m.dirs {
			if d != "/" && path.Dir(d) == p {
				ents = append(ents, coroutine.DirEntry{Name: path.Base(d), IsDir: true})
			}
		}
		for f := range m.files {
			if path.Dir(f) == p {
				ents = append(ents, coroutine.DirEntry{Name: path.Base(f)})
			}
		}
		slices.SortFunc(ents, func(a, b coroutine.DirEntry) int { return strings.Compare(a.Name, b.Name) })
		return coroutine.FileResult{Entries: ents, ModTime: time.Unix(0, m.mtime[p])}
	case coroutine.FileRead:
		data, ok := m.files[p]
		if !ok {
			return coroutine.FileResult{Err: notExist("open", p)}
		}
		n := int64(len(data))
		if r.Limit > 0 && r.Limit < n {
			n = r.Limit
		}
		return coroutine.FileResult{Data: slices.Clone(data[:n]), Size: int64(len(data)), ModTime: m.ftime[p]}
	case coroutine.FileStat:
		if m.dirs[p] {
			return coroutine.FileResult{IsDir: true, ModTime: time.Unix(0, m.mtime[p])}
		}
		if data, ok := m.files[p]; ok {
			return coroutine.FileResult{Size: int64(len(data)), ModTime: m.ftime[p]}
		}
		return coroutine.FileResult{Err: notExist("stat", p)}
	case coroutine.FileCreate:
		if !m.dirs[path.Dir(p)] {
			return coroutine.FileResult{Err: notExist("open", p)}
		}
		if m.exists(p) {
			return coroutine.FileResult{Err: exist("open", p)}
		}
		m.files[p] = slices.Clone(r.Data)
		m.touch(p)
	case coroutine.FileRename, coroutine.FileLink:
		if !m.exists(p) {
			return coroutine.FileResult{Err: notExist("rename", p)}
		}
		if !m.dirs[path.Dir(t)] {
			return coroutine.FileResult{Err: notExist("rename", t)}
		}
		if m.exists(t) && (r.Op == coroutine.FileLink || !r.Replace || m.dirs[t]) {
			return coroutine.FileResult{Err: exist("rename", t)}
		}
		if m.dirs[p] {
			if r.Op == coroutine.FileLink {
				return coroutine.FileResult{Err: errors.New("link: is a directory")}
			}
			m.moveDir(p, t)
		} else {
			m.files[t] = m.files[p]
			if r.Op == coroutine.FileRename {
				delete(m.files, p)
			}
		}
		m.touch(p)
		m.touch(t)
	case coroutine.FileRemove:
		if _, ok := m.files[p]; !ok {
			return coroutine.FileResult{Err: notExist("remove", p)}
		}
		delete(m.files, p)
		m.touch(p)
	case coroutine.FileMkdir:
		if m.dirs[p] {
			return coroutine.FileResult{}
		}
		if m.exists(p) {
			return coroutine.FileResult{Err: exist("mkdir", p)}
		}
		if !r.Recursive && !m.dirs[path.Dir(p)] {
			return coroutine.FileResult{Err: notExist("mkdir", p)}
		}
		m.mkdirAll(p)
	case coroutine.FileRemoveDir:
		if !m.dirs[p] {
			if r.Recursive {
				return coroutine.FileResult{}
			}
			return coroutine.FileResult{Err: notExist("remove", p)}
		}
		under := p + "/"
		for f := range m.files {
			if strings.HasPrefix(f, under) {
				if !r.Recursive {
					return coroutine.FileResult{Err: errors.New("directory not empty")}
				}
				delete(m.files, f)
			}
		}
		for d := range m.dirs {
			if strings.HasPrefix(d, under) {
				if !r.Recursive {
					return coroutine.FileResult{Err: errors.New("directory not empty")}
				}
				delete(m.dirs, d)
			}
		}
		delete(m.dirs, p)
		m.touch(p)
	case coroutine.FileSyncDir:
		if !m.dirs[p] {
			return coroutine.FileResult{Err: notExist("open", p)}
		}
	case coroutine.FileOwnerAlive:
		if m.procs == nil {
			return coroutine.FileResult{Err: errors.ErrUnsupported}
		}
		if !m.procs[r.Limit] {
			return coroutine.FileResult{Err: fs.ErrNotExist}
		}
	default:
		return coroutine.FileResult{Err: errors.ErrUnsupported}
	}
	return coroutine.FileResult{}
}

func (m *memFS) exists(p string) bool {
	_, ok := m.files[p]
	return ok || m.dirs[p]
}

func (m *memFS) moveDir(from, to string) {
	pre := from + "/"
	for f, data := range m.files {
		if strings.HasPrefix(f, pre) {
			delete(m.files, f)
			m.files[to+"/"+f[len(pre):]] = data
		}
	}
	for d := range m.dirs {
		if d == from || strings.HasPrefix(d, pre) {
			delete(m.dirs, d)
			m.dirs[to+d[len(from):]] = true
		}
	}
}

// messages returns the content of every message file of a maildir, by
// key.
func (m *memFS) messages(dir string) map[string][]string {
	out := map[string][]string{}
	for f, data := range m.files {
		d, sub := path.Dir(path.Dir(f)), path.Base(path.Dir(f))
		if d != dir || (sub != "new" && sub != "cur") || strings.HasPrefix(path.Base(f), ".") {
			continue
		}
		n, err := ParseName(path.Base(f), ':')
		if err != nil {
			continue
		}
		out[n.Key] = append(out[n.Key], string(data))
	}
	return out
}
