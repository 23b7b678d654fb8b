package m2dir

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/envorder"
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
	s      Store
	f      folder
	opts   email.ListOptions
	state  int
	listed bool        // the folder's listing is read
	l      messageList // the folder's messages
	early  bool        // flags are read with the heads (a listing without pages)
	next   int         // index in l of the next chunk's first message
	lo, hi int         // the batch being read: l's messages lo to hi-1
	paths  batchPaths  // the batch's paths
	// batchFl holds the message index of each flags file read with the
	// batch, fl the flags of each message of the batch (by index - lo).
	batchFl []int
	fl      []email.Flags
	more    []int         // indexes of messages to read again with MaxHeadSize
	moreFl  []email.Flags // the flags of each of more, when early
	envs    []email.Envelope
	src     []int // the message index of each of envs
	page    []email.Envelope
	// pageFl holds the page index of each flags file read for the page.
	pageFl []int
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
		if !m.listed {
			l, err := readMessageList(m.f, in[0], in[1])
			if err != nil {
				return m.fail(err)
			}
			m.l, m.listed = l, true
			m.envs = make([]email.Envelope, 0, len(l.ids))
			m.src = make([]int, 0, len(l.ids))
			m.early = m.opts.PageSize <= 0
			return m.readChunk()
		}
		n := m.hi - m.lo
		heads, fls := in[:n], in[n:]
		m.fl = slices.Grow(m.fl[:0], n)[:n]
		clear(m.fl)
		for i, r := range fls {
			msg := m.batchFl[i]
			fl, err := readFlags(r)
			if err != nil && fl == nil {
				var ffe *FlagsFileError
				if !errors.As(err, &ffe) {
					return m.fail(fileError(readFlagsReq(m.f.flagsFile(m.l.ids[msg])), err))
				}
			}
			m.fl[msg-m.lo] = fl
		}
		for i, r := range heads {
			if err := m.scan(m.lo+i, r, false, m.fl[i]); err != nil {
				return m.fail(err)
			}
		}
		if len(m.more) > 0 {
			m.state = leMore
			reqs := make([]request, len(m.more))
			for i, msg := range m.more {
				reqs[i] = coroutine.ReadHead(m.f.file(m.l.files[msg]), MaxHeadSize)
			}
			return m.ask(reqs...)
		}
		return m.readChunk()
	case leMore:
		for i, r := range in {
			if err := m.scan(m.more[i], r, true, m.moreFl[i]); err != nil {
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
					return m.fail(fileError(readFlagsReq(m.f.flagsFile(m.page[m.pageFl[i]].ID)), err))
				}
			}
			m.page[m.pageFl[i]].Flags = fl
		}
		return m.finish(m.page)
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// readChunk asks for the next chunk of heads, with their flags files when
// early, or sorts and pages when all are read.
func (m *listEnvelopes) readChunk() ([]request, bool) {
	if m.next >= len(m.l.ids) {
		return m.paginate()
	}
	m.lo, m.hi = m.next, min(m.next+readChunk, len(m.l.ids))
	m.next = m.hi
	files, ids := m.l.files[m.lo:m.hi], m.l.ids[m.lo:m.hi]
	m.batchFl = m.batchFl[:0]
	size := 0
	for _, name := range files {
		size += len(m.f.dir) + 1 + len(name)
	}
	if m.early {
		for i, id := range ids {
			if m.l.flagged[m.lo+i] {
				m.batchFl = append(m.batchFl, m.lo+i)
				size += len(m.f.dir) + len(MetaDir) + 2 + len(id) + len(FlagsSuffix)
			}
		}
	}
	m.paths.reset(size)
	for _, name := range files {
		m.paths.add(m.f.dir, "", name, "")
	}
	for _, msg := range m.batchFl {
		m.paths.add(m.f.dir, MetaDir+"/", m.l.ids[msg], FlagsSuffix)
	}
	m.paths.finish()
	reqs := make([]request, len(files)+len(m.batchFl))
	limit := m.s.headSize()
	for i := range files {
		reqs[i] = coroutine.ReadHead(m.paths.path(i), limit)
		reqs[i].Digest, reqs[i].DigestOnly = scanDigest, true
	}
	for k := range m.batchFl {
		i := len(files) + k
		reqs[i] = flagsDigestReq(m.paths.path(i))
	}
	return m.ask(reqs...)
}

// scan turns one head read of message msg into an envelope with flags, or
// queues it for a longer read when its header is cut.
func (m *listEnvelopes) scan(msg int, r result, final bool, flags email.Flags) error {
	if r.Err != nil {
		if errors.Is(r.Err, fs.ErrNotExist) {
			return nil // deleted meanwhile
		}
		return fileError(coroutine.ReadHead(m.f.file(m.l.files[msg]), 0), r.Err)
	}
	var h header.Summary
	n := len(r.Data)
	if d, ok := r.Digest.(*headDigest); ok {
		h, n = d.sum, d.n
	} else {
		h = header.Scan(r.Data)
	}
	if !final && int64(n) < r.Size && h.BodyOffset < 0 {
		m.more, m.moreFl = append(m.more, msg), append(m.moreFl, flags)
		return nil
	}
	env := envelopeOf(m.l.ids[msg], h, r, m.opts.WithAttachment)
	env.Flags = flags
	m.envs = append(m.envs, env)
	m.src = append(m.src, msg)
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

// paginate sorts the envelopes and keeps the page, asking for its flags
// files unless they came with the heads. A listing without pages sorts
// the envelopes in place; a page is copied out of them.
func (m *listEnvelopes) paginate() ([]request, bool) {
	keys := envorder.Order(m.envs)
	start, end := m.opts.Window(len(m.envs))
	m.state = leFlags
	if m.early {
		envorder.Permute(m.envs, keys)
		m.page = m.envs[start:end:end]
		return m.finish(m.page)
	}
	m.page = make([]email.Envelope, end-start)
	var reqs []request
	for k, key := range keys[start:end] {
		m.page[k] = m.envs[key.I]
		if msg := m.src[key.I]; m.l.flagged[msg] {
			reqs = append(reqs, flagsDigestReq(m.f.flagsFile(m.l.ids[msg])))
			m.pageFl = append(m.pageFl, k)
		}
	}
	m.envs, m.src = nil, nil // only the page is kept
	if len(reqs) == 0 {
		return m.finish(m.page)
	}
	return m.ask(reqs...)
}
