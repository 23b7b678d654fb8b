package m2dir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// copyChunk is how many messages one copy batch reads and writes, which
// bounds the memory a copy holds.
const copyChunk = 16

// Copy-messages states.
const (
	cpList    = iota // listing the source, checking the target
	cpRead           // reading a chunk of messages and flags
	cpTemps          // writing their temp files in the target
	cpCheck          // checking the temp files
	cpPublish        // publishing them
)

type copyMessages struct {
	machine[[]string]
	s       Store
	src     folder
	dst     folder
	ids     []string
	c       contents
	state   int
	next    int
	chunk   []string
	flagsAt []int // index in the read batch of each chunk id's flags, -1 for none
	pub     publisher
	out     []string
}

// CopyMessages returns a machine that copies the messages ids from the
// folder from to the folder to, flags included, and ends with the new ids
// in the order of ids. Each copy is a new message (a fresh nonce, so a new
// id) written as AddMessage writes; the source content is checked against
// its checksum first (a mismatch is a *ChecksumError and copies nothing
// more).
//
// Every id is checked before anything is written (email.ErrNotFound). The
// messages are handled 16 at a time: a failure part-way leaves the earlier
// copies in place and the source untouched.
func (s Store) CopyMessages(from, to string, ids []string) coroutine.FileMachine[[]string] {
	const op = "copy_messages"
	return onFolders(s, op, []string{from, to}, ids, nil, func(fs []folder) coroutine.FileMachine[[]string] {
		return &copyMessages{machine: machine[[]string]{op: op}, s: s, src: fs[0], dst: fs[1], ids: ids}
	})
}

// Resume implements coroutine.Machine.
func (m *copyMessages) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case cpList:
		m.state = cpRead
		return m.ask(append(listFolder(m.src), request{Op: coroutine.FileStat, Path: m.dst.file(FolderMarker)})...)
	case cpRead:
		c, err := listedWith(m.src, in[0], in[1], m.ids)
		if err == nil && in[2].Err != nil {
			err = &email.NotFoundError{Mailbox: m.dst.name}
			if !errors.Is(in[2].Err, fs.ErrNotExist) {
				err = fileError(request{Op: coroutine.FileStat, Path: m.dst.file(FolderMarker)}, in[2].Err)
			}
		}
		if err != nil {
			return m.fail(err)
		}
		m.c = c
		return m.readChunk()
	case cpTemps:
		var err error
		if in, err = afterMkdirMeta(m.dst, in); err != nil {
			return m.fail(err)
		}
		items := make([]pubItem, len(m.chunk))
		var reqs []request
		for i, id := range m.chunk {
			r := in[i]
			if r.Err != nil {
				if errors.Is(r.Err, fs.ErrNotExist) {
					return m.fail(&email.NotFoundError{Mailbox: m.src.name, ID: id})
				}
				return m.fail(fileError(coroutine.ReadHead(m.src.file(m.c.files[id]), 0), r.Err))
			}
			if int64(len(r.Data)) > m.s.maxMessage() {
				return m.fail(fmt.Errorf("m2dir: message %q is %d bytes: %w", id, r.Size, email.ErrTooLarge))
			}
			if err := verify(m.src.name, id, r.Data); err != nil {
				return m.fail(err)
			}
			var fl email.Flags
			if k := m.flagsAt[i]; k >= 0 {
				var err error
				if fl, err = readFlags(in[k]); err != nil && fl == nil {
					var ffe *FlagsFileError
					if !errors.As(err, &ffe) {
						return m.fail(fileError(readFlagsReq(m.src.flagsFile(id)), err))
					}
				}
			}
			it, rs, err := newItem(m.s, m.dst, r.Data, FormatFlagsFile(fl))
			if err != nil {
				return m.fail(err)
			}
			items[i] = it
			reqs = append(reqs, rs...)
		}
		m.pub = publisher{dst: m.dst, entropy: m.s.Entropy, items: items}
		m.state = cpCheck
		return m.ask(reqs...)
	case cpCheck:
		for _, r := range in {
			if r.Err != nil {
				return m.fail(fmt.Errorf("m2dir: writing a copy: %w", r.Err))
			}
		}
		m.state = cpPublish
		return m.publish(nil)
	case cpPublish:
		return m.publish(in)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// readChunk asks for the next chunk of messages and their flags files, or
// finishes.
func (m *copyMessages) readChunk() ([]request, bool) {
	if m.next >= len(m.ids) {
		return m.finish(m.out)
	}
	end := min(m.next+copyChunk, len(m.ids))
	m.chunk = m.ids[m.next:end]
	m.next = end
	reqs := make([]request, 0, 2*len(m.chunk))
	for _, id := range m.chunk {
		reqs = append(reqs, coroutine.ReadHead(m.src.file(m.c.files[id]), m.s.maxMessage()+1))
	}
	m.flagsAt = m.flagsAt[:0]
	for _, id := range m.chunk {
		k := -1
		if m.c.flagged[id] {
			k = len(reqs)
			reqs = append(reqs, readFlagsReq(m.src.flagsFile(id)))
		}
		m.flagsAt = append(m.flagsAt, k)
	}
	reqs = append(reqs, mkdirMeta(m.dst))
	m.state = cpTemps
	return m.ask(reqs...)
}

func (m *copyMessages) publish(in []result) ([]request, bool) {
	reqs, err := m.pub.step(in)
	if err != nil {
		return m.fail(err)
	}
	if reqs != nil {
		return m.ask(reqs...)
	}
	for _, it := range m.pub.items {
		m.out = append(m.out, it.id)
	}
	return m.readChunk()
}
