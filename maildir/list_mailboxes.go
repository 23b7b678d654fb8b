package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// candidate is a directory that may be a maildir.
type candidate struct {
	name, dir string
	depth     int
}

// The states of listMailboxesMachine.
const (
	lmStart = iota
	lmRoot
	lmProbe
	lmCount
)

type listMailboxesMachine struct {
	base[[]email.Mailbox]
	s     Store
	opts  email.ListMailboxesOptions
	state int
	root  string
	cands []candidate
	found []candidate
}

// ListMailboxes returns a machine listing the store's mailboxes, INBOX
// first (when the root is a maildir), then the others sorted by name.
//
// A directory is a mailbox when it holds both cur and new (tmp is created
// when first needed). In Maildir++ the candidates are the root's
// sub-directories whose names start with "." and map to a name (".Lists.Go"
// is "Lists/Go"); in the fs layout the walk descends into every
// sub-directory except the maildirs' own cur, new and tmp, dot names
// included (as Dovecot does), so a directory without cur is a plain
// container whose children are still found. Names CreateMailbox would
// refuse ("~x", "a\b", ".Hidden" in the fs layout) are listed like any
// other. Skipped, because no mailbox name can stand for them: a directory
// that would be INBOX again (fs "INBOX" at the root in any case, Maildir++
// ".INBOX"), Maildir++ names with an empty level ("..x", mbsync's spelling
// of INBOX/x, or ".a..b"), and names holding control characters or
// invalid UTF-8. Symbolic links are not followed. A directory that cannot
// be listed is skipped.
//
// With opts.WithCounts, Total and Unread come from the file names alone
// (new/ and cur/ are listed, no message is opened): Total counts the
// distinct keys and Unread those without the S letter.
func (s Store) ListMailboxes(opts email.ListMailboxesOptions) coroutine.FileMachine[[]email.Mailbox] {
	if err := s.valid(); err != nil {
		return done[[]email.Mailbox](err)
	}
	return &listMailboxesMachine{s: s, opts: opts, root: s.dirOf(nil)}
}

// Resume implements coroutine.Machine.
func (m *listMailboxesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case lmStart:
		m.state = lmRoot
		return m.ask(coroutine.List(m.root))
	case lmRoot:
		if err := in[0].Err; err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return m.fail(fmt.Errorf("maildir: store root %s: %w", m.root, &email.NotFoundError{Mailbox: "INBOX"}))
			}
			return m.fail(fmt.Errorf("maildir: listing %s: %w", m.root, err))
		}
		if isMaildir(in[0].Entries) {
			m.found = append(m.found, candidate{name: "INBOX", dir: m.root})
		}
		m.cands = m.children(candidate{dir: m.root}, in[0].Entries)
		return m.probe()
	case lmProbe:
		var next []candidate
		for i, c := range m.cands {
			if in[i].Err != nil {
				continue
			}
			if isMaildir(in[i].Entries) {
				m.found = append(m.found, c)
			}
			if m.s.Layout == LayoutFS && c.depth < maxDepth {
				next = append(next, m.children(c, in[i].Entries)...)
			}
		}
		m.cands = next
		return m.probe()
	case lmCount:
		out := m.mailboxes()
		for i := range out {
			total, unread := count(m.s.sep(), in[2*i], in[2*i+1])
			out[i].Total, out[i].Unread = email.IntPtr(total), email.IntPtr(unread)
		}
		return m.finish(out)
	}
	return m.fail(fmt.Errorf("maildir: list_mailboxes in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// probe lists the pending candidates, or moves on when there are none.
func (m *listMailboxesMachine) probe() ([]coroutine.FileRequest, bool) {
	if len(m.cands) > 0 {
		reqs := make([]coroutine.FileRequest, len(m.cands))
		for i, c := range m.cands {
			reqs[i] = coroutine.List(c.dir)
		}
		m.state = lmProbe
		return m.ask(reqs...)
	}
	slices.SortFunc(m.found, func(a, b candidate) int {
		switch {
		case a.dir == m.root:
			return -1
		case b.dir == m.root:
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	if !m.opts.WithCounts || len(m.found) == 0 {
		return m.finish(m.mailboxes())
	}
	reqs := make([]coroutine.FileRequest, 0, 2*len(m.found))
	for _, c := range m.found {
		reqs = append(reqs, coroutine.List(c.dir+"/new"), coroutine.List(c.dir+"/cur"))
	}
	m.state = lmCount
	return m.ask(reqs...)
}

func (m *listMailboxesMachine) mailboxes() []email.Mailbox {
	out := make([]email.Mailbox, len(m.found))
	for i, c := range m.found {
		out[i] = email.Mailbox{ID: c.name, Name: c.name}
		if c.dir == m.root {
			out[i].Role = email.RoleInbox
		}
	}
	return out
}

// children returns the candidate folders among a directory's entries.
func (m *listMailboxesMachine) children(parent candidate, ents []coroutine.DirEntry) []candidate {
	var out []candidate
	for _, e := range ents {
		if !e.IsDir {
			continue
		}
		if m.s.Layout == LayoutMaildirPP {
			if parent.dir != m.root {
				continue
			}
			if name, ok := m.s.ppName(e.Name); ok {
				out = append(out, candidate{name: name, dir: m.root + "/" + e.Name, depth: 1})
			}
			continue
		}
		if m.s.badComponent(e.Name) != "" || (parent.dir == m.root && email.IsInbox(e.Name)) {
			continue
		}
		name := e.Name
		if parent.name != "" {
			name = parent.name + "/" + e.Name
		}
		out = append(out, candidate{name: name, dir: parent.dir + "/" + e.Name, depth: parent.depth + 1})
	}
	return out
}

// isMaildir reports whether a directory listing holds cur and new.
func isMaildir(ents []coroutine.DirEntry) bool {
	var cur, nw bool
	for _, e := range ents {
		if e.IsDir {
			cur = cur || e.Name == "cur"
			nw = nw || e.Name == "new"
		}
	}
	return cur && nw
}

// count returns the number of distinct keys in the listings of new/ and
// cur/ and how many of them lack the S letter (a key in both counts once,
// as its cur/ file).
func count(sep byte, nw, cur coroutine.FileResult) (total, unread int) {
	seen := make(map[string]bool, len(nw.Entries)+len(cur.Entries))
	for _, r := range [2]coroutine.FileResult{nw, cur} {
		if r.Err != nil {
			continue
		}
		for _, e := range r.Entries {
			if e.IsDir {
				continue
			}
			n, err := ParseName(e.Name, sep)
			if err != nil {
				continue
			}
			seen[n.Key] = n.Seen()
		}
	}
	for _, s := range seen {
		if !s {
			unread++
		}
	}
	return len(seen), unread
}
