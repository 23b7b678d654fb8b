package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
)

// Move-messages states.
const (
	mvList    = iota // listing both folders
	mvRead           // reading the source flags files
	mvTemps          // writing them as temp files in the target
	mvPublish        // renaming flags files, then messages, into the target
	mvClean          // removing the source flags files
	mvSync           // syncing the source
	mvDone
)

type moveMessages struct {
	machine[[]string]
	s     Store
	src   folder
	dst   folder
	ids   []string // as given
	uniq  []string // without duplicates
	c     contents
	state int
	pub   publisher
	reqs  []request
	reads []int // item index of each flags read
}

// MoveMessages returns a machine that moves the messages ids from the
// folder from to the folder to, flags included, and ends with their ids in
// the target in the order of ids. A message keeps its file name and id
// unless the target already holds that id, in which case it gets a fresh
// nonce.
//
// For each message: its flags file is copied into the target's .meta
// first (temp file, then no-clobber rename), then the message file is
// renamed into the target without replacing anything, then the source
// flags file is removed. A crash leaves at worst a flags file without a
// message in one of the folders, never a message without its flags. Both
// folders must be on one file system. Every id is checked first
// (email.ErrNotFound, nothing moved).
func (s Store) MoveMessages(from, to string, ids []string) coroutine.FileMachine[[]string] {
	const op = "move_messages"
	var uniq []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	return onFolders(s, op, []string{from, to}, ids, nil, func(fs []folder) coroutine.FileMachine[[]string] {
		return &moveMessages{machine: machine[[]string]{op: op}, s: s, src: fs[0], dst: fs[1], ids: ids, uniq: uniq}
	})
}

// Resume implements coroutine.Machine.
func (m *moveMessages) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case mvList:
		m.state = mvRead
		return m.ask(append(listFolder(m.src), listFolder(m.dst)...)...)
	case mvRead:
		c, err := listedWith(m.src, in[0], in[1], m.uniq)
		if err != nil {
			return m.fail(err)
		}
		d, err := readContents(m.dst, in[2], in[3])
		if err != nil {
			return m.fail(err)
		}
		m.c = c
		if m.src.dir == m.dst.dir {
			return m.finish(m.ids)
		}
		taken := map[string]bool{}
		for _, id := range d.ids {
			taken[id] = true
		}
		for _, name := range d.meta {
			if id, ok := cutSuffix(name, FlagsSuffix); ok {
				taken[id] = true
			}
		}
		items := make([]pubItem, len(m.uniq))
		var reqs []request
		for i, id := range m.uniq {
			name := c.files[id]
			it := pubItem{src: m.src.file(name), human: name[:strings.LastIndexByte(name, ',')], checksum: id[:ChecksumLen], id: id}
			for tries := 0; taken[it.id] && tries < maxTries; tries++ {
				if err := it.renew(m.s.Entropy); err != nil {
					return m.fail(err)
				}
			}
			items[i] = it
			if c.flagged[id] {
				m.reads = append(m.reads, i)
				reqs = append(reqs, coroutine.ReadHead(m.src.flagsFile(id), MaxFlagsFileSize+1))
			}
		}
		m.pub = publisher{dst: m.dst, entropy: m.s.Entropy, items: items}
		m.state = mvTemps
		return m.ask(append(reqs, mkdirMeta(m.dst))...)
	case mvTemps:
		var err error
		if in, err = afterMkdirMeta(m.dst, in); err != nil {
			return m.fail(err)
		}
		m.reqs = nil
		for k, r := range in {
			it := &m.pub.items[m.reads[k]]
			if r.Err != nil {
				if errors.Is(r.Err, fs.ErrNotExist) {
					continue // removed meanwhile: no flags
				}
				return m.fail(fileError(readFlagsReq(m.src.flagsFile(m.uniq[m.reads[k]])), r.Err))
			}
			if r.Size > MaxFlagsFileSize {
				return m.fail(&FlagsFileError{Reason: "file too large"})
			}
			tmp, err := tempFlagsFile(m.dst, m.s.Entropy)
			if err != nil {
				return m.fail(err)
			}
			// The bytes are carried as they are: nothing is lost, not
			// even lines this package does not understand.
			it.flagsSrc = tmp
			m.reqs = append(m.reqs, coroutine.Create(it.flagsSrc, r.Data))
		}
		m.state = mvPublish
		return m.ask(m.reqs...)
	case mvPublish:
		if m.reqs != nil {
			if err := batchError(m.reqs, in, nil); err != nil {
				return m.fail(err)
			}
			m.reqs, in = nil, nil
		}
		reqs, err := m.pub.step(in)
		if err != nil {
			return m.fail(err)
		}
		if reqs != nil {
			return m.ask(reqs...)
		}
		m.state = mvClean
		for _, id := range m.uniq {
			if m.c.flagged[id] {
				m.reqs = append(m.reqs, coroutine.Remove(m.src.flagsFile(id)))
			}
		}
		return m.ask(m.reqs...)
	case mvClean:
		if err := batchError(m.reqs, in, anyRequest); err != nil {
			return m.fail(err)
		}
		m.state = mvSync
		m.reqs = []request{coroutine.SyncDir(m.src.dir), coroutine.SyncDir(m.src.meta())}
		return m.ask(m.reqs...)
	case mvSync:
		if err := batchError(m.reqs, in, anyRequest); err != nil {
			return m.fail(err)
		}
		out := make([]string, len(m.ids))
		newID := map[string]string{}
		for i, id := range m.uniq {
			newID[id] = m.pub.items[i].id
		}
		for i, id := range m.ids {
			out[i] = newID[id]
		}
		return m.finish(out)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}
