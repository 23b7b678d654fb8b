package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
)

type diffMailboxesMachine struct {
	base[email.MailboxDiff]
	s     Store
	state email.State
	list  coroutine.FileMachine[[]email.Mailbox]
	boxes []email.Mailbox
	phase int
}

// DiffMailboxes returns a machine that reports which mailboxes were
// created, deleted or changed (Updated) since state, a value an earlier
// diff returned; a nil or unusable state gives FullListRequired and a
// baseline.
//
// It lists the mailboxes as ListMailboxes does, then stats each one's new/
// and cur/: a mailbox is Updated when either directory's modification time
// changed, which every delivery, removal, move and flag change (a rename)
// causes. No file is read.
func (s Store) DiffMailboxes(state email.State) coroutine.FileMachine[email.MailboxDiff] {
	return &diffMailboxesMachine{s: s, state: state, list: s.ListMailboxes(email.ListMailboxesOptions{})}
}

// Resume implements coroutine.Machine.
func (m *diffMailboxesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.phase {
	case 0:
		reqs, done := m.list.Resume(in)
		if !done {
			return m.delegate(reqs)
		}
		boxes, err := m.list.Result()
		if err != nil {
			return m.fail(err)
		}
		m.boxes = boxes
		m.phase = 1
		reqs = make([]coroutine.FileRequest, 0, 2*len(boxes))
		for _, b := range boxes {
			dir, err := m.s.Dir(b.ID)
			if err != nil {
				return m.fail(err)
			}
			reqs = append(reqs, coroutine.FileRequest{Op: coroutine.FileStat, Path: dir + "/new"},
				coroutine.FileRequest{Op: coroutine.FileStat, Path: dir + "/cur"})
		}
		return m.ask(reqs...)
	case 1:
		cur := make([]changes.Folder, 0, len(m.boxes))
		for i, b := range m.boxes {
			nw, cr := in[2*i], in[2*i+1]
			if cr.Err != nil {
				if errors.Is(cr.Err, fs.ErrNotExist) {
					continue // deleted meanwhile
				}
				return m.fail(fmt.Errorf("maildir: stat of %q/cur: %w", b.ID, cr.Err))
			}
			nt := int64(0)
			if nw.Err == nil {
				nt = nw.ModTime.UnixNano()
			}
			cur = append(cur, changes.Folder{Name: b.ID, Stamp: changes.Stamp(nt, cr.ModTime.UnixNano())})
		}
		st := changes.EncodeFolders(stateKind, m.s.Root, cur)
		d, ok := changes.DiffFolders(stateKind, m.s.Root, m.state, cur)
		if !ok {
			return m.finish(email.MailboxDiff{FullListRequired: true, State: st})
		}
		d.State = st
		return m.finish(d)
	}
	return m.fail(fmt.Errorf("maildir: diff_mailboxes in state %d: %w", m.phase, email.ErrUnexpectedReply))
}
