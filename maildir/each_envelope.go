package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// EachChunk is the most message heads an EnvelopeStream reads in one
// batch, and so the most envelopes it holds (512 heads of Store.HeadLimit
// bytes: 4 MiB at the default limit).
const EachChunk = 512

// The states of EnvelopeStream.
const (
	eeStart = iota
	eeScan
	eeRead
)

// EnvelopeStream is a machine listing every envelope of a mailbox in
// chunks, for a caller that hands them on without holding them all: after
// each Resume, Envelopes returns those of the chunk just read. Its Result
// is the number of envelopes produced.
type EnvelopeStream struct {
	base[int]
	headReader
	s       Store
	mailbox string
	dir     string
	state   int
	scan    *scanMachine
	rescan  bool

	kw       *Keywords
	kwAsked  bool
	vanished []Entry
	out      []email.Envelope
	count    int
	slab     envelopeSlab
	// hold keeps every envelope in out (ListEnvelopes, which never calls
	// Envelopes), sized to the folder once its scan is done.
	hold bool
}

// EachEnvelope returns a machine producing the envelopes of mailbox chunk
// by chunk, with the fields ListEnvelopes fills, in the order of the
// folder's scan (not sorted). It scans the folder once (the file names are
// held, not the envelopes), then reads the heads of at most EachChunk
// files per batch (fewer when Store.BatchSize is smaller); each batch's
// envelopes are ready in Envelopes before the next batch is asked for.
// Files that vanished meanwhile are looked up again by key in one more
// scan at the end, as ListEnvelopes does.
func (s Store) EachEnvelope(mailbox string) *EnvelopeStream {
	s.BatchSize = min(s.batchSize(), EachChunk)
	return s.envelopeStream(mailbox, false)
}

// envelopeStream returns the machine of EachEnvelope reading in batches of
// Store.BatchSize; with hold it keeps every envelope instead of handing
// them on.
func (s Store) envelopeStream(mailbox string, hold bool) *EnvelopeStream {
	dir, err := s.Dir(mailbox)
	m := &EnvelopeStream{s: s, mailbox: mailbox, dir: dir, hold: hold}
	if err != nil {
		m.fail(err)
	}
	return m
}

// Envelopes returns the envelopes produced since the last call and
// forgets them.
func (m *EnvelopeStream) Envelopes() []email.Envelope {
	out := m.out
	m.out = nil
	return out
}

// Resume implements coroutine.Machine.
func (m *EnvelopeStream) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case eeStart:
		m.state, m.scan, in = eeScan, m.s.scan(m.mailbox, m.dir), nil
		fallthrough
	case eeScan:
		reqs, done, f, err := runSub[*Folder](m.scan, in)
		if !done {
			return m.delegate(reqs)
		}
		if err != nil {
			return m.fail(err)
		}
		m.scan = nil // and with it the folder's index of keys
		todo := f.Entries
		if m.rescan {
			todo = nil
			for _, v := range m.vanished {
				if e, ok := f.Find(v.Name.Key); ok {
					todo = append(todo, e)
				}
			}
			m.vanished = nil
		}
		if m.hold && !m.rescan {
			m.out = make([]email.Envelope, 0, len(todo))
		}
		m.reset(todo)
		return m.next()
	case eeRead:
		if m.kwAsked {
			kw, err := readKeywords(m.dir, in[0])
			if err != nil {
				return m.fail(err)
			}
			m.kw, in = kw, in[1:]
		}
		for i, e := range m.chunk {
			m.take(e, in[i])
		}
		return m.next()
	}
	return m.fail(fmt.Errorf("maildir: each_envelope in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// take turns one read into an envelope, as ListEnvelopes does.
func (m *EnvelopeStream) take(e Entry, r coroutine.FileResult) {
	switch {
	case errors.Is(r.Err, fs.ErrNotExist):
		m.vanished = append(m.vanished, e)
		return
	case r.Err != nil:
		return
	}
	if sum, ok := m.summary(e, r); ok {
		m.out = append(m.out, m.slab.envelope(e, sum, r, m.kw))
		m.count++
	}
}

// next asks for the next chunk, the one more scan, or ends.
func (m *EnvelopeStream) next() ([]coroutine.FileRequest, bool) {
	if m.more() {
		m.kwAsked = m.kw == nil
		if m.kwAsked {
			m.kw = &Keywords{}
		}
		m.state = eeRead
		return m.ask(m.batch(m.s, m.dir, m.kwAsked, scanDigest)...)
	}
	if len(m.vanished) > 0 && !m.rescan {
		m.rescan = true
		m.state, m.scan = eeScan, m.s.scan(m.mailbox, m.dir)
		reqs, _ := m.scan.Resume(nil)
		return m.delegate(reqs)
	}
	return m.finish(m.count)
}
