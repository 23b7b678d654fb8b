package m2dir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
	"github.com/ioemail/ioemail/internal/envorder"
	"github.com/ioemail/ioemail/internal/header"
)

// Rescan states.
const (
	rsList  = iota // listing the folder and its .meta
	rsStat         // stating the flags files
	rsFlags        // reading changed flags files
	rsHeads        // reading the heads of new messages
	rsMore         // reading longer heads
)

// rescanResult is what a rescan found: the new snapshot, the delta from
// the old one, and the envelopes of the added messages.
type rescanResult struct {
	snap  changes.Snapshot
	delta changes.Delta
	added []email.Envelope
}

// rescan compares a folder with an old snapshot, reading as little as it
// can: one listing of the folder and of .meta, a stat of each flags file,
// then only the flags files whose time or size changed (or, with
// keepFlags, whose flags the old snapshot does not hold), and the heads of
// new messages. With old nil it takes a baseline and reads no message.
type rescan struct {
	machine[rescanResult]
	s         Store
	f         folder
	old       changes.Snapshot
	keepFlags bool
	state     int
	c         contents
	cur       changes.Snapshot
	stats     []string // ids whose flags file is stated
	reads     []string // ids whose flags file is read
	heads     []string // ids whose head is read
	pos       int
	batch     []string
	more      []string
	envs      []email.Envelope
}

func (s Store) rescan(op string, f folder, old changes.Snapshot, keepFlags bool) *rescan {
	return &rescan{machine: machine[rescanResult]{op: op}, s: s, f: f, old: old, keepFlags: keepFlags}
}

// Resume implements coroutine.Machine.
func (m *rescan) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case rsList:
		m.state = rsStat
		return m.ask(listFolder(m.f)...)
	case rsStat:
		c, err := readContents(m.f, in[0], in[1])
		if err != nil {
			return m.fail(err)
		}
		m.c = c
		m.cur = make(changes.Snapshot, len(c.ids))
		empty := changes.FlagsHash(nil)
		var reqs []request
		for _, id := range c.ids {
			if c.flagged[id] {
				m.stats = append(m.stats, id)
				reqs = append(reqs, request{Op: coroutine.FileStat, Path: m.f.flagsFile(id)})
			} else {
				m.cur[id] = changes.Item{Hash: empty, Known: true}
			}
		}
		m.state = rsFlags
		return m.ask(reqs...)
	case rsFlags:
		for i, r := range in {
			id := m.stats[i]
			if r.Err != nil {
				if !errors.Is(r.Err, fs.ErrNotExist) {
					return m.fail(fileError(request{Op: coroutine.FileStat, Path: m.f.flagsFile(id)}, r.Err))
				}
				m.cur[id] = changes.Item{Hash: changes.FlagsHash(nil), Known: true}
				continue
			}
			stamp := changes.Stamp(r.ModTime.UnixNano(), r.Size)
			o, had := m.old[id]
			if had && o.Stamp == stamp && (o.Known || !m.keepFlags) {
				m.cur[id] = o
				continue
			}
			m.cur[id] = changes.Item{Stamp: stamp}
			m.reads = append(m.reads, id)
		}
		m.pos = 0
		return m.nextFlags()
	case rsHeads:
		if m.batch != nil {
			for i, r := range in {
				id := m.batch[i]
				if err := m.take(id, r, false); err != nil {
					return m.fail(err)
				}
			}
			if len(m.more) > 0 {
				m.state = rsMore
				reqs := make([]request, len(m.more))
				for i, id := range m.more {
					reqs[i] = coroutine.ReadHead(m.f.file(m.c.files[id]), MaxHeadSize)
				}
				return m.ask(reqs...)
			}
		} else {
			for i, r := range in { // a batch of flags files
				id := m.reads[m.pos-len(in)+i]
				fl, err := readFlags(r)
				if err != nil && fl == nil {
					var ffe *FlagsFileError
					if !errors.As(err, &ffe) {
						return m.fail(fileError(readFlagsReq(m.f.flagsFile(id)), err))
					}
				}
				it := m.cur[id]
				it.Flags, it.Hash, it.Known = fl, changes.FlagsHash(fl), true
				m.cur[id] = it
			}
			if m.pos < len(m.reads) {
				return m.nextFlags()
			}
			m.pos = 0
		}
		return m.nextHeads()
	case rsMore:
		for i, r := range in {
			if err := m.take(m.more[i], r, true); err != nil {
				return m.fail(err)
			}
		}
		m.more = m.more[:0]
		m.state = rsHeads
		return m.nextHeads()
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// nextFlags reads the next chunk of flags files.
func (m *rescan) nextFlags() ([]request, bool) {
	m.state = rsHeads
	m.batch = nil
	if m.pos >= len(m.reads) {
		m.pos = 0
		return m.nextHeads()
	}
	end := min(m.pos+readChunk, len(m.reads))
	reqs := make([]request, 0, end-m.pos)
	for _, id := range m.reads[m.pos:end] {
		reqs = append(reqs, flagsDigestReq(m.f.flagsFile(id)))
	}
	m.pos = end
	return m.ask(reqs...)
}

// nextHeads reads the next chunk of new messages' heads, or ends.
func (m *rescan) nextHeads() ([]request, bool) {
	if m.heads == nil {
		m.heads = []string{}
		if m.old != nil {
			for _, id := range m.c.ids {
				if _, had := m.old[id]; !had {
					m.heads = append(m.heads, id)
				}
			}
		}
	}
	if m.pos >= len(m.heads) {
		return m.end()
	}
	end := min(m.pos+readChunk, len(m.heads))
	m.batch = m.heads[m.pos:end]
	m.pos = end
	reqs := make([]request, len(m.batch))
	for i, id := range m.batch {
		reqs[i] = coroutine.ReadHead(m.f.file(m.c.files[id]), m.s.headSize())
	}
	m.state = rsHeads
	return m.ask(reqs...)
}

// take turns the head of a new message into its envelope; a message that
// vanished meanwhile is dropped from the snapshot.
func (m *rescan) take(id string, r result, final bool) error {
	if r.Err != nil {
		if errors.Is(r.Err, fs.ErrNotExist) {
			delete(m.cur, id)
			return nil
		}
		return fileError(coroutine.ReadHead(m.f.file(m.c.files[id]), 0), r.Err)
	}
	if !final && int64(len(r.Data)) < r.Size && header.End(r.Data) < 0 {
		m.more = append(m.more, id)
		return nil
	}
	env := envelope(id, r, true)
	env.Flags = m.cur[id].Flags
	m.envs = append(m.envs, env)
	return nil
}

func (m *rescan) end() ([]request, bool) {
	d := changes.Compare(m.old, m.cur)
	if m.old == nil {
		d = changes.Delta{}
	}
	envorder.Sort(m.envs)
	return m.finish(rescanResult{snap: m.cur, delta: d, added: m.envs})
}
