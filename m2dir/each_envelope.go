package m2dir

import (
	"errors"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// EachChunk is the most message heads an EnvelopeStream reads in one
// batch, and so the most envelopes it holds (512 heads of Store.HeadSize
// bytes: 4 MiB at the default size).
const EachChunk = 512

// EnvelopeStream is a machine listing every envelope of a folder in
// chunks, for a caller that hands them on without holding them all: after
// each Resume, Envelopes returns those of the chunk just read. Its Result
// is the number of envelopes produced.
type EnvelopeStream struct {
	m    coroutine.FileMachine[int]
	core *eachEnvelopes // once built
}

// eachEnvelopes is EnvelopeStream's machine, once the folder is resolved.
type eachEnvelopes struct {
	machine[int]
	s      Store
	f      folder
	listed bool
	c      contents
	next   int
	batch  []string // ids of the heads being read
	long   bool     // the batch is the longer read of cut headers
	more   []string // ids of this chunk to read again, longer
	fl     []string // ids whose flags file is read with the batch
	flags  map[string]email.Flags
	out    []email.Envelope
	count  int
}

// EachEnvelope returns a machine producing the envelopes of the folder
// mailbox chunk by chunk, with the fields ListEnvelopes fills (flags
// included), in the order of the ids (not sorted by Date). It lists the
// folder and its .meta once (the names are held, not the envelopes), then
// reads the heads of at most EachChunk messages per batch, with the flags
// files of those that have one; a header cut by the head is read again,
// up to MaxHeadSize, before the chunk is done. Each chunk's envelopes are
// ready in Envelopes before the next chunk is asked for. A message that
// vanishes meanwhile is left out.
func (s Store) EachEnvelope(mailbox string) *EnvelopeStream {
	const op = "each_envelope"
	e := &EnvelopeStream{}
	f, err := s.folder(mailbox)
	if err != nil {
		e.m = failed[int](op, err)
		return e
	}
	e.m = resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[int] {
		e.core = &eachEnvelopes{machine: machine[int]{op: op}, s: s, f: fs[0]}
		return e.core
	})
	return e
}

// Envelopes returns the envelopes produced since the last call and
// forgets them.
func (e *EnvelopeStream) Envelopes() []email.Envelope {
	if e.core == nil {
		return nil
	}
	out := e.core.out
	e.core.out = nil
	return out
}

// Resume implements coroutine.Machine.
func (e *EnvelopeStream) Resume(in []result) ([]request, bool) { return e.m.Resume(in) }

// Result implements coroutine.Machine: the number of envelopes produced.
func (e *EnvelopeStream) Result() (int, error) { return e.m.Result() }

// Resume implements coroutine.Machine.
func (m *eachEnvelopes) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	if !m.listed {
		if in == nil {
			return m.ask(listFolder(m.f)...)
		}
		c, err := readContents(m.f, in[0], in[1])
		if err != nil {
			return m.fail(err)
		}
		m.c, m.listed = c, true
		return m.readChunk()
	}
	heads, fls := in[:len(m.batch)], in[len(m.batch):]
	for i, r := range fls {
		fl, err := readFlags(r)
		if err != nil && fl == nil {
			var ffe *FlagsFileError
			if !errors.As(err, &ffe) {
				return m.fail(fileError(readFlagsReq(m.f.flagsFile(m.fl[i])), err))
			}
		}
		m.flags[m.fl[i]] = fl
	}
	for i, r := range heads {
		if err := m.take(m.batch[i], r); err != nil {
			return m.fail(err)
		}
	}
	if len(m.more) > 0 && !m.long {
		m.batch, m.more, m.long = m.more, nil, true
		reqs := make([]request, len(m.batch))
		for i, id := range m.batch {
			reqs[i] = coroutine.ReadHead(m.f.file(m.c.files[id]), MaxHeadSize)
		}
		m.fl = nil
		return m.ask(reqs...)
	}
	return m.readChunk()
}

// take turns one head read into an envelope with its flags, or files it
// for the longer read.
func (m *eachEnvelopes) take(id string, r result) error {
	if r.Err != nil {
		if errors.Is(r.Err, fs.ErrNotExist) {
			return nil // deleted meanwhile
		}
		return fileError(coroutine.ReadHead(m.f.file(m.c.files[id]), 0), r.Err)
	}
	h, ok := r.Digest.(header.Summary)
	if !ok {
		h = header.Scan(r.Data)
	}
	if !m.long && int64(len(r.Data)) < r.Size && h.BodyOffset < 0 {
		m.more = append(m.more, id)
		return nil
	}
	env := envelopeOf(id, h, r, false)
	env.Flags = m.flags[id]
	delete(m.flags, id)
	m.out = append(m.out, env)
	m.count++
	return nil
}

// readChunk asks for the next chunk's heads and flags, or ends.
func (m *eachEnvelopes) readChunk() ([]request, bool) {
	m.long = false
	m.flags = map[string]email.Flags{}
	if m.next >= len(m.c.ids) {
		return m.finish(m.count)
	}
	end := min(m.next+EachChunk, len(m.c.ids))
	m.batch = m.c.ids[m.next:end]
	m.next = end
	reqs := make([]request, len(m.batch), 2*len(m.batch))
	for i, id := range m.batch {
		reqs[i] = coroutine.ReadHead(m.f.file(m.c.files[id]), m.s.headSize())
		reqs[i].Digest = scanDigest
	}
	m.fl = m.fl[:0]
	for _, id := range m.batch {
		if m.c.flagged[id] {
			m.fl = append(m.fl, id)
			reqs = append(reqs, flagsDigestReq(m.f.flagsFile(id)))
		}
	}
	return m.ask(reqs...)
}
