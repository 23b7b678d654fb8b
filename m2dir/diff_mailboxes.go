package m2dir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
)

type diffMailboxes struct {
	machine[email.MailboxDiff]
	s     Store
	state email.State
	list  *listMailboxes
	boxes []email.Mailbox
	phase int
}

// DiffMailboxes returns a machine that reports which folders were created,
// deleted, or changed (Updated) since state, a value an earlier diff
// returned; a nil or unusable state gives FullListRequired and a baseline.
//
// It walks the store as ListMailboxes does, then stats each folder and its
// .meta: a folder is Updated when either directory's modification time
// changed, which every message added, removed or moved and every flags
// file written by rename (as this package writes them) causes. No file is
// read. Flags rewritten in place by another program are not seen here (use
// DiffEnvelopes).
func (s Store) DiffMailboxes(state email.State) coroutine.FileMachine[email.MailboxDiff] {
	return &diffMailboxes{machine: machine[email.MailboxDiff]{op: "diff_mailboxes"}, s: s, state: state,
		list: &listMailboxes{machine: machine[[]email.Mailbox]{op: "list_mailboxes"}, s: s}}
}

// Resume implements coroutine.Machine.
func (m *diffMailboxes) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.phase {
	case 0:
		reqs, done := m.list.Resume(in)
		if !done {
			return m.ask(reqs...)
		}
		boxes, err := m.list.Result()
		if err != nil {
			return m.fail(err)
		}
		m.boxes = boxes
		m.phase = 1
		reqs = make([]request, 0, 2*len(boxes))
		for i := range boxes {
			f := folder{dir: m.list.found[i].dir} // as found: whatever its spelling
			reqs = append(reqs, request{Op: coroutine.FileStat, Path: f.dir}, request{Op: coroutine.FileStat, Path: f.meta()})
		}
		return m.ask(reqs...)
	case 1:
		cur := make([]changes.Folder, 0, len(m.boxes))
		for i, b := range m.boxes {
			d, meta := in[2*i], in[2*i+1]
			if d.Err != nil {
				if errors.Is(d.Err, fs.ErrNotExist) {
					continue // deleted meanwhile
				}
				return m.fail(fmt.Errorf("m2dir: stat of folder %q: %w", b.Name, d.Err))
			}
			mt := int64(0)
			if meta.Err == nil {
				mt = meta.ModTime.UnixNano()
			}
			cur = append(cur, changes.Folder{Name: b.Name, Stamp: changes.Stamp(d.ModTime.UnixNano(), mt)})
		}
		st := changes.EncodeFolders(stateKind, m.s.Root, cur)
		d, ok := changes.DiffFolders(stateKind, m.s.Root, m.state, cur)
		if !ok {
			return m.finish(email.MailboxDiff{FullListRequired: true, State: st})
		}
		d.State = st
		return m.finish(d)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.phase))
}
