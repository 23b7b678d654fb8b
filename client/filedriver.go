package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ioemail/ioemail/coroutine"
)

// FileDriver performs the file requests of local-store step machines on the
// real file system. Requests of one batch run in parallel on a bounded pool
// of goroutines.
type FileDriver struct {
	workers int
	// watch performs FileWatch batches; nil means unsupported.
	watch func(ctx context.Context, reqs []coroutine.FileRequest) []coroutine.FileResult
}

// errWatchUnsupported is the result of a FileWatch the driver cannot serve.
var errWatchUnsupported = errors.New("client: directory watching is not available")

// NewFileDriver returns a driver running at most workers requests at once;
// 0 means twice the number of CPUs, at least 4.
func NewFileDriver(workers int) *FileDriver {
	if workers <= 0 {
		workers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	return &FileDriver{workers: workers, watch: watchOnce}
}

// RunFiles drives m to completion with d, checking ctx between batches and
// before each request.
func RunFiles[R any](ctx context.Context, d *FileDriver, m coroutine.FileMachine[R]) (R, error) {
	return runFiles(ctx, d, m, nil)
}

func runFiles[R any](ctx context.Context, d *FileDriver, m coroutine.FileMachine[R], body *Body) (R, error) {
	var in []coroutine.FileResult
	for range coroutine.MaxSteps {
		reqs, done := m.Resume(in)
		if done {
			return m.Result()
		}
		if err := ctx.Err(); err != nil {
			var zero R
			return zero, err
		}
		in = d.do(ctx, reqs, body)
	}
	var zero R
	return zero, coroutine.ErrTooManySteps
}

// Do performs one batch and returns its results, index by index. Body
// requests (FileCopyOut, FileCopyIn) fail: use RunFilesBody.
func (d *FileDriver) Do(ctx context.Context, reqs []coroutine.FileRequest) []coroutine.FileResult {
	return d.do(ctx, reqs, nil)
}

func (d *FileDriver) do(ctx context.Context, reqs []coroutine.FileRequest, body *Body) []coroutine.FileResult {
	out := make([]coroutine.FileResult, len(reqs))
	if len(reqs) > 0 && reqs[0].Op == coroutine.FileWatch {
		if d.watch == nil {
			for i := range out {
				out[i].Err = errWatchUnsupported
			}
			return out
		}
		return d.watch(ctx, reqs)
	}
	n := min(d.workers, len(reqs))
	if n <= 1 {
		var w fileWorker
		defer w.close()
		for i, r := range reqs {
			out[i] = w.do(ctx, r, body)
		}
		return out
	}
	var wg sync.WaitGroup
	var next atomic.Int64 // the index of the next request to take
	for range n {
		wg.Go(func() {
			var w fileWorker
			defer w.close()
			for i := int(next.Add(1) - 1); i < len(reqs); i = int(next.Add(1) - 1) {
				out[i] = w.do(ctx, reqs[i], body)
			}
		})
	}
	wg.Wait()
	return out
}

func (w *fileWorker) do(ctx context.Context, r coroutine.FileRequest, body *Body) coroutine.FileResult {
	if err := ctx.Err(); err != nil {
		return coroutine.FileResult{Err: err}
	}
	p := filepath.FromSlash(r.Path)
	local := r // the request with the native path; ModTime, Hash... kept
	local.Path = p
	if res, ok := doBody(ctx, local, body); ok {
		return res
	}
	switch r.Op {
	case coroutine.FileList:
		return listDir(p)
	case coroutine.FileRead:
		if r.Limit > 0 && r.Limit <= maxHeadRead {
			return w.readHead(p, r)
		}
		res := readFile(p, r.Limit)
		if r.Digest != nil && res.Err == nil {
			res.Digest = r.Digest(res.Data, res.Size)
		}
		return res
	case coroutine.FileStat:
		fi, err := os.Stat(p)
		if err != nil {
			return coroutine.FileResult{Err: err}
		}
		return coroutine.FileResult{Size: fi.Size(), ModTime: fi.ModTime(), IsDir: fi.IsDir()}
	case coroutine.FileCreate:
		return coroutine.FileResult{Err: createFile(p, r.Data, r.Perm, r.ModTime)}
	case coroutine.FileRename:
		t := filepath.FromSlash(r.Target)
		if r.Replace {
			return coroutine.FileResult{Err: os.Rename(p, t)}
		}
		return coroutine.FileResult{Err: renameNoReplace(p, t)}
	case coroutine.FileLink:
		return coroutine.FileResult{Err: os.Link(p, filepath.FromSlash(r.Target))}
	case coroutine.FileRemove:
		return coroutine.FileResult{Err: os.Remove(p)}
	case coroutine.FileMkdir:
		perm := r.Perm
		if perm == 0 {
			perm = 0o700
		}
		var err error
		if r.Recursive {
			err = os.MkdirAll(p, perm)
		} else if err = os.Mkdir(p, perm); errors.Is(err, fs.ErrExist) {
			if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
				err = nil
			}
		}
		return coroutine.FileResult{Err: err}
	case coroutine.FileRemoveDir:
		if r.Recursive {
			return coroutine.FileResult{Err: os.RemoveAll(p)}
		}
		return coroutine.FileResult{Err: os.Remove(p)}
	case coroutine.FileSyncDir:
		return coroutine.FileResult{Err: syncDir(p)}
	case coroutine.FileOwnerAlive:
		return ownerAlive(r)
	}
	return coroutine.FileResult{Err: fmt.Errorf("client: file request %v: %w", r.Op, errors.ErrUnsupported)}
}

// maxHeadRead is the largest limited read served from a worker's scratch
// buffer; larger ones allocate their own.
const maxHeadRead = 1 << 20

func listDir(p string) coroutine.FileResult {
	f, err := os.Open(p)
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	des, err := f.ReadDir(-1)
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	ents := make([]coroutine.DirEntry, len(des))
	for i, de := range des {
		ents[i] = coroutine.DirEntry{Name: de.Name(), IsDir: de.IsDir()}
	}
	return coroutine.FileResult{Entries: ents, ModTime: fi.ModTime()}
}

// openRegular opens p for reading, failing on a directory.
func openRegular(p string) (*os.File, fs.FileInfo, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		err = &fs.PathError{Op: "read", Path: p, Err: errIsDir}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

func readFile(p string, limit int64) coroutine.FileResult {
	f, fi, err := openRegular(p)
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	defer f.Close()
	size := fi.Size()
	n := size
	if limit > 0 && limit < n {
		n = limit
	}
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil // the file shrank meanwhile: keep what was there
	}
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	if limit == 0 && k == len(buf) {
		// The file may have grown since the stat: read the rest too.
		rest, rerr := io.ReadAll(f)
		if rerr != nil {
			return coroutine.FileResult{Err: rerr}
		}
		buf = append(buf[:k], rest...)
		k = len(buf)
		size = max(size, int64(k))
	}
	return coroutine.FileResult{Data: buf[:k], Size: size, ModTime: fi.ModTime()}
}

func createFile(p string, data []byte, perm fs.FileMode, mtime time.Time) error {
	return createSynced(p, perm, mtime, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// createSynced creates p exclusively with perm (0600 when zero), lets fill
// write it, sets its modification time to mtime unless zero, then syncs
// and closes it; on any failure p is removed.
func createSynced(p string, perm fs.FileMode, mtime time.Time, fill func(*os.File) error) error {
	if perm == 0 {
		perm = 0o600
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	err = fill(f)
	if err == nil && !mtime.IsZero() {
		err = os.Chtimes(p, mtime, mtime)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
	}
	return err
}

func syncDir(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
