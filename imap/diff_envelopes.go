package imap

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/changes"
)

// DiffEnvelopes returns the machine that reports what changed in a
// mailbox since state (nil for a first baseline).
//
// The state is opaque; it holds the mailbox name, its UIDVALIDITY, its
// HIGHESTMODSEQ, its UIDNEXT, and (without QRESYNC) the set of UIDs it
// held. With QRESYNC enabled (RFC 7162 section 3.2.5) one
// SELECT (QRESYNC (uidvalidity modseq)) returns the flag changes and the
// vanished UIDs; with CONDSTORE only, UID FETCH (CHANGEDSINCE) returns
// the flag changes and UID SEARCH the UIDs still there. Messages from the
// old UIDNEXT on are fetched as new envelopes. The three lists are
// disjoint: a new message is never also a flag update, and a vanished UID
// is one the state knew.
//
// On a server with neither QRESYNC nor CONDSTORE the state is a snapshot
// instead: the mailbox's UIDVALIDITY and, per UID,
// a hash of its flags, compressed by internal/changes. One
// UID FETCH 1:* (UID FLAGS) after EXAMINE (skipped when the mailbox is
// selected) is compared with it: UIDs it lacked are fetched as new
// envelopes (one more UID FETCH), UIDs gone are vanished, and UIDs whose
// flags hash differs are flag updates with their whole flag set. Such a
// state takes about 2 bytes a message (BenchmarkSnapshotState: 10,000
// messages, four flag sets).
//
// FullListRequired is set (with a fresh state) for a nil or foreign state
// and when UIDVALIDITY changed; a mailbox without mod-sequences
// (NOMODSEQ) under CONDSTORE, or a mailbox without UIDVALIDITY or with
// more than 1,048,576 messages on the snapshot path, always gets
// FullListRequired and a nil state.
func DiffEnvelopes(s *Session, mailbox string, state email.State) coroutine.NetMachine[email.EnvelopeDiff] {
	if err := checkName(mailbox); err != nil {
		return failed[email.EnvelopeDiff]("diff_envelopes", err)
	}
	d := &diffEnvelopes{s: s, mailbox: mailbox, raw: state}
	d.old, d.hasOld = decodeDiffState(state, mailbox)
	return newMachine[email.EnvelopeDiff](s, "diff_envelopes", d, mailbox)
}

// diffState is the decoded checkpoint.
type diffState struct {
	uidValidity uint32
	modSeq      uint64
	uidNext     imap.UID
	uids        imap.UIDSet // only without QRESYNC
}

const diffStateMagic = "imap-diff-1"

func (st diffState) encode(mailbox string) email.State {
	var b []byte
	b = append(b, diffStateMagic...)
	b = append(b, 0)
	b = append(b, mailbox...)
	b = fmt.Appendf(b, "\x00%d\x00%d\x00%d\x00%s", st.uidValidity, st.modSeq, st.uidNext, st.uids.String())
	return b
}

func decodeDiffState(b email.State, mailbox string) (diffState, bool) {
	parts := bytes.Split(b, []byte{0})
	if len(parts) != 6 || string(parts[0]) != diffStateMagic || !sameMailbox(string(parts[1]), mailbox) {
		return diffState{}, false
	}
	v, err1 := strconv.ParseUint(string(parts[2]), 10, 32)
	m, err2 := strconv.ParseUint(string(parts[3]), 10, 64)
	n, err3 := strconv.ParseUint(string(parts[4]), 10, 32)
	if err1 != nil || err2 != nil || err3 != nil || v == 0 || m == 0 {
		return diffState{}, false
	}
	st := diffState{uidValidity: uint32(v), modSeq: m, uidNext: imap.UID(n)}
	if len(parts[5]) > 0 {
		set, err := wire.ParseUIDSet(string(parts[5]))
		if err != nil || set.Dynamic() {
			return diffState{}, false
		}
		st.uids = set
	}
	return st, true
}

type diffEnvelopes struct {
	s       *Session
	mailbox string
	old     diffState
	hasOld  bool
	qresync bool
	sel     selector
	state   int

	vanished imap.UIDSet
	flags    map[imap.UID]email.Flags
	current  imap.UIDSet // CONDSTORE: UIDs below the old UIDNEXT still there
	newEnv   []email.Envelope
	out      email.EnvelopeDiff

	// Without CONDSTORE: the snapshot state.
	snapshot  bool
	snapState int
	raw       email.State
	snap      changes.Snapshot
	tooMany   bool
	added     []imap.UID
	got       map[imap.UID]email.Envelope
}

func (d *diffEnvelopes) result() email.EnvelopeDiff { return d.out }

func (d *diffEnvelopes) advance(r *runner) ([]*wire.Command, bool, error) {
	s := d.s
	if d.snapshot {
		return d.advanceSnapshot(r)
	}
	for {
		switch d.state {
		case 0:
			_, cs := s.enabled[imap.CapCondStore]
			_, qr := s.enabled[imap.CapQResync]
			if !cs && !qr {
				d.snapshot = true
				return d.advanceSnapshot(r)
			}
			d.qresync = qr
			d.flags = map[imap.UID]email.Flags{}
			d.sel = selector{mailbox: d.mailbox, params: "(CONDSTORE)"}
			if qr && d.hasOld {
				d.sel.params = fmt.Sprintf("(QRESYNC (%d %d))", d.old.uidValidity, d.old.modSeq)
			}
			d.sel.onData = d.onData
			d.state = 1
			cmds, err := d.sel.command(s, r)
			return cmds, false, err
		case 1:
			if err := d.sel.done(s, r); err != nil {
				return nil, false, err
			}
			if s.modSeq == 0 || s.uidValidity == 0 {
				d.out = email.EnvelopeDiff{FullListRequired: true} // NOMODSEQ
				return nil, true, nil
			}
			if !d.hasOld || d.old.uidValidity != s.uidValidity {
				return d.baseline(r)
			}
			d.state = 3
			if d.qresync {
				continue
			}
			// CONDSTORE only: flag changes since the old modseq among the
			// old messages, and which old messages are still there.
			if d.old.uidNext <= 1 {
				continue
			}
			d.state = 2
			r.onData = d.onData
			last := uint64(d.old.uidNext - 1)
			fetch, err := s.command("UID FETCH").Raw(" 1:").Number(last).Raw(" (UID FLAGS) (CHANGEDSINCE ").Number(d.old.modSeq).Raw(")").Finish()
			if err != nil {
				return nil, false, err
			}
			search, err := s.command("UID SEARCH").Raw(" UID 1:").Number(last).Finish()
			if err != nil {
				return nil, false, err
			}
			d.current = imap.UIDSet{}
			return []*wire.Command{fetch, search}, false, nil
		case 2:
			if r.err != nil {
				return nil, false, r.err
			}
			for i, name := range []string{"UID FETCH", "UID SEARCH"} {
				if err := statusErr(name, r.status[i]); err != nil {
					return nil, false, err
				}
			}
			old, ok := expandSet(d.old.uids, maxIDs)
			if !ok {
				return d.baseline(r)
			}
			for _, u := range old {
				if u < d.old.uidNext && !d.current.Contains(u) {
					d.vanished.AddNum(u)
				}
			}
			d.state = 3
		case 3:
			d.state = 4
			if s.uidNext != 0 && s.uidNext <= d.old.uidNext {
				return d.finish() // nothing new
			}
			r.onData = func(resp *wire.Response) error {
				f := resp.Fetch
				// "n:*" also returns the last message when n is past it:
				// only UIDs from the old UIDNEXT on are new.
				if resp.Kind == wire.KindFetch && f != nil {
					if err := checkFetch(f, "ENVELOPE", "FLAGS", "RFC822.SIZE"); err != nil {
						return err
					}
				}
				if resp.Kind == wire.KindFetch && f != nil && f.UID >= d.old.uidNext && len(d.newEnv) < maxIDs {
					d.newEnv = append(d.newEnv, toEnvelope(f, false))
				}
				return nil
			}
			return one(s.command("UID FETCH").SP().Number(uint64(max(d.old.uidNext, 1))).Raw(":* (" + envelopeItems + ")"))
		case 4, 5:
			if err := runErr(r, 0, "UID FETCH"); err != nil {
				return nil, false, err
			}
			return d.finish()
		}
	}
}

func sortFlagUpdates(us []email.FlagUpdate) {
	slices.SortFunc(us, func(a, b email.FlagUpdate) int {
		x, _ := strconv.ParseUint(a.ID, 10, 32)
		y, _ := strconv.ParseUint(b.ID, 10, 32)
		return cmp.Compare(x, y)
	})
}

// onData collects VANISHED, FETCH flag changes and SEARCH results.
func (d *diffEnvelopes) onData(resp *wire.Response) error {
	switch resp.Kind {
	case wire.KindVanished:
		d.vanished.AddSet(resp.Vanished.UIDs)
	case wire.KindFetch:
		if f := resp.Fetch; f != nil && f.UID != 0 && f.HasFlags && len(d.flags) < maxIDs {
			d.flags[f.UID] = toFlags(f.Flags)
		}
	case wire.KindSearch:
		for _, n := range resp.Nums {
			d.current.AddNum(imap.UID(n))
		}
	case wire.KindESearch:
		d.current.AddSet(resp.ESearch.All)
	}
	return nil
}

// baseline answers FullListRequired with the state of the mailbox now.
func (d *diffEnvelopes) baseline(r *runner) ([]*wire.Command, bool, error) {
	s := d.s
	st := diffState{uidValidity: s.uidValidity, modSeq: s.modSeq, uidNext: s.uidNext}
	if d.qresync || s.exists == 0 {
		d.out = email.EnvelopeDiff{FullListRequired: true, State: st.encode(d.mailbox)}
		return nil, true, nil
	}
	// Without QRESYNC the state must hold the UIDs, to see what vanished.
	d.state = 5
	d.current = imap.UIDSet{}
	r.onData = d.onData
	return one(s.command("UID SEARCH").Raw(" ALL"))
}

func (d *diffEnvelopes) finish() ([]*wire.Command, bool, error) {
	s := d.s
	if d.state == 5 {
		st := diffState{uidValidity: s.uidValidity, modSeq: s.modSeq, uidNext: s.uidNext, uids: d.current}
		d.out = email.EnvelopeDiff{FullListRequired: true, State: st.encode(d.mailbox)}
		return nil, true, nil
	}
	out := email.EnvelopeDiff{}
	gone := map[imap.UID]bool{}
	if nums, ok := expandSet(d.vanished, maxIDs); ok {
		for _, u := range nums {
			if u < d.old.uidNext && !gone[u] {
				gone[u] = true
				out.Vanished = append(out.Vanished, formatUID(u))
			}
		}
	}
	out.New = d.newEnv
	for u, fl := range d.flags {
		if u < d.old.uidNext && !gone[u] {
			out.FlagUpdates = append(out.FlagUpdates, email.FlagUpdate{ID: formatUID(u), Flags: fl})
		}
	}
	sortFlagUpdates(out.FlagUpdates)
	next := diffState{uidValidity: s.uidValidity, modSeq: s.modSeq, uidNext: max(s.uidNext, d.old.uidNext)}
	for _, e := range d.newEnv {
		if u, _ := strconv.ParseUint(e.ID, 10, 32); imap.UID(u) >= next.uidNext {
			next.uidNext = imap.UID(u) + 1
		}
	}
	if !d.qresync {
		// The UIDs now: the old ones still there, plus the new ones.
		next.uids = d.current
		for _, e := range d.newEnv {
			u, _ := strconv.ParseUint(e.ID, 10, 32)
			next.uids.AddNum(imap.UID(u))
		}
	}
	out.State = next.encode(d.mailbox)
	d.out = out
	return nil, true, nil
}
