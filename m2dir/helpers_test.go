package m2dir_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/m2dir"
)

// counter is a deterministic entropy source: 0, 1, 2, ...
type counter struct{ n byte }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.n
		c.n++
	}
	return len(p), nil
}

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newStore returns a store in a fresh temp directory, with an INBOX.
func newStore(t testing.TB) m2dir.Store {
	t.Helper()
	s := m2dir.Store{Root: filepath.ToSlash(t.TempDir()), Entropy: rand.Reader, Clock: func() time.Time { return fixedTime }}
	run(t, s.CreateMailbox("INBOX"))
	return s
}

var driver fsDriver

// run drives m on the real file system and fails the test on error.
func run[R any](t testing.TB, m coroutine.FileMachine[R]) R {
	t.Helper()
	out, err := runFiles(context.Background(), driver, m)
	require.NoError(t, err)
	return out
}

// try drives m and returns its outcome.
func try[R any](m coroutine.FileMachine[R]) (R, error) {
	return runFiles(context.Background(), driver, m)
}

func msg(subject, date string) []byte {
	return []byte("From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: " + subject +
		"\r\nDate: " + date + "\r\nMessage-ID: <" + subject + "@example.org>\r\n\r\nHello " + subject + "\r\n")
}

func write(t testing.TB, p string, data string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
	require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
}
