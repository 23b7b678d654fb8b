package maildir

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

// The states of listEnvelopesMachine.
const (
	leStart = iota
	leScan
	leRead
)

type listEnvelopesMachine struct {
	base[[]email.Envelope]
	s       Store
	mailbox string
	dir     string
	opts    email.ListOptions
	state   int
	scan    *scanMachine

	kw       *Keywords
	kwAsked  bool // the batch in flight starts with the dovecot-keywords read
	todo     []Entry
	long     bool // todo is the second, longer read
	pos      int
	chunk    []Entry
	longs    []Entry // heads read without their end
	vanished []Entry // files gone between listing and reading
	rescan   bool
	envs     []email.Envelope
}

// ListEnvelopes returns a machine listing one page of a mailbox's
// envelopes, newest Date first; messages without a usable Date come last
// and ties are broken by id, so pages are stable. The page is cut after
// sorting.
//
// It scans the folder (see Scan), then reads only the head of each file
// (Store.HeadLimit bytes, 8 KiB by default), in batches of at most
// Store.BatchSize independent reads that a driver runs in parallel. When a
// header does not end within the head, the file is read again up to
// Store.MaxHeader (256 KiB by default); a header longer than that is
// scanned as far as it was read. Envelope fields come from
// internal/header.Scan; flags and id come from the file name, keyword
// letters through the folder's dovecot-keywords; Size is the key's ",S="
// field when present, else the file's size. HasAttachment is always set,
// by the rule documented on internal/header.Scan. Each read carries
// header.Scan as its Digest, so a driver may parse heads on its workers
// while other reads are in flight.
//
// A file that vanished between the listing and the read (a flag change
// renamed it, or it moved from new/ to cur/) is looked up again by key in
// a second scan and read once more; if it is gone for good, or cannot be
// read at all, it is left out rather than failing the listing.
func (s Store) ListEnvelopes(mailbox string, opts email.ListOptions) coroutine.FileMachine[[]email.Envelope] {
	dir, err := s.Dir(mailbox)
	if err != nil {
		return done[[]email.Envelope](err)
	}
	if opts.Page < 0 || opts.PageSize < 0 {
		return done[[]email.Envelope](fmt.Errorf("maildir: page %d, page size %d: %w", opts.Page, opts.PageSize, email.ErrInvalidArgument))
	}
	return &listEnvelopesMachine{s: s, mailbox: mailbox, dir: dir, opts: opts}
}

// Resume implements coroutine.Machine.
func (m *listEnvelopesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if m.done {
		return nil, true
	}
	if err := m.check(in); err != nil {
		return m.fail(err)
	}
	switch m.state {
	case leStart:
		m.state = leScan
		m.scan = m.s.scan(m.mailbox, m.dir)
		in = nil
		fallthrough
	case leScan:
		reqs, done := m.scan.Resume(in)
		if !done {
			return m.delegate(reqs)
		}
		f, err := m.scan.Result()
		if err != nil {
			return m.fail(err)
		}
		if !m.rescan {
			m.todo = f.Entries
			m.envs = make([]email.Envelope, 0, len(f.Entries))
		} else {
			m.todo = nil
			for _, v := range m.vanished {
				if e, ok := f.Find(v.Name.Key); ok {
					m.todo = append(m.todo, e)
				}
			}
			m.vanished = nil
		}
		m.pos, m.long = 0, false
		return m.next()
	case leRead:
		if m.kwAsked {
			r := in[0]
			in = in[1:]
			switch {
			case r.Err == nil && r.Size <= maxKeywordsFile:
				m.kw = ParseKeywords(r.Data)
			case r.Err != nil && !errors.Is(r.Err, fs.ErrNotExist):
				return m.fail(fmt.Errorf("maildir: reading %s/%s: %w", m.dir, keywordsFile, r.Err))
			}
		}
		for i, e := range m.chunk {
			m.take(e, in[i])
		}
		return m.next()
	}
	return m.fail(fmt.Errorf("maildir: list_envelopes in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// take turns one read into an envelope, or files the entry for a longer
// read or a second look.
func (m *listEnvelopesMachine) take(e Entry, r coroutine.FileResult) {
	switch {
	case errors.Is(r.Err, fs.ErrNotExist):
		m.vanished = append(m.vanished, e)
		return
	case r.Err != nil:
		return // unreadable: left out, never an abort
	}
	sum, ok := r.Digest.(header.Summary)
	if !ok {
		sum = header.Scan(r.Data)
	}
	if sum.BodyOffset < 0 && r.Size > int64(len(r.Data)) && !m.long {
		m.longs = append(m.longs, e)
		return
	}
	size := e.Name.Size
	if size < 0 {
		size = r.Size
	}
	has := sum.HasAttachment
	m.envs = append(m.envs, email.Envelope{
		ID:            e.Name.Key,
		MessageID:     sum.MessageID,
		Flags:         e.Name.FlagSet(m.kw),
		Subject:       sum.Subject,
		From:          sum.From,
		To:            sum.To,
		Date:          sum.Date,
		Size:          size,
		HasAttachment: &has,
	})
}

// next asks for the next batch of reads, or moves to the next phase:
// longer reads, then one more scan for vanished files, then the result.
func (m *listEnvelopesMachine) next() ([]coroutine.FileRequest, bool) {
	for {
		if m.pos < len(m.todo) {
			return m.readChunk()
		}
		if !m.long && len(m.longs) > 0 {
			m.todo, m.longs, m.pos, m.long = m.longs, nil, 0, true
			continue
		}
		if len(m.vanished) > 0 && !m.rescan {
			m.rescan = true
			m.state = leScan
			m.scan = m.s.scan(m.mailbox, m.dir)
			reqs, _ := m.scan.Resume(nil)
			return m.delegate(reqs)
		}
		return m.finish(m.page())
	}
}

func (m *listEnvelopesMachine) readChunk() ([]coroutine.FileRequest, bool) {
	limit, n := m.s.headLimit(), m.s.batchSize()
	if m.long {
		limit = m.s.maxHeader()
		n = max(1, int(int64(n)*m.s.headLimit()/limit))
	}
	end := min(m.pos+n, len(m.todo))
	m.chunk = m.todo[m.pos:end]
	m.pos = end
	reqs := make([]coroutine.FileRequest, 0, len(m.chunk)+1)
	m.kwAsked = m.kw == nil
	if m.kwAsked {
		m.kw = &Keywords{}
		reqs = append(reqs, coroutine.ReadHead(m.dir+"/"+keywordsFile, maxKeywordsFile))
	}
	for _, e := range m.chunk {
		r := coroutine.ReadHead(e.Path(m.dir), limit)
		r.Digest = scanDigest
		reqs = append(reqs, r)
	}
	m.state = leRead
	return m.ask(reqs...)
}

// scanDigest is the Digest of head reads: the header scan, done by the
// driver's worker that read the file.
func scanDigest(data []byte, _ int64) any { return header.Scan(data) }

// page sorts the envelopes and cuts the page.
func (m *listEnvelopesMachine) page() []email.Envelope {
	slices.SortFunc(m.envs, compareEnvelopes)
	start, end := m.opts.Window(len(m.envs))
	return slices.Clip(m.envs[start:end])
}

// compareEnvelopes orders by Date, newest first, undated last, then by id.
func compareEnvelopes(a, b email.Envelope) int {
	az, bz := a.Date.IsZero(), b.Date.IsZero()
	switch {
	case az && !bz:
		return 1
	case !az && bz:
		return -1
	case !az:
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
	}
	return strings.Compare(a.ID, b.ID)
}
