package client_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/m2dir"
)

// opCounter counts the requests of each kind its machine asks for.
type opCounter[R any] struct {
	m   coroutine.FileMachine[R]
	ops map[coroutine.FileOp]int
}

func (c *opCounter[R]) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	reqs, done := c.m.Resume(in)
	for _, r := range reqs {
		c.ops[r.Op]++
	}
	return reqs, done
}

func (c *opCounter[R]) Result() (R, error) { return c.m.Result() }

// TestM2dirAddStreamOnePass stores streamed messages below and above the
// driver's first buffer: the checksum comes with the copy (no FileDigest
// pass) and is the one m2dir.Checksum gives for the bytes.
func TestM2dirAddStreamOnePass(t *testing.T) {
	ctx := context.Background()
	s := m2dir.Store{Root: filepath.ToSlash(t.TempDir())}
	m2 := client.NewM2dir(s, nil)
	require.NoError(t, m2.CreateMailbox(ctx, "INBOX"))
	for _, size := range []int{0, 100, 256 << 10, 256<<10 + 1, 3 << 20} {
		raw := []byte("Subject: one pass\r\n\r\n" + strings.Repeat("x", size))
		c := &opCounter[string]{m: m2.Store().AddMessageStream("INBOX", nil), ops: map[coroutine.FileOp]int{}}
		id, err := client.RunFilesBody(ctx, client.NewFileDriver(0), coroutine.FileMachine[string](c), client.Body{Source: &chunkReader{b: raw}})
		require.NoError(t, err, size)
		assert.Equal(t, m2dir.Checksum(raw), id[:m2dir.ChecksumLen], size)
		assert.Equal(t, 1, c.ops[coroutine.FileCopyIn], size)
		assert.Zero(t, c.ops[coroutine.FileDigest], "size %d: no second pass", size)
		var got bytes.Buffer
		_, err = m2.GetMessage(ctx, "INBOX", id, &got)
		require.NoError(t, err, size)
		assert.Equal(t, raw, got.Bytes(), size)
	}
}

// chunkReader hands out its bytes in reads of at most 64 KiB.
type chunkReader struct{ b []byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 64<<10)], r.b)
	r.b = r.b[n:]
	return n, nil
}
