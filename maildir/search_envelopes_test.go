package maildir_test

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/storetest"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/search"
)

// newSearchFixture is a Maildir with the six messages of the shared search
// table in INBOX.
func newSearchFixture(t *testing.T) storetest.SearchFixture {
	t.Helper()
	s := maildir.Store{Root: filepath.ToSlash(t.TempDir()), Entropy: rand.Reader, Hostname: "test.example", Pid: 42,
		Clock: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	return storetest.NewSearchFixture(t, s, maildir.DefaultMaxMessageSize)
}

func TestSearchEnvelopes(t *testing.T) {
	storetest.SearchTable(t, newSearchFixture(t))
}

func TestSearchEnvelopesVanished(t *testing.T) {
	storetest.SearchVanished(t, newSearchFixture(t))
}

func TestSearchEnvelopesErrors(t *testing.T) {
	err := storetest.SearchErrors(t, newSearchFixture(t), 5)
	var nf *email.NotFoundError
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, "Nope", nf.Mailbox)
}

func TestSearchEnvelopesRenamed(t *testing.T) {
	f := newSearchFixture(t)
	renamed := false
	do := f.OnFirstWholeRead("one", func(path string) {
		require.True(t, strings.HasSuffix(path, ":2,S"), path)
		require.NoError(t, os.Rename(filepath.FromSlash(path), filepath.FromSlash(path+"F")))
		renamed = true
	})
	envs, err := coroutine.Run(f.Store.SearchEnvelopes("INBOX", search.MustParse("body invoice"), email.ListOptions{}), do)
	require.NoError(t, err)
	assert.True(t, renamed)
	require.Len(t, envs, 2, "a file renamed by a flag change is found again")
	assert.Equal(t, f.IDs["one"], envs[1].ID)
}

func TestSearchEnvelopesReplay(t *testing.T) {
	storetest.SearchReplay(t, newSearchFixture(t))
}
