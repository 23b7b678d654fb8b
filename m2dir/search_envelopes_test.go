package m2dir_test

import (
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/storetest"
	"github.com/ioemail/ioemail/m2dir"
)

// newSearchFixture is an m2store with the six messages of the shared
// search table in INBOX.
func newSearchFixture(t *testing.T) storetest.SearchFixture {
	t.Helper()
	s := m2dir.Store{Root: filepath.ToSlash(t.TempDir()), Entropy: rand.Reader,
		Clock: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	return storetest.NewSearchFixture(t, s, m2dir.DefaultMaxMessageSize)
}

func TestSearchEnvelopes(t *testing.T) {
	storetest.SearchTable(t, newSearchFixture(t))
}

func TestSearchEnvelopesVanished(t *testing.T) {
	storetest.SearchVanished(t, newSearchFixture(t))
}

func TestSearchEnvelopesErrors(t *testing.T) {
	err := storetest.SearchErrors(t, newSearchFixture(t), 3)
	var op *email.OpError
	require.True(t, errors.As(err, &op))
	assert.Equal(t, "search_envelopes", op.Op)
}

func TestSearchEnvelopesReplay(t *testing.T) {
	storetest.SearchReplay(t, newSearchFixture(t))
}
