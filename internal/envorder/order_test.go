package envorder

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ioemail/ioemail/email"
)

// referenceOrder is the listing order as first written, comparing whole
// envelopes: newest Date first, undated last, ties by ID.
func referenceOrder(a, b email.Envelope) int {
	az, bz := a.Date.IsZero(), b.Date.IsZero()
	switch {
	case az && !bz:
		return 1
	case bz && !az:
		return -1
	case !az && !a.Date.Equal(b.Date):
		return b.Date.Compare(a.Date)
	}
	return strings.Compare(a.ID, b.ID)
}

// TestSortMatchesReference sorts random envelopes, with many
// equal instants written in different zones, undated ones, dates before
// 1970 and the zero instant's neighbours, and checks the order against
// referenceOrder.
func TestSortMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.FixedZone("east", 5*3600), time.FixedZone("west", -8*3600)}
	for round := range 50 {
		envs := make([]email.Envelope, rng.IntN(300))
		for i := range envs {
			envs[i].ID = fmt.Sprintf("id%04d", rng.IntN(10000))
			switch rng.IntN(6) {
			case 0: // undated
			case 1:
				envs[i].Date = time.Time{}.Add(time.Duration(rng.IntN(3)) * time.Nanosecond)
			case 2:
				envs[i].Date = time.Unix(-int64(rng.IntN(5))*86400, int64(rng.IntN(2))).In(zones[rng.IntN(3)])
			default:
				envs[i].Date = time.Unix(1.7e9+int64(rng.IntN(20))*3600, 0).In(zones[rng.IntN(3)])
			}
			envs[i].Subject = fmt.Sprint(i)
		}
		want := slices.Clone(envs)
		slices.SortStableFunc(want, referenceOrder)
		got := slices.Clone(envs)
		Sort(got)
		for i := range want {
			if referenceOrder(want[i], got[i]) != 0 {
				t.Fatalf("round %d: at %d got %s %v, want %s %v", round, i, got[i].ID, got[i].Date, want[i].ID, want[i].Date)
			}
		}
		// Every envelope is kept once, however the cycles run.
		subjects := func(es []email.Envelope) []string {
			var s []string
			for _, e := range es {
				s = append(s, e.Subject)
			}
			slices.Sort(s)
			return s
		}
		if !slices.Equal(subjects(envs), subjects(got)) {
			t.Fatalf("round %d: the sort lost or doubled envelopes", round)
		}
	}
}
