package client

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// The bounds of a batch get's read-ahead (FileDriver.getEach): at most
// readAheadFiles messages are open or held ahead of the one being
// delivered, and only those of at most readAheadSmall bytes are read
// whole ahead of their turn (into buffers reused from one message to the
// next); larger ones are opened ahead and streamed through the copy
// buffer when their turn comes. So the memory of a batch get is at most
// readAheadFiles*readAheadSmall (4 MiB) plus one copy buffer, whatever the
// number and size of the messages.
const (
	readAheadFiles = 8
	readAheadSmall = 512 << 10
)

// batchItem is one message of a batch get.
type batchItem struct {
	id string
	// req is the FileCopyOut request reading it: Path, Limit, Hash.
	req coroutine.FileRequest
	// verify, when not nil, checks the Sum of the bytes read: its error
	// is what the reader handed to fn returns instead of io.EOF.
	verify func(sum []byte) error
}

// batchSlot is what the read-ahead prepared for one item.
type batchSlot struct {
	ready chan struct{}
	data  []byte   // a small message, read whole into a pooled buffer
	f     *os.File // a large one, open, read on delivery
	size  int64
	verr  error // a small message's verify error
	err   error // opening or reading it failed (nothing delivered)
}

// getEach reads the files of items ahead, in parallel on up to
// readAheadFiles goroutines (fewer when the driver has fewer workers),
// and calls fn for each in the order of items, one at a time, on the
// calling goroutine, with a reader valid during the call. A file that no
// longer exists goes to vanished instead (which may look for it again).
// It stops at the first error: fn's as is; a failure that fn saw through
// its reader (a checksum mismatch, a file grown past its limit) even when
// fn returned nil; the error of opening a file.
func (d *FileDriver) getEach(ctx context.Context, items []batchItem, fn func(id string, r io.Reader) error, vanished func(id string) error) error {
	if len(items) == 0 {
		return ctx.Err()
	}
	slots := make([]batchSlot, len(items))
	for i := range slots {
		slots[i].ready = make(chan struct{})
	}
	ahead := min(readAheadFiles, d.workers, len(items))
	tokens := make(chan struct{}, ahead)
	free := make(chan []byte, ahead)
	quit := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range ahead {
		wg.Go(func() {
			for {
				select {
				case tokens <- struct{}{}:
				case <-quit:
					return
				}
				i := int(next.Add(1) - 1)
				if i >= len(items) {
					return
				}
				var buf []byte
				select {
				case buf = <-free:
				default:
				}
				prepare(ctx, items[i], &slots[i], buf)
				close(slots[i].ready)
			}
		})
	}
	delivered := 0
	defer func() {
		close(quit)
		wg.Wait()
		for i := delivered; i < len(slots); i++ {
			if slots[i].f != nil {
				slots[i].f.Close()
			}
		}
	}()
	for i, it := range items {
		s := &slots[i]
		<-s.ready
		err := deliver(ctx, it, s, fn, vanished)
		if s.f != nil {
			s.f.Close()
		}
		if s.data != nil {
			free <- s.data[:0]
		}
		delivered = i + 1
		<-tokens
		if err != nil {
			return err
		}
	}
	return nil
}

// prepare opens the file of it and, when small, reads it whole into buf
// (grown as needed) and checks it.
func prepare(ctx context.Context, it batchItem, s *batchSlot, buf []byte) {
	if err := ctx.Err(); err != nil {
		s.err = err
		return
	}
	f, fi, err := openRegular(it.req.Path)
	if err != nil {
		s.err = err
		return
	}
	s.size = fi.Size()
	if it.req.Limit > 0 && s.size > it.req.Limit {
		f.Close()
		s.err = fmt.Errorf("%s is %d bytes, more than %d: %w", it.req.Path, s.size, it.req.Limit, email.ErrTooLarge)
		return
	}
	if s.size > readAheadSmall {
		s.f = f
		return
	}
	if int64(cap(buf)) < s.size {
		buf = make([]byte, s.size, readAheadSmall)
	}
	buf = buf[:s.size]
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil // it shrank meanwhile: keep what was there
	}
	var one [1]byte
	if err == nil && n == len(buf) {
		if k, _ := f.Read(one[:]); k > 0 {
			// It grew since the stat: stream it from the start.
			if _, err = f.Seek(0, io.SeekStart); err == nil {
				s.f, s.size = f, -1
				return
			}
		}
	}
	f.Close()
	if err != nil {
		s.err = err
		return
	}
	s.data = buf[:n]
	s.size = int64(n)
	if it.req.Hash != nil && it.verify != nil {
		h := it.req.Hash(s.size)
		h.Write(s.data)
		s.verr = it.verify(h.Sum(nil))
	}
}

// deliver hands the prepared message to fn, or to vanished.
func deliver(ctx context.Context, it batchItem, s *batchSlot, fn func(string, io.Reader) error, vanished func(string) error) error {
	if errors.Is(s.err, fs.ErrNotExist) {
		return vanished(it.id)
	}
	if s.err != nil {
		return fmt.Errorf("reading message %q: %w", it.id, s.err)
	}
	r := &batchReader{}
	if s.f != nil {
		r.src = ctxReader{ctx, s.f}
		if it.req.Limit > 0 {
			r.src = io.LimitReader(r.src, it.req.Limit+1)
		}
		r.limit, r.path = it.req.Limit, it.req.Path
		if it.req.Hash != nil && it.verify != nil {
			r.h, r.verify = it.req.Hash(s.size), it.verify
		}
	} else {
		r.data, r.endErr = s.data, s.verr
	}
	if err := fn(it.id, r); err != nil {
		return err
	}
	return r.failed
}

// batchReader is the reader fn gets: a small message's bytes, or a large
// one's file through its hash; at the end it returns the message's verify
// error instead of io.EOF.
type batchReader struct {
	data   []byte
	src    io.Reader
	h      hash.Hash
	verify func([]byte) error
	limit  int64
	path   string
	n      int64
	endErr error
	done   bool
	// failed is the error the reader returned, if any, other than io.EOF.
	failed error
}

func (r *batchReader) Read(b []byte) (int, error) {
	if r.done {
		return 0, r.end()
	}
	if r.src == nil {
		if len(r.data) == 0 {
			r.done = true
			return 0, r.end()
		}
		n := copy(b, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	n, err := r.src.Read(b)
	r.n += int64(n)
	if r.h != nil {
		r.h.Write(b[:n])
	}
	switch {
	case r.limit > 0 && r.n > r.limit:
		r.done = true
		r.endErr = fmt.Errorf("%s grew past %d bytes: %w", r.path, r.limit, email.ErrTooLarge)
		return 0, r.end()
	case err == io.EOF:
		r.done = true
		if r.h != nil {
			r.endErr = r.verify(r.h.Sum(nil))
		}
		if n > 0 {
			return n, nil
		}
		return 0, r.end()
	case err != nil:
		r.done, r.endErr = true, err
		return n, r.end()
	}
	return n, nil
}

// WriteTo writes the rest of the message to w (io.Copy calls it, so a
// small message is written from the read-ahead buffer without a copy
// buffer of the caller's). It returns the message's error, if any, as
// Read does at the end (never io.EOF).
func (r *batchReader) WriteTo(w io.Writer) (int64, error) {
	if r.src == nil && !r.done {
		k, err := w.Write(r.data)
		r.data = r.data[k:]
		if err != nil {
			return int64(k), err
		}
		r.done = true
		return int64(k), r.endOrNil()
	}
	var n int64
	buf := make([]byte, 32<<10)
	for {
		k, err := r.Read(buf)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// endOrNil is end without io.EOF.
func (r *batchReader) endOrNil() error {
	if err := r.end(); err != io.EOF {
		return err
	}
	return nil
}

// end is what the reader returns once done: the message's error, or
// io.EOF.
func (r *batchReader) end() error {
	if r.endErr != nil {
		r.failed = r.endErr
		return r.endErr
	}
	return io.EOF
}

// envelopeStream is a file machine that produces envelopes as it goes
// (maildir.EnvelopeStream, m2dir.EnvelopeStream).
type envelopeStream interface {
	coroutine.FileMachine[int]
	// Envelopes returns the envelopes produced since the last call.
	Envelopes() []email.Envelope
}

// runEach drives m with d like RunFiles, handing the envelopes it produces
// to fn after each step, before the next batch is performed. An error from
// fn ends the run and is returned as is; the machine's own is wrapped in an
// *email.OpError of backend unless it is one already.
func runEach(ctx context.Context, d *FileDriver, m envelopeStream, fn func(email.Envelope) error, backend string) error {
	var in []coroutine.FileResult
	for range coroutine.MaxSteps {
		reqs, done := m.Resume(in)
		for _, e := range m.Envelopes() {
			if err := fn(e); err != nil {
				return err
			}
		}
		if done {
			_, err := m.Result()
			var op *email.OpError
			if err != nil && !errors.As(err, &op) {
				err = &email.OpError{Backend: backend, Op: "each_envelope", Err: err}
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		in = d.Do(ctx, reqs)
	}
	return coroutine.ErrTooManySteps
}
