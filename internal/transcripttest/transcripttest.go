// Package transcripttest reads the recorded C:/S: transcripts under
// testdata/ (coroutine.ParseTranscript's format) for tests and fuzz seeds,
// and cuts server bytes into the chunks a hostile or slow peer sends.
package transcripttest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
)

// Server returns the server side of the transcript in the file path: the
// data of its server turns, in order.
func Server(t testing.TB, path string) []byte {
	t.Helper()
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	turns, err := coroutine.ParseTranscript(string(text))
	require.NoError(t, err)
	var out []byte
	for _, tr := range turns {
		if tr.Side == coroutine.Server {
			out = append(out, tr.Data...)
		}
	}
	return out
}

// Servers returns the server sides of every transcript whose path matches
// the glob pattern, in the order of filepath.Glob.
func Servers(t testing.TB, pattern string) [][]byte {
	t.Helper()
	files, err := filepath.Glob(pattern)
	require.NoError(t, err)
	var out [][]byte
	for _, name := range files {
		out = append(out, Server(t, name))
	}
	return out
}

// Chunks cuts data into pieces of n bytes, the last one shorter; n below
// 1 counts as 1.
func Chunks(data []byte, n int) []string {
	n = max(n, 1)
	var parts []string
	for len(data) > 0 {
		k := min(n, len(data))
		parts = append(parts, string(data[:k]))
		data = data[k:]
	}
	return parts
}
