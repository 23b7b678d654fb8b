package maildir

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// searchChunkBytes bounds the bytes of whole messages one batch of a body
// search reads (at least one message per batch).
const searchChunkBytes = 32 << 20

// The states of searchEnvelopesMachine.
const (
	seList   = iota // running the listing machine
	seScan          // scanning the folder to find the files to read whole
	seBodies        // reading whole messages for body conditions
)

type searchEnvelopesMachine struct {
	base[[]email.Envelope]
	s       Store
	mailbox string
	dir     string
	q       search.Query
	opts    email.ListOptions
	state   int
	list    coroutine.FileMachine[[]email.Envelope]
	scan    *scanMachine
	folder  *Folder
	hits    []email.Envelope // envelopes that match
	pending []email.Envelope // envelopes whose match needs the body
	next    int              // index in pending of the next chunk
	batch   []email.Envelope // the chunk being read
	gone    []email.Envelope // files that vanished before their read
	rescan  bool             // the second scan, for gone, has started
}

// SearchEnvelopes returns a machine that returns the page (opts) of the
// envelopes of mailbox that match q, in q's order (see search.Sort; newest
// Date first by default).
//
// It runs ListEnvelopes over the whole mailbox (heads only; flags from the
// file names), and decides every message it can from its envelope
// (search.Query.MatchEnvelope). Only when the query has body conditions
// whose outcome matters for a message does it scan the folder again and
// read that message whole, in batches of at most 32 MiB, to evaluate the
// query on it (search.Query.Match). A message larger than
// Store.MaxMessageSize is searched in its first MaxMessageSize bytes. A file
// that vanished before its read (a flag change renamed it) is looked up in
// one more scan; if it is gone for good, or cannot be read, it is left out,
// as ListEnvelopes leaves it out. The order and the page then apply as for
// listing.
func (s Store) SearchEnvelopes(mailbox string, q search.Query, opts email.ListOptions) coroutine.FileMachine[[]email.Envelope] {
	dir, err := s.Dir(mailbox)
	if err != nil {
		return done[[]email.Envelope](err)
	}
	if opts.Page < 0 || opts.PageSize < 0 {
		return done[[]email.Envelope](fmt.Errorf("maildir: page %d, page size %d: %w", opts.Page, opts.PageSize, email.ErrInvalidArgument))
	}
	return &searchEnvelopesMachine{
		s: s, mailbox: mailbox, dir: dir, q: q, opts: opts,
		list: s.ListEnvelopes(mailbox, email.ListOptions{WithAttachment: opts.WithAttachment}),
	}
}

// Resume implements coroutine.Machine.
func (m *searchEnvelopesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case seList:
		reqs, done := m.list.Resume(in)
		if !done {
			return m.delegate(reqs)
		}
		envs, err := m.list.Result()
		if err != nil {
			return m.fail(err)
		}
		for _, e := range envs {
			switch ok, known := m.q.MatchEnvelope(e); {
			case !known:
				m.pending = append(m.pending, e)
			case ok:
				m.hits = append(m.hits, e)
			}
		}
		if len(m.pending) == 0 {
			return m.finish(m.page())
		}
		return m.startScan()
	case seScan:
		reqs, done := m.scan.Resume(in)
		if !done {
			return m.delegate(reqs)
		}
		f, err := m.scan.Result()
		if err != nil {
			return m.fail(err)
		}
		m.folder = f
		if m.rescan {
			m.pending, m.next, m.gone = m.gone, 0, nil
		}
		m.state = seBodies
		return m.readBodies()
	case seBodies:
		for i, r := range in {
			switch {
			case errors.Is(r.Err, fs.ErrNotExist):
				m.gone = append(m.gone, m.batch[i])
			case r.Err != nil:
				// unreadable: left out
			default:
				if err := m.match(m.batch[i], r.Data); err != nil {
					return m.fail(err)
				}
			}
		}
		return m.readBodies()
	}
	return m.fail(fmt.Errorf("maildir: search_envelopes in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// startScan scans the folder to map keys to files.
func (m *searchEnvelopesMachine) startScan() ([]coroutine.FileRequest, bool) {
	m.state = seScan
	m.scan = m.s.scan(m.mailbox, m.dir)
	reqs, _ := m.scan.Resume(nil)
	return m.delegate(reqs)
}

// readBodies asks for the next chunk of whole messages; when none is left
// it scans once more for files that vanished, or ends.
func (m *searchEnvelopesMachine) readBodies() ([]coroutine.FileRequest, bool) {
	m.batch = m.batch[:0]
	var reqs []coroutine.FileRequest
	var bytes int64
	for m.next < len(m.pending) && (len(reqs) == 0 || bytes+m.pending[m.next].Size <= searchChunkBytes) {
		e := m.pending[m.next]
		m.next++
		entry, ok := m.folder.Find(e.ID)
		if !ok {
			continue // gone since the listing
		}
		bytes += e.Size
		m.batch = append(m.batch, e)
		reqs = append(reqs, coroutine.ReadHead(entry.Path(m.dir), m.s.maxMessage()))
	}
	if len(reqs) > 0 {
		return m.ask(reqs...)
	}
	if len(m.gone) > 0 && !m.rescan {
		m.rescan = true
		return m.startScan()
	}
	return m.finish(m.page())
}

// match evaluates the query on one message read whole.
func (m *searchEnvelopesMachine) match(e email.Envelope, data []byte) error {
	ok, err := m.q.Match(e, func() ([]byte, error) { return data, nil })
	if err != nil {
		return err
	}
	if ok {
		m.hits = append(m.hits, e)
	}
	return nil
}

// page sorts the hits and cuts the page.
func (m *searchEnvelopesMachine) page() []email.Envelope {
	m.q.SortEnvelopes(m.hits)
	start, end := m.opts.Window(len(m.hits))
	return m.hits[start:end:end]
}
