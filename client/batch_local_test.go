package client_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// The local stores implement the batch interface themselves.
var (
	_ client.MessagesGetter = (*client.MaildirClient)(nil)
	_ client.MessagesGetter = (*client.M2dirClient)(nil)
)

// batchTree is a local store filled for the batch tests.
type batchTree struct {
	s    client.Storage
	root string
	ids  []string
	sums map[string][32]byte
	// missing are well-formed ids the store does not hold.
	missing []string
}

// batchMessage is message i of a batch tree: every fifth one is larger
// than the read-ahead's whole-read bound, so both paths run.
func batchMessage(i int) string {
	lines := 20 + i
	if i%5 == 4 {
		lines = 60000 // about 700 KiB
	}
	return fmt.Sprintf("From: a@example.org\r\nSubject: batch %d\r\nDate: Mon, 1 Jan 2024 10:%02d:00 +0000\r\n\r\n", i, i%60) +
		strings.Repeat(fmt.Sprintf("line of message %d\r\n", i), lines)
}

// batchTrees returns a Maildir and an m2dir store, each holding n
// messages in INBOX.
func batchTrees(t *testing.T, n int) map[string]*batchTree {
	t.Helper()
	ctx := context.Background()
	mdRoot := filepath.ToSlash(filepath.Join(t.TempDir(), "Mail"))
	m2Root := filepath.ToSlash(t.TempDir())
	trees := map[string]*batchTree{
		"maildir": {s: client.NewMaildir(maildir.Store{Root: mdRoot}, nil), root: mdRoot,
			missing: []string{"1700000000.R1M1P1Q1.nohost,S=10", "nope"}},
		"m2dir": {s: client.NewM2dir(m2dir.Store{Root: m2Root}, nil), root: m2Root,
			missing: []string{"AAAAAAAAAAAAAAAA.AAAAAAAA", "BBBBBBBBBBBBBBBB"}},
	}
	for _, tr := range trees {
		require.NoError(t, tr.s.CreateMailbox(ctx, "INBOX"))
		tr.sums = map[string][32]byte{}
		for i := range n {
			raw := batchMessage(i)
			id, err := tr.s.AddMessage(ctx, "INBOX", strings.NewReader(raw), nil)
			require.NoError(t, err)
			tr.ids = append(tr.ids, id)
			tr.sums[id] = sha256.Sum256([]byte(raw))
		}
	}
	return trees
}

// TestLocalGetMessages fetches a batch from each local store: each id
// once, in the order of ids, every byte intact, the missing ids joined at
// the end.
func TestLocalGetMessages(t *testing.T) {
	ctx := context.Background()
	for name, tr := range batchTrees(t, 23) {
		t.Run(name, func(t *testing.T) {
			ask := append([]string{tr.missing[0]}, tr.ids...)
			ask = append(ask, tr.ids[3], tr.ids[0], tr.missing[1])
			var order []string
			err := tr.s.(client.MessagesGetter).GetMessages(ctx, "INBOX", ask, func(id string, r io.Reader) error {
				h := sha256.New()
				_, err := io.Copy(h, r)
				require.NoError(t, err)
				assert.Equal(t, tr.sums[id], [32]byte(h.Sum(nil)), id)
				order = append(order, id)
				return nil
			})
			assert.Equal(t, tr.ids, order)
			require.ErrorIs(t, err, email.ErrNotFound)
			var joined interface{ Unwrap() []error }
			require.ErrorAs(t, err, &joined)
			var got []string
			for _, e := range joined.Unwrap() {
				var nf *email.NotFoundError
				require.ErrorAs(t, e, &nf)
				assert.Equal(t, "INBOX", nf.Mailbox)
				got = append(got, nf.ID)
			}
			assert.Equal(t, tr.missing, got)

			// All found: no error at all.
			require.NoError(t, tr.s.(client.MessagesGetter).GetMessages(ctx, "INBOX", tr.ids[:2], func(string, io.Reader) error { return nil }))
			// A missing mailbox fails before fn.
			err = tr.s.(client.MessagesGetter).GetMessages(ctx, "Nowhere", tr.ids, func(string, io.Reader) error {
				t.Error("fn called for a missing mailbox")
				return nil
			})
			require.ErrorIs(t, err, email.ErrNotFound)
		})
	}
}

// TestLocalGetMessagesStops checks that fn's error ends the fetch and
// comes back as is, that fn may leave messages unread, and that a
// cancelled context ends it.
func TestLocalGetMessagesStops(t *testing.T) {
	stop := errors.New("enough")
	for name, tr := range batchTrees(t, 20) {
		t.Run(name, func(t *testing.T) {
			g := tr.s.(client.MessagesGetter)
			calls := 0
			err := g.GetMessages(context.Background(), "INBOX", tr.ids, func(string, io.Reader) error {
				calls++
				if calls == 7 {
					return stop
				}
				return nil
			})
			assert.Equal(t, stop, err)
			assert.Equal(t, 7, calls)

			calls = 0
			err = g.GetMessages(context.Background(), "INBOX", tr.ids, func(_ string, r io.Reader) error {
				calls++
				_, err := r.Read(make([]byte, 10))
				return err
			})
			require.NoError(t, err)
			assert.Equal(t, len(tr.ids), calls)

			ctx, cancel := context.WithCancel(context.Background())
			calls = 0
			err = g.GetMessages(ctx, "INBOX", tr.ids, func(_ string, r io.Reader) error {
				calls++
				cancel()
				_, err := io.Copy(io.Discard, r)
				return err
			})
			require.ErrorIs(t, err, context.Canceled)
			assert.Less(t, calls, len(tr.ids))
		})
	}
}

// TestLocalGetMessagesTooLarge gives the stores a limit between the small
// and the large messages: the fetch stops at the first large one, before
// fn sees it.
func TestLocalGetMessagesTooLarge(t *testing.T) {
	const limit = 100 << 10
	for name, tr := range batchTrees(t, 6) {
		t.Run(name, func(t *testing.T) {
			s := client.Storage(client.NewMaildir(maildir.Store{Root: tr.root, MaxMessageSize: limit}, nil))
			if name == "m2dir" {
				s = client.NewM2dir(m2dir.Store{Root: tr.root, MaxMessageSize: limit}, nil)
			}
			var got []string
			err := s.(client.MessagesGetter).GetMessages(context.Background(), "INBOX", tr.ids, func(id string, r io.Reader) error {
				got = append(got, id)
				return nil
			})
			require.ErrorIs(t, err, email.ErrTooLarge)
			assert.Equal(t, tr.ids[:4], got)
		})
	}
}

// TestM2dirGetMessagesDamaged damages a small and a large m2dir message:
// fn gets each whole, its reader ends with the *m2dir.ChecksumError, and
// the fetch stops there even when fn ignores the error.
func TestM2dirGetMessagesDamaged(t *testing.T) {
	ctx := context.Background()
	tr := batchTrees(t, 10)["m2dir"]
	damageM2dir(t, tr.root, tr.ids[2], 200)
	damageM2dir(t, tr.root, tr.ids[4], 200) // a large one
	g := tr.s.(client.MessagesGetter)
	for _, start := range []int{0, 3} {
		var readErrs []error
		var sizes []int64
		err := g.GetMessages(ctx, "INBOX", tr.ids[start:], func(id string, r io.Reader) error {
			n, err := io.Copy(io.Discard, r)
			readErrs, sizes = append(readErrs, err), append(sizes, n)
			return nil
		})
		var ce *m2dir.ChecksumError
		require.ErrorAs(t, err, &ce)
		bad := map[int]int{0: 2, 3: 4}[start]
		assert.Equal(t, tr.ids[bad], ce.ID)
		require.Len(t, readErrs, bad-start+1)
		assert.ErrorAs(t, readErrs[len(readErrs)-1], &ce)
		assert.Equal(t, int64(len(batchMessage(bad))), sizes[len(sizes)-1], "the damaged message is delivered whole")
		for _, e := range readErrs[:len(readErrs)-1] {
			assert.NoError(t, e)
		}
	}
}

// TestMaildirGetMessagesRenamed changes the flags of a message (renaming
// its file) while the batch is being delivered, before the read-ahead has
// reached it: the message is still delivered, under its id.
func TestMaildirGetMessagesRenamed(t *testing.T) {
	ctx := context.Background()
	tr := batchTrees(t, 20)["maildir"]
	last := tr.ids[len(tr.ids)-1]
	var order []string
	err := tr.s.(client.MessagesGetter).GetMessages(ctx, "INBOX", tr.ids, func(id string, r io.Reader) error {
		if len(order) == 0 {
			// At most 8 files are read ahead: the last one is not yet.
			require.NoError(t, tr.s.StoreFlags(ctx, "INBOX", []string{last}, email.FlagAdd, email.ParseFlags(`\Seen`, `\Flagged`)))
		}
		h := sha256.New()
		_, err := io.Copy(h, r)
		require.NoError(t, err)
		assert.Equal(t, tr.sums[id], [32]byte(h.Sum(nil)), id)
		order = append(order, id)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, tr.ids, order)
}

// damageM2dir overwrites one byte at off of the INBOX message id of the
// m2dir store at root.
func damageM2dir(t *testing.T, root, id string, off int64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "INBOX", "*"+id))
	require.NoError(t, err)
	require.Len(t, files, 1)
	f, err := os.OpenFile(files[0], os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("X"), off)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
