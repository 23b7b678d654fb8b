package m2dir

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Store-flags states.
const (
	sfList   = iota // listing the folder and its .meta
	sfRead          // reading the current flags files
	sfWrite         // writing temp flags files, removing emptied ones
	sfRename        // renaming the temp files over the flags files
	sfSync          // syncing .meta
)

type storeFlags struct {
	machine[struct{}]
	s      Store
	f      folder
	ids    []string
	op     email.FlagOp
	flags  email.Flags
	c      contents
	reads  []string // ids whose flags file is read
	temps  map[string]string
	reqs   []request
	state  int
	change []string // ids whose flags change, in order
	next   map[string][]byte
}

// StoreFlags returns a machine that adds, removes or sets flags on the
// messages ids of the folder mailbox.
//
// Each changed flags file is rewritten atomically: the new content goes to
// a synced temp file in .meta which is then renamed over .meta/<id>.flags;
// a set that becomes empty removes the file. Classified flags are written
// in their m2dir spelling (see Spelling), so `\Seen` and `$seen` are one
// flag and removing either removes both. Every id must exist (else
// email.ErrNotFound, nothing changed). A flags file holding garbage fails
// an add or remove with a *FlagsFileError and is left untouched; a set
// replaces it. Concurrent writers of one flags file can lose an update
// (last rename wins).
func (s Store) StoreFlags(mailbox string, ids []string, op email.FlagOp, flags email.Flags) coroutine.FileMachine[struct{}] {
	const name = "store_flags"
	var err error
	if !op.Valid() {
		err = fmt.Errorf("m2dir: flag operation %d: %w", op, email.ErrInvalidArgument)
	} else {
		err = CheckFlags(flags)
	}
	uniq := slices.Compact(slices.Sorted(slices.Values(ids)))
	return onFolders(s, name, []string{mailbox}, ids, err, func(fs []folder) coroutine.FileMachine[struct{}] {
		return &storeFlags{machine: machine[struct{}]{op: name}, s: s, f: fs[0], ids: uniq, op: op, flags: flags}
	})
}

// Resume implements coroutine.Machine.
func (m *storeFlags) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case sfList:
		m.state = sfRead
		return m.ask(listFolder(m.f)...)
	case sfRead:
		c, err := listedWith(m.f, in[0], in[1], m.ids)
		if err != nil {
			return m.fail(err)
		}
		m.c = c
		m.state = sfWrite
		var reqs []request
		if m.op != email.FlagSet {
			for _, id := range m.ids {
				if c.flagged[id] {
					m.reads = append(m.reads, id)
					reqs = append(reqs, readFlagsReq(m.f.flagsFile(id)))
				}
			}
		}
		return m.ask(append(reqs, mkdirMeta(m.f))...)
	case sfWrite:
		var err error
		if in, err = afterMkdirMeta(m.f, in); err != nil {
			return m.fail(err)
		}
		old := map[string]email.Flags{}
		for i, r := range in {
			fl, err := readFlags(r)
			if err != nil {
				var ffe *FlagsFileError
				if errors.As(err, &ffe) {
					return m.fail(fmt.Errorf("m2dir: message %q: %w", m.reads[i], err))
				}
				return m.fail(fileError(readFlagsReq(m.f.flagsFile(m.reads[i])), err))
			}
			old[m.reads[i]] = fl
		}
		m.next = map[string][]byte{}
		m.temps = map[string]string{}
		m.reqs = nil
		for _, id := range m.ids {
			cur := old[id]
			nf := cur.Apply(m.op, m.flags)
			data := FormatFlagsFile(nf)
			if m.op != email.FlagSet && nf.Equal(cur) {
				continue
			}
			m.change = append(m.change, id)
			m.next[id] = data
			if data == nil {
				if m.c.flagged[id] {
					m.reqs = append(m.reqs, coroutine.Remove(m.f.flagsFile(id)))
				}
				continue
			}
			tmp, err := tempFlagsFile(m.f, m.s.Entropy)
			if err != nil {
				return m.fail(err)
			}
			m.temps[id] = tmp
			m.reqs = append(m.reqs, coroutine.Create(m.temps[id], data))
		}
		m.state = sfRename
		return m.ask(m.reqs...)
	case sfRename:
		if err := batchError(m.reqs, in, isRemove); err != nil {
			return m.fail(err)
		}
		m.reqs = nil
		for _, id := range m.change {
			if tmp := m.temps[id]; tmp != "" {
				r := coroutine.Rename(tmp, m.f.flagsFile(id))
				r.Replace = true
				m.reqs = append(m.reqs, r)
			}
		}
		m.state = sfSync
		return m.ask(m.reqs...)
	case sfSync:
		if err := batchError(m.reqs, in, isRemove); err != nil {
			return m.fail(err)
		}
		m.reqs = []request{coroutine.SyncDir(m.f.meta())}
		m.state = -1
		return m.ask(m.reqs...)
	case -1:
		if err := batchError(m.reqs, in, isRemove); err != nil {
			return m.fail(err)
		}
		return m.finish(struct{}{})
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// isRemove is the batchError filter of StoreFlags: removing a flags file
// that is already gone is no error.
func isRemove(r request) bool { return r.Op == coroutine.FileRemove }
