package m2dir

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/changes"
)

// stateKind marks the states of this backend.
const stateKind = '2'

// DiffEnvelopes returns a machine that reports what changed in the folder
// mailbox since state, a value an earlier diff returned.
//
// With a nil or unusable state (another backend's, damaged) it takes a
// baseline: the result has FullListRequired and the State to pass next.
// Otherwise New (the envelopes of messages that appeared, with flags),
// Vanished (ids gone) and FlagUpdates (full new flag sets) are disjoint.
// A message moved out and back in under the same id, or re-flagged by
// another program, is a flag update at most.
//
// The state is compact: per message its id, a hash of its flags and a
// stamp (time and size) of its flags file; no flags and no envelope. When
// nothing changed, the diff lists the folder and .meta and stats the flags
// files, and reads no file at all. Flags files whose stamp changed are
// read (and reported only if their flags did change); only new messages'
// heads are read. A flags file rewritten in place within one tick of the
// file system clock, to the same size, can go unnoticed.
func (s Store) DiffEnvelopes(mailbox string, state email.State) coroutine.FileMachine[email.EnvelopeDiff] {
	const op = "diff_envelopes"
	f, err := s.folder(mailbox)
	if err != nil {
		return failed[email.EnvelopeDiff](op, err)
	}
	scope := f.dir // our spelling, whichever the folder has
	old, ok := changes.Decode(stateKind, scope, state)
	if !ok {
		old = nil
	}
	scan := resolved(s, op, []folder{f}, func(fs []folder) coroutine.FileMachine[rescanResult] {
		return s.rescan(op, fs[0], old, false)
	})
	return coroutine.Map(scan, func(r rescanResult) (email.EnvelopeDiff, error) {
		st := changes.Encode(stateKind, scope, r.snap)
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
