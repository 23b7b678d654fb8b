package mailsync

import (
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// applyDiff returns the view after the changes of d (which must not ask
// for a full list). New envelopes replace a message of the same id;
// vanished ids and flag updates for unknown ids are ignored where there is
// nothing to change. The result is sorted by id. The view (sorted by id,
// as every view is kept; sorted here otherwise) is searched, not indexed:
// a diff is small next to a mailbox.
func applyDiff(view []Msg, d email.EnvelopeDiff) []Msg {
	out := slices.Clone(view)
	if !slices.IsSortedFunc(out, compareIDs) {
		sortView(out)
	}
	n := len(out)
	added := map[string]int{} // index in out of the ids not in view
	find := func(id string) (int, bool) {
		if i, ok := slices.BinarySearchFunc(out[:n], id, func(m Msg, id string) int { return strings.Compare(m.ID, id) }); ok {
			return i, true
		}
		i, ok := added[id]
		return i, ok
	}
	gone := make(map[string]bool, len(d.Vanished))
	for _, id := range d.Vanished {
		gone[id] = true
	}
	for _, e := range d.New {
		m := msgOf(e)
		delete(gone, m.ID)
		if i, ok := find(m.ID); ok {
			out[i] = m
			continue
		}
		added[m.ID] = len(out)
		out = append(out, m)
	}
	for _, u := range d.FlagUpdates {
		if i, ok := find(u.ID); ok {
			out[i].Flags = flagList(email.NewFlags(u.Flags...))
		}
	}
	if len(gone) > 0 {
		out = slices.DeleteFunc(out, func(m Msg) bool { return gone[m.ID] })
	}
	if len(added) > 0 {
		sortView(out)
	}
	return out
}

// viewOf reduces a full listing to a view sorted by id.
func viewOf(envs []email.Envelope) []Msg {
	out := make([]Msg, len(envs))
	for i, e := range envs {
		out[i] = msgOf(e)
	}
	sortView(out)
	return slices.CompactFunc(out, func(a, b Msg) bool { return a.ID == b.ID })
}

func sortView(v []Msg) { slices.SortFunc(v, compareIDs) }

func compareIDs(a, b Msg) int { return strings.Compare(a.ID, b.ID) }
