package client

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
)

// lenDigest is a Digest that keeps only how many bytes were read.
func lenDigest(data []byte, _ int64) any { return len(data) }

// Head reads: a DigestOnly read with a Digest carries the digest and no
// bytes; without DigestOnly the bytes are there; a cut head has the full
// size; a directory, a missing file and a missing directory fail with
// their errors; and the modification time is the file's.
func TestFileDriverHeadReads(t *testing.T) {
	dir := t.TempDir()
	small := bytes.Repeat([]byte("s"), 100)
	big := bytes.Repeat([]byte("b"), 20<<10)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "small"), small, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big"), big, 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	p := filepath.ToSlash(dir)
	only := coroutine.ReadHead(p+"/small", 8<<10)
	only.Digest, only.DigestOnly = lenDigest, true
	kept := coroutine.ReadHead(p+"/small", 8<<10)
	kept.Digest = lenDigest
	res := NewFileDriver(4).Do(context.Background(), []coroutine.FileRequest{
		only, kept,
		coroutine.ReadHead(p+"/big", 8<<10),
		coroutine.ReadHead(p+"/sub", 8<<10),
		coroutine.ReadHead(p+"/missing", 8<<10),
		coroutine.ReadHead(p+"/nodir/file", 8<<10),
	})
	fi, err := os.Stat(filepath.Join(dir, "small"))
	require.NoError(t, err)

	require.NoError(t, res[0].Err)
	assert.Nil(t, res[0].Data, "DigestOnly with a digest run: no bytes")
	assert.Equal(t, 100, res[0].Digest)
	assert.EqualValues(t, 100, res[0].Size)
	assert.True(t, res[0].ModTime.Equal(fi.ModTime()), "ModTime %v, want %v", res[0].ModTime, fi.ModTime())

	require.NoError(t, res[1].Err)
	assert.Equal(t, small, res[1].Data)
	assert.Equal(t, 100, res[1].Digest)

	require.NoError(t, res[2].Err)
	assert.Equal(t, big[:8<<10], res[2].Data)
	assert.EqualValues(t, 20<<10, res[2].Size, "a cut head reports the full size")

	assert.ErrorIs(t, res[3].Err, errIsDir)
	assert.ErrorIs(t, res[4].Err, fs.ErrNotExist)
	assert.ErrorIs(t, res[5].Err, fs.ErrNotExist)
}

// One batch reading files of more directories than a worker keeps open
// reads each from its own directory; a directory replaced between two
// batches is read anew in the second.
func TestFileDriverHeadReadsManyDirs(t *testing.T) {
	root := t.TempDir()
	var reqs []coroutine.FileRequest
	for d := range 3 * maxDirs {
		sub := filepath.Join(root, fmt.Sprint("d", d))
		require.NoError(t, os.Mkdir(sub, 0o700))
		for f := range 3 {
			name := fmt.Sprint("f", f)
			require.NoError(t, os.WriteFile(filepath.Join(sub, name), []byte(fmt.Sprint(d, "/", f)), 0o600))
			reqs = append(reqs, coroutine.ReadHead(filepath.ToSlash(sub)+"/"+name, 64))
		}
	}
	// Interleave the directories so that each worker cycles through them.
	for i := range reqs {
		j := (i * 7) % len(reqs)
		reqs[i], reqs[j] = reqs[j], reqs[i]
	}
	ctx := context.Background()
	d := NewFileDriver(2)
	for i, r := range d.Do(ctx, reqs) {
		require.NoError(t, r.Err)
		dir, file := filepath.Split(filepath.FromSlash(reqs[i].Path))
		want := filepath.Base(dir)[1:] + "/" + file[1:]
		assert.Equal(t, want, string(r.Data), reqs[i].Path)
	}

	d0 := filepath.Join(root, "d0")
	require.NoError(t, os.Rename(d0, filepath.Join(root, "old")))
	require.NoError(t, os.Mkdir(d0, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(d0, "f0"), []byte("replaced"), 0o600))
	res := d.Do(ctx, []coroutine.FileRequest{coroutine.ReadHead(filepath.ToSlash(d0)+"/f0", 64)})
	require.NoError(t, res[0].Err)
	assert.Equal(t, "replaced", string(res[0].Data))
}
