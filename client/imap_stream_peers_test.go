package client_test

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// TestIMAPStreamLargeDovecot adds an 80 MiB message (past the old 64 MiB
// literal limit) to Dovecot from a reader of unknown size (spooled) and
// from a file, fetches both back byte for byte (SHA-256), and checks that
// no call allocated more than maxExtraHeap.
func TestIMAPStreamLargeDovecot(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 160 MiB")
	}
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ic, err := client.DialIMAP(ctx, "imap://"+env["PEERS_IMAP_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	box := "imapstream-large-" + time.Now().Format("150405.000000000")
	require.NoError(t, ic.CreateMailbox(ctx, box))
	t.Cleanup(func() { ic.DeleteMailbox(context.Background(), box) })

	const size = 80 << 20
	path := filepath.Join(t.TempDir(), "big.eml")
	f, err := os.Create(path)
	require.NoError(t, err)
	gen := newBigMessage(size)
	_, err = io.Copy(f, gen)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	want := gen.sum.Sum(nil)

	var ids []string
	for _, name := range []string{"unsized", "file"} {
		var r io.Reader = newBigMessage(size)
		if name == "file" {
			f, err := os.Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { f.Close() })
			r = f
		}
		var id string
		alloc := allocated(func() { id, err = ic.AddMessage(ctx, box, r, nil) })
		require.NoError(t, err, name)
		require.NotEmpty(t, id)
		assert.Less(t, alloc, uint64(maxExtraHeap), "%s: AddMessage allocated %d bytes", name, alloc)
		t.Logf("%s: AddMessage of %d MiB allocated %.1f MiB", name, size>>20, float64(alloc)/(1<<20))
		ids = append(ids, id)
	}
	for _, id := range ids {
		got := &hashSink{h: sha256.New()}
		var n int64
		alloc := allocated(func() { n, err = ic.GetMessage(ctx, box, id, got) })
		require.NoError(t, err)
		assert.Equal(t, int64(size), n)
		assert.Equal(t, int64(size), got.n)
		assert.Equal(t, want, got.h.Sum(nil), "message %s came back changed", id)
		assert.Less(t, alloc, uint64(maxExtraHeap), "GetMessage allocated %d bytes", alloc)
		t.Logf("GetMessage of %d MiB allocated %.1f MiB", size>>20, float64(alloc)/(1<<20))
	}
}
