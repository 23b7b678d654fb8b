package m2dir

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// dateKey is what the listing order compares of one envelope, kept apart
// from the envelope so that sorting moves 24 bytes, not a whole
// email.Envelope, and compares integers: the Date instant, and the index
// of the envelope, whose ID breaks ties.
type dateKey struct {
	sec  int64 // the Date's Unix seconds; math.MinInt64 when undated
	nsec int32 // the Date's nanoseconds; -1 when undated, below every date
	i    int   // the index of the envelope
}

// listingOrder returns the keys of envs in listing order: newest Date
// first, undated (the zero Date) last, ties by ID.
func listingOrder(envs []email.Envelope) []dateKey {
	keys := make([]dateKey, len(envs))
	for i := range envs {
		keys[i] = dateKey{sec: math.MinInt64, nsec: -1, i: i}
		if d := envs[i].Date; !d.IsZero() {
			keys[i].sec, keys[i].nsec = d.Unix(), int32(d.Nanosecond())
		}
	}
	slices.SortFunc(keys, func(a, b dateKey) int {
		if c := cmp.Compare(b.sec, a.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(b.nsec, a.nsec); c != 0 {
			return c
		}
		return strings.Compare(envs[a.i].ID, envs[b.i].ID)
	})
	return keys
}

// sortEnvelopes orders envelopes newest first, undated last, ties by id.
func sortEnvelopes(envs []email.Envelope) {
	permute(envs, listingOrder(envs))
}

// permute reorders envs in place so that envs[k] becomes the old
// envs[keys[k].i], moving each envelope once by following the cycles of
// the permutation. It uses up keys.
func permute(envs []email.Envelope, keys []dateKey) {
	for k := range keys {
		if keys[k].i < 0 || keys[k].i == k {
			continue
		}
		held := envs[k]
		j := k
		for {
			src := keys[j].i
			keys[j].i = -1
			if src == k {
				envs[j] = held
				break
			}
			envs[j] = envs[src]
			j = src
		}
	}
}
