package main

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"github.com/ioemail/ioemail/bench/internal/harness"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// rawDriver is a prototype of a leaner file driver, for (f): it runs the
// same step machine as (b) with the same parallelism, but a FileRead with a
// small Limit is served by open(2), read(2) and close(2) into a slab reused
// from batch to batch: no os.File (which sets the descriptor non-blocking,
// tries to register it with the poller and sets a finalizer), no fstat
// unless the read filled the limit (a short read gave the whole file), and
// no allocation per file. It leaves FileResult.ModTime unset for those
// reads, which list_envelopes does not use.
type rawDriver struct {
	workers int
	slab    []byte
}

const rawLimit = 64 << 10

func runRaw[R any](d *rawDriver, m coroutine.FileMachine[R]) (R, error) {
	var in []coroutine.FileResult
	for {
		reqs, done := m.Resume(in)
		if done {
			return m.Result()
		}
		in = d.do(reqs)
	}
}

func (d *rawDriver) do(reqs []coroutine.FileRequest) []coroutine.FileResult {
	out := make([]coroutine.FileResult, len(reqs))
	offs := make([]int, len(reqs)+1)
	for i, r := range reqs {
		offs[i+1] = offs[i]
		if r.Op == coroutine.FileRead && r.Limit > 0 && r.Limit <= rawLimit {
			offs[i+1] += int(r.Limit)
		}
	}
	if cap(d.slab) < offs[len(reqs)] {
		d.slab = make([]byte, offs[len(reqs)])
	}
	slab := d.slab[:offs[len(reqs)]]
	_ = harness.Parallel(len(reqs), d.workers, func() struct{} { return struct{}{} }, func(_ struct{}, i int) error {
		r := reqs[i]
		switch {
		case r.Op == coroutine.FileRead && offs[i+1] > offs[i]:
			out[i] = readRaw(r.Path, slab[offs[i]:offs[i+1]])
		case r.Op == coroutine.FileRead:
			b, err := os.ReadFile(r.Path)
			out[i] = coroutine.FileResult{Data: b, Size: int64(len(b)), Err: err}
		case r.Op == coroutine.FileList:
			f, err := os.Open(r.Path)
			if err != nil {
				out[i].Err = err
				return nil
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				out[i].Err = err
				return nil
			}
			des, err := f.ReadDir(-1)
			ents := make([]coroutine.DirEntry, len(des))
			for k, de := range des {
				ents[k] = coroutine.DirEntry{Name: de.Name(), IsDir: de.IsDir()}
			}
			out[i] = coroutine.FileResult{Entries: ents, ModTime: fi.ModTime(), Err: err}
		case r.Op == coroutine.FileStat:
			fi, err := os.Stat(r.Path)
			if err != nil {
				out[i].Err = err
				return nil
			}
			out[i] = coroutine.FileResult{Size: fi.Size(), ModTime: fi.ModTime(), IsDir: fi.IsDir()}
		default:
			out[i].Err = errors.ErrUnsupported
		}
		return nil
	})
	return out
}

func readRaw(path string, buf []byte) coroutine.FileResult {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return coroutine.FileResult{Err: &fs.PathError{Op: "open", Path: path, Err: err}}
	}
	defer syscall.Close(fd)
	n := 0
	for n < len(buf) {
		k, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return coroutine.FileResult{Err: &fs.PathError{Op: "read", Path: path, Err: err}}
		}
		if k == 0 {
			return coroutine.FileResult{Data: buf[:n], Size: int64(n)} // the whole file
		}
		n += k
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return coroutine.FileResult{Err: &fs.PathError{Op: "stat", Path: path, Err: err}}
	}
	return coroutine.FileResult{Data: buf[:n], Size: st.Size}
}

// oursRaw is (f): our list_envelopes machine run by rawDriver.
func oursRaw(s maildir.Store, workers int) (int, error) {
	d := &rawDriver{workers: workers}
	envs, err := runRaw(d, s.ListEnvelopes("INBOX", email.ListOptions{}))
	return len(envs), err
}
