//go:build unix

package client

import (
	"errors"
	"io/fs"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ioemail/ioemail/coroutine"
)

// readHead reads at most limit bytes of the file p with plain system calls:
// os.Open would register the descriptor with the poller and set a finalizer
// for every one of the many small files a listing reads. The bytes are
// copied into the worker's arena, so a batch costs a few large allocations
// instead of one per file.
func (w *fileWorker) readHead(p string, limit int64) coroutine.FileResult {
	fd, err := openRead(p)
	if err != nil {
		return coroutine.FileResult{Err: &fs.PathError{Op: "open", Path: p, Err: err}}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return coroutine.FileResult{Err: &fs.PathError{Op: "stat", Path: p, Err: err}}
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return coroutine.FileResult{Err: &fs.PathError{Op: "read", Path: p, Err: errIsDir}}
	}
	want := min(limit, max(st.Size, 0))
	if int64(cap(w.scratch)) < limit {
		w.scratch = make([]byte, limit)
	}
	buf := w.scratch[:limit]
	n := 0
	for int64(n) < want {
		k, err := unix.Read(fd, buf[n:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return coroutine.FileResult{Err: &fs.PathError{Op: "read", Path: p, Err: err}}
		}
		if k == 0 {
			break // the file shrank meanwhile: keep what was there
		}
		n += k
	}
	return coroutine.FileResult{
		Data:    w.keep(buf[:n]),
		Size:    max(st.Size, int64(n)),
		ModTime: time.Unix(st.Mtim.Unix()),
	}
}

func openRead(p string) (int, error) {
	for {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}
