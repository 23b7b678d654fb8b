package maildir

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ioemail/ioemail/email"
)

// TestSortPageMatchesCompareEnvelopes checks the key sort against the
// order compareEnvelopes defines, on dates that collide, differ only in
// nanoseconds or zone, or are missing, for every page of a few sizes.
func TestSortPageMatchesCompareEnvelopes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	envs := make([]email.Envelope, 500)
	ids := rng.Perm(len(envs)) // ids are unique in a folder, so the order is total
	for i := range envs {
		var d time.Time
		switch rng.IntN(5) {
		case 0: // undated
		case 1:
			d = base.Add(time.Duration(rng.IntN(3)) * time.Nanosecond)
		case 2:
			d = base.In(time.FixedZone("", 3600*rng.IntN(5)))
		default:
			d = base.Add(time.Duration(rng.IntN(1e6)) * time.Second)
		}
		envs[i] = email.Envelope{ID: fmt.Sprintf("k%03d", ids[i]), Date: d}
	}
	want := slices.Clone(envs)
	slices.SortFunc(want, compareEnvelopes)
	for _, size := range []int{0, 1, 7, 100, 500} {
		for page := 0; size == 0 && page == 0 || size > 0 && page*size < len(envs)+size; page++ {
			opts := email.ListOptions{Page: page, PageSize: size}
			start, end := opts.Window(len(want))
			got := sortPage(slices.Clone(envs), opts)
			if !reflect.DeepEqual(got, want[start:end]) {
				t.Fatalf("page %d of size %d differs", page, size)
			}
		}
	}
}
