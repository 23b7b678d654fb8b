package client

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
)

func TestFileDriverOperations(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	d := NewFileDriver(3)
	ctx := context.Background()
	do1 := func(r coroutine.FileRequest) coroutine.FileResult { return d.Do(ctx, []coroutine.FileRequest{r})[0] }

	require.NoError(t, do1(coroutine.Mkdir(dir+"/m")).Err)
	require.NoError(t, do1(coroutine.Mkdir(dir+"/m")).Err, "an existing directory is fine")
	require.NoError(t, do1(coroutine.Create(dir+"/m/a", []byte("hello world"))).Err)
	assert.ErrorIs(t, do1(coroutine.Create(dir+"/m/a", []byte("x"))).Err, fs.ErrExist, "create is exclusive")
	b, _ := os.ReadFile(dir + "/m/a")
	assert.Equal(t, "hello world", string(b), "a failed exclusive create loses nothing")

	r := do1(coroutine.ReadHead(dir+"/m/a", 5))
	require.NoError(t, r.Err)
	assert.Equal(t, "hello", string(r.Data))
	assert.EqualValues(t, 11, r.Size, "the full size comes with a head read")
	r = do1(coroutine.ReadHead(dir+"/m/a", 0))
	assert.Equal(t, "hello world", string(r.Data))

	require.NoError(t, do1(coroutine.Create(dir+"/m/b", []byte("other"))).Err)
	assert.ErrorIs(t, do1(coroutine.Rename(dir+"/m/a", dir+"/m/b")).Err, fs.ErrExist, "rename never clobbers")
	b, _ = os.ReadFile(dir + "/m/b")
	assert.Equal(t, "other", string(b))
	require.NoError(t, do1(coroutine.FileRequest{Op: coroutine.FileRename, Path: dir + "/m/a", Target: dir + "/m/b", Replace: true}).Err)
	b, _ = os.ReadFile(dir + "/m/b")
	assert.Equal(t, "hello world", string(b))

	require.NoError(t, do1(coroutine.Link(dir+"/m/b", dir+"/m/c")).Err)
	assert.ErrorIs(t, do1(coroutine.Link(dir+"/m/b", dir+"/m/c")).Err, fs.ErrExist)
	l := do1(coroutine.List(dir + "/m"))
	require.NoError(t, l.Err)
	names := map[string]bool{}
	for _, e := range l.Entries {
		names[e.Name] = true
	}
	assert.Equal(t, map[string]bool{"b": true, "c": true}, names)
	require.NoError(t, do1(coroutine.SyncDir(dir+"/m")).Err)
	require.NoError(t, do1(coroutine.Remove(dir+"/m/c")).Err)
	assert.ErrorIs(t, do1(coroutine.Remove(dir+"/m/c")).Err, fs.ErrNotExist)
	assert.ErrorIs(t, do1(coroutine.ReadHead(dir+"/nope", 0)).Err, fs.ErrNotExist)
	assert.Error(t, do1(coroutine.FileRequest{Op: coroutine.FileRemoveDir, Path: dir + "/m"}).Err, "a non-empty directory needs Recursive")
	require.NoError(t, do1(coroutine.FileRequest{Op: coroutine.FileRemoveDir, Path: dir + "/m", Recursive: true}).Err)
	assert.ErrorIs(t, do1(coroutine.FileRequest{Op: coroutine.FileStat, Path: dir + "/m"}).Err, fs.ErrNotExist)
	assert.Error(t, do1(coroutine.FileRequest{Op: 0}).Err)
}

func TestFileDriverBatchOrderAndCancel(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	d := NewFileDriver(4)
	var reqs []coroutine.FileRequest
	for i := range 200 {
		reqs = append(reqs, coroutine.Create(dir+"/f"+strconv.Itoa(i), []byte(strconv.Itoa(i))))
	}
	for _, r := range d.Do(context.Background(), reqs) {
		require.NoError(t, r.Err)
	}
	reads := make([]coroutine.FileRequest, len(reqs))
	for i := range reqs {
		reads[i] = coroutine.ReadHead(reqs[i].Path, 0)
	}
	res := d.Do(context.Background(), reads)
	for i, r := range res {
		assert.Equal(t, strconv.Itoa(i), string(r.Data), "results come back index by index")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range d.Do(ctx, reads) {
		assert.ErrorIs(t, r.Err, context.Canceled)
	}
}

// twoStep lists a directory, then reads every file in it in one batch.
type twoStep struct {
	dir   string
	state int
	out   []string
	err   error
}

func (m *twoStep) Resume(in []coroutine.FileResult) ([]coroutine.FileRequest, bool) {
	switch m.state {
	case 0:
		m.state = 1
		return []coroutine.FileRequest{coroutine.List(m.dir)}, false
	case 1:
		if m.err = in[0].Err; m.err != nil {
			m.state = 3
			return nil, true
		}
		var reqs []coroutine.FileRequest
		for _, e := range in[0].Entries {
			reqs = append(reqs, coroutine.ReadHead(m.dir+"/"+e.Name, 0))
		}
		m.state = 2
		return reqs, false
	case 2:
		for _, r := range in {
			m.out = append(m.out, string(r.Data))
		}
	}
	m.state = 3
	return nil, true
}

func (m *twoStep) Result() ([]string, error) { return m.out, m.err }

func TestRunFilesRecordAndReplay(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	require.NoError(t, os.WriteFile(dir+"/x", []byte("X"), 0o600))
	d := NewFileDriver(0)
	rec := &coroutine.Recorder{Do: func(r []coroutine.FileRequest) []coroutine.FileResult { return d.Do(context.Background(), r) }}
	out, err := coroutine.Run[[]coroutine.FileResult, []coroutine.FileRequest, []string](&twoStep{dir: dir}, rec.Perform)
	require.NoError(t, err)
	assert.Equal(t, []string{"X"}, out)
	require.Len(t, rec.Steps, 2)

	// The recorded script replays without the disk.
	require.NoError(t, os.Remove(dir+"/x"))
	out, err = coroutine.ReplayFiles[[]string](&twoStep{dir: dir}, rec.Steps)
	require.NoError(t, err)
	assert.Equal(t, []string{"X"}, out)

	out, err = RunFiles[[]string](context.Background(), d, &twoStep{dir: dir})
	require.NoError(t, err)
	assert.Empty(t, out)
	_, err = RunFiles[[]string](context.Background(), d, &twoStep{dir: dir + "/missing"})
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestFileDriverHeadReadsDoNotAlias(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	require.NoError(t, os.WriteFile(dir+"/a", []byte("aaaa"), 0o600))
	require.NoError(t, os.WriteFile(dir+"/b", []byte("bbbb"), 0o600))
	require.NoError(t, os.WriteFile(dir+"/empty", nil, 0o600))
	require.NoError(t, os.Mkdir(dir+"/d", 0o700))
	d := NewFileDriver(1) // one worker: both results come from the same arena
	res := d.Do(context.Background(), []coroutine.FileRequest{
		coroutine.ReadHead(dir+"/a", 2), coroutine.ReadHead(dir+"/b", 8),
		coroutine.ReadHead(dir+"/empty", 8), coroutine.ReadHead(dir+"/d", 8),
	})
	require.NoError(t, res[0].Err)
	assert.Equal(t, "aa", string(res[0].Data))
	assert.EqualValues(t, 4, res[0].Size)
	_ = append(res[0].Data, 'X', 'X') // must not write into b's bytes
	assert.Equal(t, "bbbb", string(res[1].Data))
	assert.False(t, res[1].ModTime.IsZero())
	require.NoError(t, res[2].Err)
	assert.Empty(t, res[2].Data)
	assert.Error(t, res[3].Err, "reading a directory is an error")
}
