package imap

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/changes"
)

// snapshotKind tags the snapshot states of IMAP mailboxes in
// internal/changes (Maildir uses 'm', m2dir '2').
const snapshotKind = 'i'

// snapshotScope names what a snapshot state belongs to: the mailbox (INBOX
// in any case is one mailbox) and its UIDVALIDITY, so a state of another
// mailbox, or of the same mailbox before its UIDs were reset, does not
// decode and gives a fresh baseline.
func snapshotScope(mailbox string, uidValidity uint32) string {
	if email.IsInbox(mailbox) {
		mailbox = "INBOX"
	}
	return fmt.Sprintf("imap\x00%s\x00%d", mailbox, uidValidity)
}

// Snapshot states of the path without CONDSTORE.
const (
	snapSelect = iota
	snapFetchFlags
	snapCompare
	snapFetchNew
)

// advanceSnapshot is DiffEnvelopes on a server with neither QRESYNC nor
// CONDSTORE: EXAMINE (unless the mailbox is selected), UID FETCH 1:*
// (UID FLAGS), a comparison with the snapshot in the old state (UID to
// flags hash), and UID FETCH of the envelopes of the UIDs the old state
// did not hold. The state is a changes.Encode snapshot whose scope holds
// the mailbox and its UIDVALIDITY.
func (d *diffEnvelopes) advanceSnapshot(r *runner) ([]*wire.Command, bool, error) {
	s := d.s
	for {
		switch d.snapState {
		case snapSelect:
			d.snapState = snapFetchFlags
			d.sel = selector{mailbox: d.mailbox, readOnly: true}
			cmds, err := d.sel.command(s, r)
			if err != nil || cmds != nil {
				return cmds, false, err
			}
		case snapFetchFlags:
			if err := d.sel.done(s, r); err != nil {
				return nil, false, err
			}
			if s.uidValidity == 0 {
				// No UIDVALIDITY: UIDs cannot be trusted across sessions.
				d.out = email.EnvelopeDiff{FullListRequired: true}
				return nil, true, nil
			}
			d.snapState = snapCompare
			d.flags = map[imap.UID]email.Flags{}
			r.onData = func(resp *wire.Response) error {
				if f := resp.Fetch; resp.Kind == wire.KindFetch && f != nil && f.UID != 0 && f.HasFlags {
					if len(d.flags) >= maxIDs {
						d.tooMany = true
						return nil
					}
					d.flags[f.UID] = toFlags(f.Flags)
				}
				return nil
			}
			// Sent even when the session counts no message: a mailbox
			// selected earlier may have grown since.
			return one(s.command("UID FETCH").Raw(" 1:* (UID FLAGS)"))
		case snapCompare:
			if r.err != nil {
				return nil, false, r.err
			}
			// Some servers refuse "1:*" in an empty mailbox.
			if err := statusErr("UID FETCH", r.status[0]); err != nil && s.exists > 0 {
				return nil, false, err
			}
			if d.tooMany {
				// Past the bound the snapshot would miss messages and
				// report them vanished: no state rather than a wrong one.
				d.out = email.EnvelopeDiff{FullListRequired: true}
				return nil, true, nil
			}
			d.snap = make(changes.Snapshot, len(d.flags))
			for u, fl := range d.flags {
				d.snap[formatUID(u)] = changes.Item{Hash: changes.FlagsHash(fl)}
			}
			old, ok := changes.Decode(snapshotKind, snapshotScope(d.mailbox, s.uidValidity), d.raw)
			if !ok {
				d.out = email.EnvelopeDiff{FullListRequired: true, State: changes.Encode(snapshotKind, snapshotScope(d.mailbox, s.uidValidity), d.snap)}
				return nil, true, nil
			}
			delta := changes.Compare(old, d.snap)
			d.out = email.EnvelopeDiff{Vanished: sortIDs(delta.Vanished)}
			for _, id := range sortIDs(delta.Changed) {
				u, _ := strconv.ParseUint(id, 10, 32)
				d.out.FlagUpdates = append(d.out.FlagUpdates, email.FlagUpdate{ID: id, Flags: d.flags[imap.UID(u)]})
			}
			if len(delta.Added) == 0 {
				return d.finishSnapshot()
			}
			d.added = d.added[:0]
			var set imap.UIDSet
			for _, id := range sortIDs(delta.Added) {
				u, _ := strconv.ParseUint(id, 10, 32)
				d.added = append(d.added, imap.UID(u))
				set.AddNum(imap.UID(u))
			}
			d.got = map[imap.UID]email.Envelope{}
			r.onData = func(resp *wire.Response) error {
				f := resp.Fetch
				if resp.Kind != wire.KindFetch || f == nil {
					return nil
				}
				if err := checkFetch(f, "ENVELOPE", "FLAGS", "RFC822.SIZE"); err != nil {
					return err
				}
				if _, want := slices.BinarySearch(d.added, f.UID); !want {
					return nil
				}
				if f.Envelope != nil {
					d.got[f.UID] = toEnvelope(f, false)
				} else if e, ok := d.got[f.UID]; ok && f.HasFlags {
					// An unsolicited FETCH of flags alone after the
					// envelope: the flags changed since.
					e.Flags = toFlags(f.Flags)
					d.got[f.UID] = e
				}
				return nil
			}
			d.snapState = snapFetchNew
			return one(s.command("UID FETCH").SP().Raw(set.String()).Raw(" (" + envelopeItems + ")"))
		case snapFetchNew:
			if err := runErr(r, 0, "UID FETCH"); err != nil {
				return nil, false, err
			}
			for _, u := range d.added {
				id := formatUID(u)
				e, ok := d.got[u]
				if !ok {
					// Expunged between the two fetches: never reported,
					// so it leaves the snapshot too.
					delete(d.snap, id)
					continue
				}
				// The envelope's flags are the newer ones.
				d.snap[id] = changes.Item{Hash: changes.FlagsHash(e.Flags)}
				d.out.New = append(d.out.New, e)
			}
			return d.finishSnapshot()
		default:
			return nil, false, fmt.Errorf("%w: diff_envelopes: bad state %d", email.ErrProtocol, d.snapState)
		}
	}
}

// finishSnapshot ends the diff with the new snapshot as its state.
func (d *diffEnvelopes) finishSnapshot() ([]*wire.Command, bool, error) {
	d.out.State = changes.Encode(snapshotKind, snapshotScope(d.mailbox, d.s.uidValidity), d.snap)
	return nil, true, nil
}

// sortIDs sorts decimal UIDs in numeric order, in place.
func sortIDs(ids []string) []string {
	slices.SortFunc(ids, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	return ids
}
