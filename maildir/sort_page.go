package maildir

import (
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// sortKey is what compareEnvelopes looks at first, kept beside the index
// of its envelope so that the sort moves 24 bytes instead of a whole
// email.Envelope.
type sortKey struct {
	undated bool
	sec     int64 // Date as Unix seconds and nanoseconds
	nsec    int32
	i       int32
}

// sortPage sorts envs by compareEnvelopes and returns the page opts asks
// for. It sorts keys, then moves each envelope of the page once.
func sortPage(envs []email.Envelope, opts email.ListOptions) []email.Envelope {
	keys := make([]sortKey, len(envs))
	for i := range envs {
		d := envs[i].Date
		keys[i] = sortKey{undated: d.IsZero(), sec: d.Unix(), nsec: int32(d.Nanosecond()), i: int32(i)}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		switch {
		case a.undated != b.undated:
			if a.undated {
				return 1
			}
			return -1
		case a.undated:
		case a.sec != b.sec:
			if a.sec > b.sec {
				return -1
			}
			return 1
		case a.nsec != b.nsec:
			if a.nsec > b.nsec {
				return -1
			}
			return 1
		}
		return strings.Compare(envs[a.i].ID, envs[b.i].ID)
	})
	start, end := opts.Window(len(envs))
	out := make([]email.Envelope, end-start)
	for j := range out {
		out[j] = envs[keys[start+j].i]
	}
	return out
}
