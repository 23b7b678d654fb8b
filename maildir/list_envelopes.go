package maildir

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The states of listEnvelopesMachine.
const (
	leStart = iota
	leScan
	leRead
)

type listEnvelopesMachine struct {
	base[[]email.Envelope]
	headReader
	s       Store
	mailbox string
	dir     string
	opts    email.ListOptions
	state   int
	scan    *scanMachine

	kw       *Keywords
	kwAsked  bool    // the batch in flight starts with the dovecot-keywords read
	vanished []Entry // files gone between listing and reading
	rescan   bool
	envs     []email.Envelope
	slab     envelopeSlab
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
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case leStart:
		m.state, m.scan, in = leScan, m.s.scan(m.mailbox, m.dir), nil
		fallthrough
	case leScan:
		reqs, done, f, err := runSub[*Folder](m.scan, in)
		if !done {
			return m.delegate(reqs)
		}
		if err != nil {
			return m.fail(err)
		}
		if !m.rescan {
			m.reset(f.Entries)
			m.envs = make([]email.Envelope, 0, len(f.Entries))
		} else {
			var todo []Entry
			for _, v := range m.vanished {
				if e, ok := f.Find(v.Name.Key); ok {
					todo = append(todo, e)
				}
			}
			m.reset(todo)
			m.vanished = nil
		}
		return m.next()
	case leRead:
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
	if sum, ok := m.summary(e, r); ok {
		m.envs = append(m.envs, m.slab.envelope(e, sum, r, m.kw))
	}
}

// next asks for the next batch of reads, or moves to the next phase:
// longer reads, then one more scan for vanished files, then the result.
func (m *listEnvelopesMachine) next() ([]coroutine.FileRequest, bool) {
	if m.more() {
		m.kwAsked = m.kw == nil
		if m.kwAsked {
			m.kw = &Keywords{}
		}
		m.state = leRead
		return m.ask(m.batch(m.s, m.dir, m.kwAsked, scanDigest)...)
	}
	if len(m.vanished) > 0 && !m.rescan {
		m.rescan = true
		m.state, m.scan = leScan, m.s.scan(m.mailbox, m.dir)
		reqs, _ := m.scan.Resume(nil)
		return m.delegate(reqs)
	}
	return m.finish(m.page())
}

// page sorts the envelopes and cuts the page.
func (m *listEnvelopesMachine) page() []email.Envelope {
	return sortPage(m.envs, m.opts)
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
