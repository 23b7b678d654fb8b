package mailsync

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
)

// Two runs killed one after the other, the second past a checkpoint that
// recorded ids of its copies: the run after them copies only what is
// missing and deletes nothing (an intent of the first run, kept beside the
// pair the second recorded, used to make the next run upload those
// messages again and delete the second run's copies).
func TestKilledTwiceCopiesOnlyTheRest(t *testing.T) {
	syncFiles = false
	t.Cleanup(func() { syncFiles = true })
	for _, batched := range []bool{false, true} {
		t.Run(fmt.Sprintf("batched=%v", batched), func(t *testing.T) {
			a, bm := newMemStore("a"), newMemStore("b")
			for i := range 1000 {
				a.put("INBOX", fmt.Sprintf("m%d@x", i))
			}
			var b client.Storage = bm
			if batched {
				b = &adderStore{memStore: bm}
			}
			path := statePath(t)
			for _, at := range []int{50, 330} {
				f := &faults{at: at, kill: true}
				var snap []byte
				f.onFail = func() {
					var err error
					snap, err = os.ReadFile(path)
					require.NoError(t, err)
				}
				e, err := New(faultStore{a, f}, b, path, Options{})
				require.NoError(t, err)
				_, err = e.Once(context.Background())
				require.ErrorIs(t, err, errInjected)
				require.NoError(t, os.WriteFile(path, snap, 0o600))
			}
			held := len(bm.content()["INBOX"])
			require.Greater(t, held, checkpointEvery, "the second run got past a checkpoint")
			e, err := New(a, b, path, Options{})
			require.NoError(t, err)
			sum := once(t, e)
			assert.Equal(t, 1000-held, sum.B.Copied)
			assert.Zero(t, sum.B.Deleted)
			assert.Equal(t, a.content(), bm.content())
			noDuplicates(t, bm)
		})
	}
}
