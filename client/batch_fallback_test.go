package client_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// bareStorage hides every optional interface of the Storage it wraps, so
// that the dispatcher takes its fallbacks.
type bareStorage struct{ client.Storage }

// fallbackStore returns a client whose only backend is a plain m2dir store
// holding n messages in INBOX, the store's root and the ids in order.
func fallbackStore(t *testing.T, n int) (*client.Client, string, []string, []string) {
	t.Helper()
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	m2 := client.NewM2dir(m2dir.Store{Root: root}, nil)
	require.NoError(t, m2.CreateMailbox(ctx, "INBOX"))
	var ids, raws []string
	for i := range n {
		raw := "From: a@example.org\r\nSubject: m" + string(rune('a'+i)) + "\r\n\r\n" + strings.Repeat("body line\r\n", 100*(i+1))
		id, err := m2.AddMessage(ctx, "INBOX", strings.NewReader(raw), nil)
		require.NoError(t, err)
		ids, raws = append(ids, id), append(raws, raw)
	}
	c := client.New().WithStorage(client.PriorityM2dir, bareStorage{m2})
	return c, root, ids, raws
}

// TestGetMessagesFallback runs Client.GetMessages on a backend without a
// GetMessages of its own: every id once, in the order of ids, the missing
// ones joined at the end, and fn never called for them.
func TestGetMessagesFallback(t *testing.T) {
	ctx := context.Background()
	c, _, ids, raws := fallbackStore(t, 3)
	want := map[string]string{}
	for i, id := range ids {
		want[id] = raws[i]
	}
	missing := []string{"AAAAAAAAAAAAAAAA.AAAAAAAA", "BBBBBBBBBBBBBBBB.BBBBBBBB"}
	ask := []string{ids[2], missing[0], ids[0], ids[2], ids[1], missing[1]}
	var order []string
	err := c.GetMessages(ctx, "INBOX", ask, func(id string, r io.Reader) error {
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.Equal(t, want[id], string(b), id)
		order = append(order, id)
		return nil
	})
	assert.Equal(t, []string{ids[2], ids[0], ids[1]}, order)
	require.ErrorIs(t, err, email.ErrNotFound)
	var joined interface{ Unwrap() []error }
	require.ErrorAs(t, err, &joined)
	require.Len(t, joined.Unwrap(), 2)
	for i, e := range joined.Unwrap() {
		var nf *email.NotFoundError
		require.ErrorAs(t, e, &nf)
		assert.Equal(t, missing[i], nf.ID)
	}
}

// TestGetMessagesFallbackStops checks that fn's error comes back as is and
// ends the fetch, and that fn may leave a message unread.
func TestGetMessagesFallbackStops(t *testing.T) {
	ctx := context.Background()
	c, _, ids, _ := fallbackStore(t, 3)
	stop := errors.New("enough")
	calls := 0
	err := c.GetMessages(ctx, "INBOX", ids, func(id string, r io.Reader) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil // not a byte read
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, stop, err, "fn's error as is")
	assert.Equal(t, 2, calls)

	// Reading one byte of each and returning nil is a success.
	calls = 0
	err = c.GetMessages(ctx, "INBOX", ids, func(id string, r io.Reader) error {
		calls++
		_, err := r.Read(make([]byte, 1))
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, 3, calls)
}

// TestGetMessagesFallbackDamaged damages one m2dir message: fn has it
// streamed, its reader ends with the *m2dir.ChecksumError, and
// GetMessages returns that error even when fn ignores it.
func TestGetMessagesFallbackDamaged(t *testing.T) {
	ctx := context.Background()
	c, root, ids, _ := fallbackStore(t, 2)
	damageM2dir(t, root, ids[1], 100)

	var readErrs []error
	err := c.GetMessages(ctx, "INBOX", ids, func(id string, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		readErrs = append(readErrs, err)
		return nil
	})
	var ce *m2dir.ChecksumError
	require.ErrorAs(t, err, &ce)
	require.Len(t, readErrs, 2)
	assert.NoError(t, readErrs[0])
	assert.ErrorAs(t, readErrs[1], &ce)
}

// TestEnvelopesIterator checks Client.Envelopes on the fallback (an
// unpaged ListEnvelopes) and with a break.
func TestEnvelopesIterator(t *testing.T) {
	ctx := context.Background()
	c, _, ids, _ := fallbackStore(t, 3)
	var got []string
	for e, err := range c.Envelopes(ctx, "INBOX") {
		require.NoError(t, err)
		got = append(got, e.ID)
	}
	assert.ElementsMatch(t, ids, got)

	n := 0
	for range c.Envelopes(ctx, "INBOX") {
		n++
		break
	}
	assert.Equal(t, 1, n)

	for e, err := range c.Envelopes(ctx, "Nowhere") {
		require.ErrorIs(t, err, email.ErrNotFound)
		assert.Zero(t, e.ID)
	}
	for _, err := range client.New().Envelopes(ctx, "INBOX") {
		require.ErrorIs(t, err, email.ErrNoBackend)
	}
}
