package m2dir

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

// Search-envelopes states.
const (
	seListing = iota // running the listing machine
	seFolder         // listing the folder to find the files to read
	seBodies         // reading whole messages for body conditions
)

type searchEnvelopes struct {
	machine[[]email.Envelope]
	s       Store
	f       folder
	q       search.Query
	opts    email.ListOptions
	state   int
	list    coroutine.FileMachine[[]email.Envelope]
	hits    []email.Envelope // envelopes that match
	pending []email.Envelope // envelopes whose match needs the body
	files   map[string]string
	next    int              // index in pending of the next chunk
	batch   []email.Envelope // the chunk being read
}

// SearchEnvelopes returns a machine that returns the page (opts) of the
// envelopes of the folder mailbox that match q, in q's order (see
// search.Sort; newest Date first by default).
//
// It runs ListEnvelopes over the whole folder (heads only, with flags), and
// decides every message it can from its envelope (search.MatchEnvelope).
// Only when the query has body conditions whose outcome matters for a
// message does it list the folder again and read that message whole, in
// batches of at most 32 MiB, and evaluate the query on it (search.Match).
// A message larger than Store.MaxMessageSize is searched in its first
// MaxMessageSize bytes; a message that vanished meanwhile is left out, one
// that cannot be read fails the search as it fails a listing. The filter, the order and the page then apply as for listing.
func (s Store) SearchEnvelopes(mailbox string, q search.Query, opts email.ListOptions) coroutine.FileMachine[[]email.Envelope] {
	const op = "search_envelopes"
	f, err := s.folder(mailbox)
	if err == nil && (opts.Page < 0 || opts.PageSize < 0) {
		err = fmt.Errorf("m2dir: page %d, page size %d: %w", opts.Page, opts.PageSize, email.ErrInvalidArgument)
	}
	if err != nil {
		return failed[[]email.Envelope](op, err)
	}
	return &searchEnvelopes{
		machine: machine[[]email.Envelope]{op: op}, s: s, f: f, q: q, opts: opts,
		list: s.ListEnvelopes(mailbox, email.ListOptions{WithAttachment: opts.WithAttachment}),
	}
}

func (m *searchEnvelopes) Resume(in []result) ([]request, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case seListing:
		reqs, done := m.list.Resume(in)
		if !done {
			return m.ask(reqs...)
		}
		envs, err := m.list.Result()
		if err != nil {
			var oe *email.OpError
			if errors.As(err, &oe) {
				err = oe.Err
			}
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
		m.state = seFolder
		return m.ask(coroutine.List(m.f.dir))
	case seFolder:
		c, err := readContents(m.f, in[0], result{})
		if err != nil {
			return m.fail(err)
		}
		m.files = c.files
		m.state = seBodies
		return m.readBodies()
	case seBodies:
		for i, r := range in {
			if err := m.match(m.batch[i], r); err != nil {
				return m.fail(err)
			}
		}
		return m.readBodies()
	}
	return m.fail(fmt.Errorf("m2dir: bad state %d", m.state))
}

// readBodies asks for the next chunk of whole messages, or ends.
func (m *searchEnvelopes) readBodies() ([]request, bool) {
	m.batch = m.batch[:0]
	var reqs []request
	var bytes int64
	for m.next < len(m.pending) && (len(reqs) == 0 || bytes+m.pending[m.next].Size <= searchChunkBytes) {
		e := m.pending[m.next]
		m.next++
		name, ok := m.files[e.ID]
		if !ok {
			continue // gone since the listing
		}
		bytes += e.Size
		m.batch = append(m.batch, e)
		reqs = append(reqs, coroutine.ReadHead(m.f.file(name), m.s.maxMessage()))
	}
	if len(reqs) == 0 {
		return m.finish(m.page())
	}
	return m.ask(reqs...)
}

// match evaluates the query on one message read whole.
func (m *searchEnvelopes) match(e email.Envelope, r result) error {
	if r.Err != nil {
		if errors.Is(r.Err, fs.ErrNotExist) {
			return nil // deleted since the listing
		}
		return fileError(coroutine.ReadHead(m.f.file(m.files[e.ID]), 0), r.Err)
	}
	ok, err := m.q.Match(e, func() ([]byte, error) { return r.Data, nil })
	if err != nil {
		return err
	}
	if ok {
		m.hits = append(m.hits, e)
	}
	return nil
}

// page sorts the hits and cuts the page.
func (m *searchEnvelopes) page() []email.Envelope {
	m.q.SortEnvelopes(m.hits)
	start, end := m.opts.Window(len(m.hits))
	return m.hits[start:end:end]
}
