package maildir

import (
	"fmt"
	"slices"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/envorder"
)

// listEnvelopesMachine is the machine of ListEnvelopes.
type listEnvelopesMachine struct {
	base[[]email.Envelope]
	each *EnvelopeStream
	opts email.ListOptions
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
	if _, err := s.Dir(mailbox); err != nil {
		return done[[]email.Envelope](err)
	}
	if opts.Page < 0 || opts.PageSize < 0 {
		return done[[]email.Envelope](fmt.Errorf("maildir: page %d, page size %d: %w", opts.Page, opts.PageSize, email.ErrInvalidArgument))
	}
	return &listEnvelopesMachine{each: s.envelopeStream(mailbox, true), opts: opts}
}

// Resume implements coroutine.Machine: the machine is EachEnvelope's in
// batches of Store.BatchSize, holding every envelope, then a sort.
func (m *listEnvelopesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if m.done {
		return nil, true
	}
	if reqs, done := m.each.Resume(in); !done {
		return reqs, false
	}
	if _, err := m.each.Result(); err != nil {
		return m.fail(err)
	}
	envs := m.each.out
	envorder.Sort(envs)
	start, end := m.opts.Window(len(envs))
	if end-start == len(envs) {
		return m.finish(envs)
	}
	// A page is copied out, so that it does not hold the whole folder's
	// envelopes.
	return m.finish(slices.Clone(envs[start:end]))
}
