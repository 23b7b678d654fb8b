package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// ErrNotStore is matched by the error of an operation on a root without the
// .m2store marker. It also matches email.ErrNotFound.
var ErrNotStore = fmt.Errorf("m2dir: not an m2store (no %s marker): %w", StoreMarker, email.ErrNotFound)

// List-mailboxes states.
const (
	lmWalk  = iota // listing one level of directories
	lmMeta         // listing the .meta of every folder (counts)
	lmFlags        // reading flags files (counts)
)

type walkDir struct {
	dir   string   // path
	parts []string // decoded name levels, nil for the root
}

type listMailboxes struct {
	machine[[]email.Mailbox]
	s       Store
	opts    email.ListMailboxesOptions
	state   int
	depth   int
	pending []walkDir
	found   []walkDir
	cont    []contents
	boxes   []email.Mailbox
	reads   []int // folder index of each flags read
}

// ListMailboxes returns a machine that walks the store and lists every
// folder, sorted by name, INBOX first. With opts.WithCounts it also counts
// each folder's messages and those without the Seen flag, reading the flags
// files (never the messages).
//
// A directory is a folder when it holds a .m2dir marker file; directories
// without one are walked through (they are containers), dot-names are
// skipped, and a directory whose name does not decode to a valid level is
// skipped with everything below it. The root must hold the .m2store marker:
// otherwise the machine fails with ErrNotStore.
func (s Store) ListMailboxes(opts email.ListMailboxesOptions) coroutine.FileMachine[[]email.Mailbox] {
	return &listMailboxes{machine: machine[[]email.Mailbox]{op: "list_mailboxes"}, s: s, opts: opts}
}

// Resume implements coroutine.Machine.
func (m *listMailboxes) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case lmWalk:
		if m.depth == 0 && m.pending == nil {
			m.pending = []walkDir{{dir: m.s.Root}}
			return m.ask(coroutine.List(m.s.Root), request{Op: coroutine.FileStat, Path: path.Join(m.s.Root, StoreMarker)})
		}
		if m.depth == 0 {
			if err := in[1].Err; err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return m.fail(ErrNotStore)
				}
				return m.fail(fileError(request{Op: coroutine.FileStat, Path: path.Join(m.s.Root, StoreMarker)}, err))
			}
			in = in[:1]
		}
		var next []walkDir
		for i, w := range m.pending {
			r := in[i]
			if r.Err != nil {
				if m.depth > 0 && errors.Is(r.Err, fs.ErrNotExist) {
					continue // removed meanwhile
				}
				return m.fail(fileError(coroutine.List(w.dir), r.Err))
			}
			if m.depth > 0 && slices.ContainsFunc(r.Entries, func(e coroutine.DirEntry) bool { return e.Name == FolderMarker && !e.IsDir }) {
				m.found = append(m.found, w)
			}
			for _, e := range r.Entries {
				if !e.IsDir || e.Name == "" || e.Name[0] == '.' {
					continue
				}
				name, ok := DecodeComponent(e.Name)
				if !ok {
					continue
				}
				parts := append(slices.Clip(w.parts), name)
				next = append(next, walkDir{dir: path.Join(w.dir, e.Name), parts: parts})
			}
		}
		m.depth++
		if len(next) == 0 || m.depth > maxDepth {
			return m.mailboxes()
		}
		slices.SortFunc(next, func(a, b walkDir) int { return strings.Compare(a.dir, b.dir) })
		m.pending = next
		reqs := make([]request, len(next))
		for i, w := range next {
			reqs[i] = coroutine.List(w.dir)
		}
		return m.ask(reqs...)
	case lmMeta:
		reqs := []request{}
		m.cont = make([]contents, len(m.found))
		for i, w := range m.found {
			f := folder{name: m.boxes[i].Name, dir: w.dir}
			c, err := readContents(f, in[2*i], in[2*i+1])
			if err != nil {
				if errors.Is(err, email.ErrNotFound) {
					continue // removed meanwhile: counts stay zero
				}
				return m.fail(err)
			}
			m.cont[i] = c
			for _, id := range c.ids {
				if c.flagged[id] {
					reqs = append(reqs, readFlagsReq(f.flagsFile(id)))
					m.reads = append(m.reads, i)
				}
			}
		}
		m.state = lmFlags
		return m.ask(reqs...)
	case lmFlags:
		seen := make([]int, len(m.found))
		for k, r := range in {
			fl, _ := readFlags(r) // unreadable or garbage flags: counted as unread
			if fl.HasIANA(email.Seen) {
				seen[m.reads[k]]++
			}
		}
		for i := range m.boxes {
			total := len(m.cont[i].ids)
			m.boxes[i].Total = email.IntPtr(total)
			m.boxes[i].Unread = email.IntPtr(total - seen[i])
		}
		return m.finish(m.boxes)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// mailboxes builds the result from the folders found, then either finishes
// or goes on to count.
func (m *listMailboxes) mailboxes() ([]request, bool) {
	slices.SortFunc(m.found, func(a, b walkDir) int {
		return compareNames(strings.Join(a.parts, "/"), strings.Join(b.parts, "/"))
	})
	m.boxes = make([]email.Mailbox, len(m.found))
	for i, w := range m.found {
		name := strings.Join(w.parts, "/")
		m.boxes[i] = email.Mailbox{ID: name, Name: name}
		if name == InboxDir {
			m.boxes[i].Role = email.RoleInbox
		}
	}
	if !m.opts.WithCounts || len(m.found) == 0 {
		return m.finish(m.boxes)
	}
	m.state = lmMeta
	reqs := make([]request, 0, 2*len(m.found))
	for _, w := range m.found {
		reqs = append(reqs, listFolder(folder{dir: w.dir})...)
	}
	return m.ask(reqs...)
}

// compareNames orders mailbox names: INBOX and its children first, then
// byte order.
func compareNames(a, b string) int {
	ai, bi := a == InboxDir || strings.HasPrefix(a, InboxDir+"/"), b == InboxDir || strings.HasPrefix(b, InboxDir+"/")
	switch {
	case ai && !bi:
		return -1
	case bi && !ai:
		return 1
	}
	return strings.Compare(a, b)
}
