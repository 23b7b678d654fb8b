// Package envorder sorts envelopes into the listing order every local
// store uses: newest Date first, undated (the zero Date) last, ties broken
// by ID, so that pages are stable.
//
// It sorts small keys instead of whole email.Envelope values (which are
// some 280 bytes each), then moves each envelope once.
package envorder

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Key is what the listing order compares of one envelope, kept apart from
// it so that a sort moves 24 bytes and compares integers: the Date
// instant, and I, the index of the envelope, whose ID breaks ties.
type Key struct {
	sec  int64 // the Date's Unix seconds; math.MinInt64 when undated
	nsec int32 // the Date's nanoseconds; -1 when undated, below every date
	// I is the index of the envelope in the slice given to Order.
	I int
}

// Order returns the keys of envs in listing order; envs is not changed.
func Order(envs []email.Envelope) []Key {
	keys := make([]Key, len(envs))
	for i := range envs {
		keys[i] = Key{sec: math.MinInt64, nsec: -1, I: i}
		if d := envs[i].Date; !d.IsZero() {
			keys[i].sec, keys[i].nsec = d.Unix(), int32(d.Nanosecond())
		}
	}
	slices.SortFunc(keys, func(a, b Key) int {
		if c := cmp.Compare(b.sec, a.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(b.nsec, a.nsec); c != 0 {
			return c
		}
		return strings.Compare(envs[a.I].ID, envs[b.I].ID)
	})
	return keys
}

// Sort orders envs in place in listing order.
func Sort(envs []email.Envelope) {
	Permute(envs, Order(envs))
}

// Permute reorders envs in place so that envs[k] becomes the old
// envs[keys[k].I], moving each envelope once by following the cycles of
// the permutation. It uses up keys.
func Permute(envs []email.Envelope, keys []Key) {
	for k := range keys {
		if keys[k].I < 0 || keys[k].I == k {
			continue
		}
		held := envs[k]
		j := k
		for {
			src := keys[j].I
			keys[j].I = -1
			if src == k {
				envs[j] = held
				break
			}
			envs[j] = envs[src]
			j = src
		}
	}
}
