package mailsync

import (
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// applyDiff returns the view after the changes of d (which must not ask
// for a full list). New envelopes replace a message of the same id;
// vanished ids and flag updates for unknown ids are ignored where there is
// nothing to change. The result is sorted by id.
func applyDiff(view []Msg, d email.EnvelopeDiff) []Msg {
	byID := make(map[string]int, len(view))
	out := slices.Clone(view)
	for i, m := range out {
		byID[m.ID] = i
	}
	gone := make(map[string]bool, len(d.Vanished))
	for _, id := range d.Vanished {
		gone[id] = true
	}
	for _, e := range d.New {
		m := msgOf(e)
		delete(gone, m.ID)
		if i, ok := byID[m.ID]; ok {
			out[i] = m
			continue
		}
		byID[m.ID] = len(out)
		out = append(out, m)
	}
	for _, u := range d.FlagUpdates {
		if i, ok := byID[u.ID]; ok {
			out[i].Flags = flagList(email.NewFlags(u.Flags...))
		}
	}
	if len(gone) > 0 {
		out = slices.DeleteFunc(out, func(m Msg) bool { return gone[m.ID] })
	}
	sortView(out)
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

func sortView(v []Msg) {
	slices.SortFunc(v, func(a, b Msg) int { return strings.Compare(a.ID, b.ID) })
}
