//go:build unix

package client

import (
	"errors"
	"io/fs"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ioemail/ioemail/coroutine"
)

// readHead reads at most r.Limit bytes of the file p with plain system
// calls: os.Open would register the descriptor with the poller and set a
// finalizer for every one of the many small files a listing reads. The
// file is opened relative to its directory, which the worker opens once
// per batch (openat: no walk of the whole path per file), read into the
// worker's scratch buffer, and stated once for its size and modification
// time. The request's Digest runs on the scratch bytes; the bytes are
// copied into the worker's arena only when the result must carry them
// (no Digest, or not DigestOnly), so a batch costs a few large
// allocations instead of one per file, or none.
func (w *fileWorker) readHead(p string, r coroutine.FileRequest) coroutine.FileResult {
	fd, err := w.open(p)
	if err != nil {
		return coroutine.FileResult{Err: &fs.PathError{Op: "open", Path: p, Err: err}}
	}
	defer unix.Close(fd)
	limit := r.Limit
	if int64(cap(w.scratch)) < limit {
		w.scratch = make([]byte, limit)
	}
	buf := w.scratch[:limit]
	n, err := readFull(fd, buf)
	if errors.Is(err, unix.EISDIR) {
		return coroutine.FileResult{Err: &fs.PathError{Op: "read", Path: p, Err: errIsDir}}
	}
	if err != nil {
		return coroutine.FileResult{Err: &fs.PathError{Op: "read", Path: p, Err: err}}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return coroutine.FileResult{Err: &fs.PathError{Op: "stat", Path: p, Err: err}}
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return coroutine.FileResult{Err: &fs.PathError{Op: "read", Path: p, Err: errIsDir}}
	}
	res := coroutine.FileResult{
		Size:    max(st.Size, int64(n)),
		ModTime: time.Unix(st.Mtim.Unix()),
	}
	if r.Digest != nil {
		res.Digest = r.Digest(buf[:n], res.Size)
	}
	if r.Digest == nil || !r.DigestOnly {
		res.Data = w.keep(buf[:n])
	}
	return res
}

// readFull reads into buf until it is full or the file ends: a short read
// of a regular file is its end, so a head that holds the whole file costs
// one read.
func readFull(fd int, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := unix.Read(fd, buf[n:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return n, err
		}
		if k == 0 {
			break
		}
		n += k
		if n < len(buf) {
			break // short read: the file ended (or shrank meanwhile)
		}
	}
	return n, nil
}

// open opens p for reading, relative to its directory's descriptor when
// the worker could open that directory, else by its full path.
func (w *fileWorker) open(p string) (int, error) {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 || i == len(p)-1 {
		return openRead(unix.AT_FDCWD, p)
	}
	if dfd := w.dir(p[:i]); dfd >= 0 {
		return openRead(dfd, p[i+1:])
	}
	return openRead(unix.AT_FDCWD, p)
}

// dir returns the descriptor of the directory d, opening it on first use
// in the batch; -1 when it cannot be opened (the caller then opens by the
// full path, whose error names the actual failure).
func (w *fileWorker) dir(d string) int {
	for _, od := range w.dirs {
		if od.path == d {
			return od.fd
		}
	}
	fd, err := openFlags(unix.AT_FDCWD, d, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		fd = -1
	}
	if len(w.dirs) == maxDirs {
		if old := w.dirs[0].fd; old >= 0 {
			unix.Close(old)
		}
		w.dirs = w.dirs[1:]
	}
	w.dirs = append(w.dirs, openDir{path: d, fd: fd})
	return fd
}

// close releases the directories the worker opened.
func (w *fileWorker) close() {
	for _, od := range w.dirs {
		if od.fd >= 0 {
			unix.Close(od.fd)
		}
	}
	w.dirs = nil
}

func openRead(dirfd int, p string) (int, error) {
	return openFlags(dirfd, p, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY)
}

func openFlags(dirfd int, p string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, p, flags, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}
