package m2dir_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ioemail/ioemail/coroutine"
)

// fsDriver performs file requests on the real file system, one at a time.
// The package's tests use it rather than the client's driver so that they
// depend on nothing but the file system.
type fsDriver struct{}

func (fsDriver) Do(_ context.Context, reqs []coroutine.FileRequest) []coroutine.FileResult {
	out := make([]coroutine.FileResult, len(reqs))
	for i, r := range reqs {
		out[i] = doFile(r)
	}
	return out
}

func doFile(r coroutine.FileRequest) coroutine.FileResult {
	p := filepath.FromSlash(r.Path)
	res := func(err error) coroutine.FileResult { return coroutine.FileResult{Err: err} }
	switch r.Op {
	case coroutine.FileList:
		des, err := os.ReadDir(p)
		if err != nil {
			return res(err)
		}
		ents := make([]coroutine.DirEntry, len(des))
		for i, de := range des {
			ents[i] = coroutine.DirEntry{Name: de.Name(), IsDir: de.IsDir()}
		}
		var mt time.Time
		if fi, err := os.Stat(p); err == nil {
			mt = fi.ModTime()
		}
		return coroutine.FileResult{Entries: ents, ModTime: mt}
	case coroutine.FileRead:
		f, err := os.Open(p)
		if err != nil {
			return res(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return res(err)
		}
		var rd io.Reader = f
		if r.Limit > 0 {
			rd = io.LimitReader(f, r.Limit)
		}
		data, err := io.ReadAll(rd)
		return coroutine.FileResult{Err: err, Data: data, Size: fi.Size(), ModTime: fi.ModTime()}
	case coroutine.FileStat:
		fi, err := os.Stat(p)
		if err != nil {
			return res(err)
		}
		return coroutine.FileResult{Size: fi.Size(), ModTime: fi.ModTime(), IsDir: fi.IsDir()}
	case coroutine.FileCreate:
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return res(err)
		}
		_, err = f.Write(r.Data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return res(err)
	case coroutine.FileRename:
		t := filepath.FromSlash(r.Target)
		if r.Replace {
			return res(os.Rename(p, t))
		}
		if err := unix.Renameat2(unix.AT_FDCWD, p, unix.AT_FDCWD, t, unix.RENAME_NOREPLACE); err != nil {
			return res(&os.LinkError{Op: "rename", Old: p, New: t, Err: err})
		}
		return res(nil)
	case coroutine.FileRemove:
		return res(os.Remove(p))
	case coroutine.FileMkdir:
		if r.Recursive {
			return res(os.MkdirAll(p, 0o700))
		}
		err := os.Mkdir(p, 0o700)
		if errors.Is(err, fs.ErrExist) {
			if fi, serr := os.Stat(p); serr == nil && fi.IsDir() {
				err = nil
			}
		}
		return res(err)
	case coroutine.FileRemoveDir:
		if r.Recursive {
			return res(os.RemoveAll(p))
		}
		return res(os.Remove(p))
	case coroutine.FileWatch:
		// Tests answer at once: something may have changed.
		if _, err := os.Stat(p); err != nil {
			return res(err)
		}
		return coroutine.FileResult{Changed: true}
	case coroutine.FileSyncDir:
		f, err := os.Open(p)
		if err != nil {
			return res(err)
		}
		defer f.Close()
		return res(f.Sync())
	}
	return res(errors.ErrUnsupported)
}

// runFiles drives m with d.
func runFiles[R any](ctx context.Context, d fsDriver, m coroutine.FileMachine[R]) (R, error) {
	return coroutine.Run(m, func(reqs []coroutine.FileRequest) []coroutine.FileResult { return d.Do(ctx, reqs) })
}
