package m2dir

import (
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
)

// Delete-messages states.
const (
	dlList   = iota // listing the folder and its .meta
	dlRemove        // removing the messages
	dlMeta          // removing their metadata
	dlSync          // syncing
	dlDone
)

type deleteMessages struct {
	machine[struct{}]
	f     folder
	ids   []string
	c     contents
	state int
	reqs  []request
}

// DeleteMessages returns a machine that permanently removes exactly the
// messages ids from the folder mailbox: each message file first, then
// every .meta entry named "<id>.<anything>", so that a crash leaves at
// worst metadata without a message (harmless), never a message that
// suddenly lost its flags.
//
// Every id is checked before anything is removed: a missing message fails
// the whole call with email.ErrNotFound and removes nothing. A message
// that vanishes between the check and its removal counts as removed.
func (s Store) DeleteMessages(mailbox string, ids []string) coroutine.FileMachine[struct{}] {
	const op = "delete_message"
	return onFolders(s, op, []string{mailbox}, ids, nil, func(fs []folder) coroutine.FileMachine[struct{}] {
		return &deleteMessages{machine: machine[struct{}]{op: op}, f: fs[0], ids: ids}
	})
}

// Resume implements coroutine.Machine.
func (m *deleteMessages) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case dlList:
		m.state = dlRemove
		return m.ask(listFolder(m.f)...)
	case dlRemove:
		c, err := listedWith(m.f, in[0], in[1], m.ids)
		if err != nil {
			return m.fail(err)
		}
		m.c = c
		m.state = dlMeta
		return m.batch(func(add func(request)) {
			seen := map[string]bool{}
			for _, id := range m.ids {
				if !seen[id] {
					seen[id] = true
					add(coroutine.Remove(m.f.file(c.files[id])))
				}
			}
		})
	case dlMeta:
		if err := batchError(m.reqs, in, anyRequest); err != nil {
			return m.fail(err)
		}
		m.state = dlSync
		return m.batch(func(add func(request)) {
			for _, id := range m.ids {
				for _, name := range m.c.meta {
					if metaOf(name, id) {
						add(coroutine.Remove(m.f.meta() + "/" + name))
					}
				}
			}
		})
	case dlSync:
		if err := batchError(m.reqs, in, anyRequest); err != nil {
			return m.fail(err)
		}
		m.state = dlDone
		return m.batch(func(add func(request)) {
			add(coroutine.SyncDir(m.f.dir))
			add(coroutine.SyncDir(m.f.meta()))
		})
	case dlDone:
		if err := batchError(m.reqs, in, anyRequest); err != nil {
			return m.fail(err)
		}
		return m.finish(struct{}{})
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// metaOf reports whether the .meta entry name belongs to the message id:
// "<id>.<kind>" with a kind free of dots, so that the metadata of
// "X.1" is not taken for that of "X".
func metaOf(name, id string) bool {
	kind, ok := strings.CutPrefix(name, id+".")
	return ok && kind != "" && !strings.Contains(kind, ".")
}

// batch asks for the requests fill adds, remembering them for check.
func (m *deleteMessages) batch(fill func(add func(request))) ([]request, bool) {
	m.reqs = nil
	seen := map[string]bool{}
	fill(func(r request) {
		if !seen[r.Path] {
			seen[r.Path] = true
			m.reqs = append(m.reqs, r)
		}
	})
	return m.ask(m.reqs...)
}
