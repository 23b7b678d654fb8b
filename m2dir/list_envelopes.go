package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// readChunk is how many message heads one batch reads, which bounds the
// memory a listing holds at once (4096 heads of 8 KiB: 32 MiB).
const readChunk = 4096

// List-envelopes states.
const (
	leList  = iota // listing the folder and its .meta
	leHeads        // reading a chunk of heads
	leMore         // re-reading heads whose header did not fit
	leFlags        // reading the flags of the page
)

type listEnvelopes struct {
	machine[[]email.Envelope]
	s         Store
	f         folder
	opts      email.ListOptions
	state     int
	c         contents
	files     []string         // the file name of each of c.ids
	flagged   []bool           // whether each of c.ids has a flags file
	next      int              // index in c.ids of the next chunk
	batch     []string         // ids of the batch being read
	more      []string         // ids to read again with MaxHeadSize
	moreFl    []email.Flags    // the flags of each of more, when early
	envs      []email.Envelope // one per message read
	page      []email.Envelope
	flagIndex []int // page index of each flags read
	early     bool  // flags are read with the heads (a listing without pages)
	batchFl   []int // the batch positions whose flags file is read with it
	fl        []email.Flags
}

// ListEnvelopes returns a machine that lists a page of the folder's
// envelopes, newest Date header first, undated last, ties by id.
//
// It lists the folder and its .meta once, then reads only the head of each
// message (Store.HeadSize bytes, again up to MaxHeadSize when the header is
// longer) in chunks of 4096 files, and scans it with internal/header; the
// size is the file's. Flags files are read only for the messages of the
// page, or with the heads when there are no pages. A message that vanishes meanwhile is left out; a flags file with
// garbage gives the flags of its good lines.
func (s Store) ListEnvelopes(mailbox string, opts email.ListOptions) coroutine.FileMachine[[]email.Envelope] {
	f, err := s.folder(mailbox)
	if err != nil {
		return failed[[]email.Envelope]("list_envelopes", err)
	}
	return resolved(s, "list_envelopes", []folder{f}, func(fs []folder) coroutine.FileMachine[[]email.Envelope] {
		f := fs[0]
		return &listEnvelopes{machine: machine[[]email.Envelope]{op: "list_envelopes"}, s: s, f: f, opts: opts}
	})
}

// Resume implements coroutine.Machine.
func (m *listEnvelopes) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case leList:
		m.state = leHeads
		return m.ask(listFolder(m.f)...)
	case leHeads:
		if m.batch == nil {
			c, err := readContents(m.f, in[0], in[1])
			if err != nil {
				return m.fail(err)
			}
			m.c = c
			// The ids' file names and flags in slices: one map lookup
			// each here, none per message later.
			m.files, m.flagged = make([]string, len(c.ids)), make([]bool, len(c.ids))
			for i, id := range c.ids {
				m.files[i], m.flagged[i] = c.files[id], c.flagged[id]
			}
			m.envs = make([]email.Envelope, 0, len(c.ids))
			m.early = m.opts.PageSize <= 0
			return m.readChunk()
		}
		heads, fls := in[:len(m.batch)], in[len(m.batch):]
		m.fl = slices.Grow(m.fl[:0], len(m.batch))[:len(m.batch)]
		clear(m.fl)
		for i, r := range fls {
			fl, err := readFlags(r)
			if err != nil && fl == nil {
				var ffe *FlagsFileError
				if !errors.As(err, &ffe) {
					return m.fail(fileError(readFlagsReq(m.f.flagsFile(m.batch[m.batchFl[i]])), err))
				}
			}
			m.fl[m.batchFl[i]] = fl
		}
		for i, r := range heads {
			if err := m.scan(m.batch[i], m.batchFile(i), r, false, m.fl[i]); err != nil {
				return m.fail(err)
			}
		}
		if len(m.more) > 0 {
			m.state = leMore
			reqs := make([]request, len(m.more))
			for i, id := range m.more {
				reqs[i] = coroutine.ReadHead(m.f.file(m.c.files[id]), MaxHeadSize)
			}
			return m.ask(reqs...)
		}
		return m.readChunk()
	case leMore:
		for i, r := range in {
			if err := m.scan(m.more[i], m.c.files[m.more[i]], r, true, m.moreFl[i]); err != nil {
				return m.fail(err)
			}
		}
		m.more, m.moreFl = m.more[:0], m.moreFl[:0]
		m.state = leHeads
		return m.readChunk()
	case leFlags:
		for i, r := range in {
			fl, err := readFlags(r)
			if err != nil && fl == nil {
				var ffe *FlagsFileError
				if !errors.As(err, &ffe) {
					return m.fail(fileError(readFlagsReq(m.f.flagsFile(m.page[m.flagIndex[i]].ID)), err))
				}
			}
			m.page[m.flagIndex[i]].Flags = fl
		}
		return m.finish(m.page)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// readChunk asks for the next chunk of heads, or sorts and pages when all
// are read.
func (m *listEnvelopes) readChunk() ([]request, bool) {
	if m.next >= len(m.c.ids) {
		return m.paginate()
	}
	end := min(m.next+readChunk, len(m.c.ids))
	m.batch = m.c.ids[m.next:end]
	m.next = end
	reqs := make([]request, len(m.batch), 2*len(m.batch))
	limit := m.s.headSize()
	for i := range m.batch {
		reqs[i] = coroutine.ReadHead(m.f.file(m.batchFile(i)), limit)
		reqs[i].Digest, reqs[i].DigestOnly = scanDigest, true
	}
	m.batchFl = m.batchFl[:0]
	if m.early {
		start := m.next - len(m.batch)
		for i, id := range m.batch {
			if m.flagged[start+i] {
				m.batchFl = append(m.batchFl, i)
				reqs = append(reqs, readFlagsReq(m.f.flagsFile(id)))
			}
		}
	}
	return m.ask(reqs...)
}

// batchFile is the file name of the i-th id of the batch.
func (m *listEnvelopes) batchFile(i int) string { return m.files[m.next-len(m.batch)+i] }

// scan turns one head read of the message id in file into an envelope
// with flags, or queues it for a longer read when its header is cut.
func (m *listEnvelopes) scan(id, file string, r result, final bool, flags email.Flags) error {
	if r.Err != nil {
		if errors.Is(r.Err, fs.ErrNotExist) {
			return nil // deleted meanwhile
		}
		return fileError(coroutine.ReadHead(m.f.file(file), 0), r.Err)
	}
	var h header.Summary
	n := len(r.Data)
	if d, ok := r.Digest.(*headDigest); ok {
		h, n = d.sum, d.n
	} else {
		h = header.Scan(r.Data)
	}
	if !final && int64(n) < r.Size && h.BodyOffset < 0 {
		m.more, m.moreFl = append(m.more, id), append(m.moreFl, flags)
		return nil
	}
	env := envelopeOf(id, h, r, m.opts.WithAttachment)
	env.Flags = flags
	m.envs = append(m.envs, env)
	return nil
}

// headDigest is the value of scanDigest: the header scan of a head and how
// many bytes it scanned, all that scan needs of them, so that the reads
// carrying scanDigest are DigestOnly.
type headDigest struct {
	sum header.Summary
	n   int
}

// scanDigest is the Digest of head reads: the header scan, run by the
// driver's worker that read the file (see coroutine.FileRequest.Digest).
func scanDigest(data []byte, _ int64) any { return &headDigest{header.Scan(data), len(data)} }

// envelope builds the envelope of a message from its head read.
func envelope(id string, r result, withAttachment bool) email.Envelope {
	return envelopeOf(id, header.Scan(r.Data), r, withAttachment)
}

// envelopeOf builds the envelope of a message from its scanned head and
// its read: Size is the file's size, Received its modification time.
func envelopeOf(id string, h header.Summary, r result, withAttachment bool) email.Envelope {
	env := h.Envelope()
	env.ID, env.Size, env.Received = id, r.Size, r.ModTime
	if withAttachment {
		att := h.HasAttachment
		env.HasAttachment = &att
	}
	return env
}

// sortEnvelopes orders envelopes newest first, undated last, ties by id.
func sortEnvelopes(envs []email.Envelope) {
	slices.SortFunc(envs, func(a, b email.Envelope) int {
		az, bz := a.Date.IsZero(), b.Date.IsZero()
		switch {
		case az && !bz:
			return 1
		case bz && !az:
			return -1
		case !az && !a.Date.Equal(b.Date):
			return b.Date.Compare(a.Date)
		}
		return strings.Compare(a.ID, b.ID)
	})
}

func (m *listEnvelopes) paginate() ([]request, bool) {
	sortEnvelopes(m.envs)
	start, end := m.opts.Window(len(m.envs))
	m.page = m.envs[start:end:end]
	var reqs []request
	for i, e := range m.page {
		if m.early {
			continue // the flags came with the heads
		}
		if m.c.flagged[e.ID] {
			reqs = append(reqs, readFlagsReq(m.f.flagsFile(e.ID)))
			m.flagIndex = append(m.flagIndex, i)
		}
	}
	m.state = leFlags
	if len(reqs) == 0 {
		return m.finish(m.page)
	}
	return m.ask(reqs...)
}
