package maildir

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"slices"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
	"github.com/ioemail/ioemail/internal/envorder"
)

// stateKind marks the change-tracking states of this backend.
const stateKind = 'm'

// letterHash hashes a name's flag bytes as a set (order and repetition do
// not matter), so a file re-flagged by another program that writes the
// same letters in another order is no change.
func letterHash(flags string) uint64 {
	b := []byte(flags)
	slices.Sort(b)
	h := fnv.New64a()
	h.Write(slices.Compact(b))
	return h.Sum64()
}

// The states of changesMachine.
const (
	chStart = iota
	chScan
	chRead
)

// changesResult is what a change scan found.
type changesResult struct {
	snap  changes.Snapshot
	delta changes.Delta
	added []email.Envelope
}

// changesMachine compares a maildir with an old snapshot. It scans new/
// and cur/ (see Scan): each message's key and flag letters come from its
// file name, so an unchanged folder costs two listings and two stats and
// no read at all. It then reads dovecot-keywords and the heads of new
// messages only when some message is new or changed, or when keepFlags
// asks for the flag sets of a baseline. With old nil it takes a baseline.
type changesMachine struct {
	base[changesResult]
	headReader // reads the heads of new messages
	s          Store
	mailbox    string
	dir        string
	old        changes.Snapshot
	keepFlags  bool
	state      int
	scan       *scanMachine
	folder     *Folder
	cur        changes.Snapshot
	kw         *Keywords
	kwAsked    bool
	envs       []email.Envelope
}

func (s Store) changes(mailbox string, old changes.Snapshot, keepFlags bool) (*changesMachine, error) {
	dir, err := s.Dir(mailbox)
	if err != nil {
		return nil, err
	}
	return &changesMachine{s: s, mailbox: mailbox, dir: dir, old: old, keepFlags: keepFlags}, nil
}

// Resume implements coroutine.Machine.
func (m *changesMachine) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	if !m.begin(in) {
		return nil, true
	}
	switch m.state {
	case chStart:
		m.state, m.scan, in = chScan, m.s.scan(m.mailbox, m.dir), nil
		fallthrough
	case chScan:
		reqs, done, f, err := runSub[*Folder](m.scan, in)
		if !done {
			return m.delegate(reqs)
		}
		if err != nil {
			return m.fail(err)
		}
		m.folder = f
		return m.compare()
	case chRead:
		if m.kwAsked {
			kw, err := readKeywords(m.dir, in[0])
			if err != nil {
				return m.fail(err)
			}
			m.kw, in, m.kwAsked = kw, in[1:], false
			m.setFlags()
		}
		for i, e := range m.chunk {
			m.take(e, in[i])
		}
		return m.next()
	}
	return m.fail(fmt.Errorf("maildir: changes in state %d: %w", m.state, email.ErrUnexpectedReply))
}

// compare builds the current snapshot from the names and decides what
// must be read.
func (m *changesMachine) compare() ([]coroutine.FileRequest, bool) {
	m.cur = make(changes.Snapshot, len(m.folder.Entries))
	needKW := false
	for _, e := range m.folder.Entries {
		it := changes.Item{Hash: letterHash(e.Name.Flags)}
		o, had := m.old[e.Name.Key]
		switch {
		case had && o.Hash == it.Hash && (o.Known || !m.keepFlags):
			it = o
		case m.old == nil && !m.keepFlags:
			// A diff baseline needs no flag set.
		default:
			needKW = true
		}
		if m.old != nil && !had {
			m.todo = append(m.todo, e)
		}
		m.cur[e.Name.Key] = it
	}
	m.state = chRead
	if needKW {
		m.kwAsked = true
		m.kw = &Keywords{}
	}
	return m.next()
}

// setFlags fills the flag sets the snapshot lacks, once the keyword table
// is known.
func (m *changesMachine) setFlags() {
	for _, e := range m.folder.Entries {
		it := m.cur[e.Name.Key]
		if !it.Known {
			it.Flags, it.Known = e.Name.FlagSet(m.kw), true
			m.cur[e.Name.Key] = it
		}
	}
}

// take turns the head of a new message into its envelope.
func (m *changesMachine) take(e Entry, r coroutine.FileResult) {
	switch {
	case errors.Is(r.Err, fs.ErrNotExist):
		// Renamed or removed since the scan: the next scan sees it.
		delete(m.cur, e.Name.Key)
		return
	case r.Err != nil:
		// Unreadable now: left out of this snapshot, so a later diff
		// reports it as new.
		delete(m.cur, e.Name.Key)
		return
	}
	if sum, ok := m.summary(e, r); ok {
		m.envs = append(m.envs, envelope(e, sum, r, m.cur[e.Name.Key].Flags))
	}
}

// next asks for the keyword table and the next chunk of heads, or ends.
func (m *changesMachine) next() ([]coroutine.FileRequest, bool) {
	if !m.more() && !m.kwAsked {
		d := changes.Compare(m.old, m.cur)
		if m.old == nil {
			d = changes.Delta{}
		}
		envorder.Sort(m.envs)
		return m.finish(changesResult{snap: m.cur, delta: d, added: m.envs})
	}
	return m.ask(m.batch(m.s, m.dir, m.kwAsked, nil)...)
}

// DiffEnvelopes returns a machine that reports what changed in a mailbox
// since state, a value an earlier diff returned.
//
// With a nil or unusable state (another backend's, damaged) it takes a
// baseline: FullListRequired and the State to pass next. Otherwise New
// (envelopes of the messages that appeared, with flags), Vanished (keys
// gone) and FlagUpdates (full new flag sets) are disjoint.
//
// The state is compact: per message its key and a hash of the flag letters
// of its file name. Messages are followed by key, so a message moved
// between new/ and cur/ or re-flagged by another program (a rename by
// mblaze's mflag, mutt, Dovecot) is a flag update, never a vanish and an
// add; a move from new/ to cur/ that keeps the letters is no change at
// all. When nothing changed, the diff lists and stats new/ and cur/,
// reads no file, and returns the state it was given. A key rewritten by another program (mbsync inserting
// ",U=") is a vanish and an add.
func (s Store) DiffEnvelopes(mailbox string, state email.State) coroutine.FileMachine[email.EnvelopeDiff] {
	m, err := s.changes(mailbox, nil, false)
	if err != nil {
		return done[email.EnvelopeDiff](err)
	}
	old, ok := changes.Decode(stateKind, m.dir, state)
	if !ok {
		old = nil
	}
	m.old = old
	return coroutine.Map(coroutine.FileMachine[changesResult](m), func(r changesResult) (email.EnvelopeDiff, error) {
		if old != nil && len(r.added) == 0 && len(r.delta.Added) == 0 && len(r.delta.Vanished) == 0 && len(r.delta.Changed) == 0 && len(r.snap) == len(old) {
			// Nothing changed: the snapshot is old's, item for item
			// (compare keeps an unchanged item as it was), so the state
			// given is the state to return, without compressing it again.
			return email.EnvelopeDiff{State: state}, nil
		}
		st := changes.Encode(stateKind, m.dir, r.snap)
		if old == nil {
			return email.EnvelopeDiff{FullListRequired: true, State: st}, nil
		}
		d := email.EnvelopeDiff{State: st, New: r.added, Vanished: r.delta.Vanished}
		for _, id := range r.delta.Changed {
			d.FlagUpdates = append(d.FlagUpdates, email.FlagUpdate{ID: id, Flags: r.snap[id].Flags})
		}
		return d, nil
	})
}
