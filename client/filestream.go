package client

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Body is the body stream of one file operation (see "Streaming bodies" in
// package coroutine): the sink a FileCopyOut writes to, the source a
// FileCopyIn reads from. The machine never sees them.
type Body struct {
	// Sink receives the bytes of a FileCopyOut or NetSink request (a
	// message being read).
	Sink io.Writer
	// Source gives the bytes of a FileCopyIn or NetSource request (a
	// message being stored or sent); it is read once, to its end.
	Source io.Reader
}

// copyChunk is the buffer a body copy goes through: the only memory a
// streamed body takes in the driver.
const copyChunk = 256 << 10

// errNoBody is the result of a body request run without a Body.
var errNoBody = errors.New("client: file request needs a body stream and the operation has none")

// RunFilesBody drives m like RunFiles, performing its body requests on body.
func RunFilesBody[R any](ctx context.Context, d *FileDriver, m coroutine.FileMachine[R], body Body) (R, error) {
	return runFiles(ctx, d, m, &body)
}

// DoBody performs one batch like Do, with body as the operation's body
// stream, for callers running a machine's loop themselves (an event loop, a
// coroutine.Recorder).
func (d *FileDriver) DoBody(ctx context.Context, reqs []coroutine.FileRequest, body Body) []coroutine.FileResult {
	return d.do(ctx, reqs, &body)
}

// doBody performs the body requests; ok is false for any other request.
func doBody(ctx context.Context, r coroutine.FileRequest, body *Body) (res coroutine.FileResult, ok bool) {
	p := r.Path
	switch r.Op {
	case coroutine.FileCopyOut:
		if body == nil || body.Sink == nil {
			return coroutine.FileResult{Err: errNoBody}, true
		}
		return copyOut(ctx, p, r, body.Sink), true
	case coroutine.FileCopyIn:
		if body == nil || body.Source == nil {
			return coroutine.FileResult{Err: errNoBody}, true
		}
		return copyIn(ctx, p, r, body.Source), true
	case coroutine.FileDigest:
		return copyOut(ctx, p, coroutine.FileRequest{Hash: r.Hash, Limit: r.Limit}, io.Discard), true
	}
	return coroutine.FileResult{}, false
}

// ctxReader ends a copy once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

// sinkError marks an error of the caller's sink, as opposed to the file's.
type sinkError struct{ err error }

func (e sinkError) Error() string { return "writing the message: " + e.err.Error() }
func (e sinkError) Unwrap() error { return e.err }

type sinkWriter struct{ w io.Writer }

func (s sinkWriter) Write(b []byte) (int, error) {
	n, err := s.w.Write(b)
	if err != nil {
		err = sinkError{err}
	}
	return n, err
}

func copyOut(ctx context.Context, p string, r coroutine.FileRequest, sink io.Writer) coroutine.FileResult {
	f, fi, err := openRegular(p)
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	defer f.Close()
	if r.Limit > 0 && fi.Size() > r.Limit {
		return coroutine.FileResult{Size: fi.Size(), Err: fmt.Errorf("%s is %d bytes, more than %d: %w", p, fi.Size(), r.Limit, email.ErrTooLarge)}
	}
	src := io.Reader(ctxReader{ctx, f})
	if r.Limit > 0 {
		src = io.LimitReader(src, r.Limit+1)
	}
	var h hash.Hash
	if r.Hash != nil {
		h = r.Hash(fi.Size())
	}
	n, err := copyHashed(sinkWriter{sink}, src, h, fi.Size())
	res := coroutine.FileResult{Size: n, ModTime: fi.ModTime(), Err: err}
	if err == nil && r.Limit > 0 && n > r.Limit {
		res.Err = fmt.Errorf("%s grew past %d bytes: %w", p, r.Limit, email.ErrTooLarge)
	}
	if h != nil && res.Err == nil {
		res.Sum = h.Sum(nil)
	}
	return res
}

// copyHashed copies src, of about size bytes, to w, writing every byte
// also into h when not nil. A source larger than copyChunk goes through
// two copyChunk buffers, each chunk hashed on a goroutine of its own, so
// that the hash of one chunk runs while w takes it and the next one is
// read: a checksum as slow as FNV-1a then costs little wall time on a
// second core. A smaller one takes one buffer of its size.
func copyHashed(w io.Writer, src io.Reader, h hash.Hash, size int64) (int64, error) {
	if size < copyChunk {
		buf := make([]byte, max(512, size+1)) // +1: the read that sees the end
		if h != nil {
			w = io.MultiWriter(h, w)
		}
		return io.CopyBuffer(w, src, buf)
	}
	if h == nil {
		buf := getChunk()
		defer putChunk(buf)
		return io.CopyBuffer(w, src, buf)
	}
	// Put back last: the deferred wait below runs first, so the hashing
	// goroutine is done with both buffers.
	bufs := [2][]byte{getChunk(), getChunk()}
	defer putChunk(bufs[0])
	defer putChunk(bufs[1])
	chunks := make(chan []byte)
	hashed := make(chan struct{})
	go func() {
		for b := range chunks {
			h.Write(b)
			hashed <- struct{}{}
		}
	}()
	pending := false
	defer func() {
		if pending {
			<-hashed
		}
		close(chunks)
	}()
	// A buffer is read into again two chunks later, once its hash (waited
	// for before the next chunk is handed over) and its write are done.
	var n int64
	for k := 0; ; k++ {
		b := bufs[k%2]
		m, rerr := src.Read(b)
		if m > 0 {
			if pending {
				<-hashed
			}
			chunks <- b[:m]
			pending = true
			if _, err := w.Write(b[:m]); err != nil {
				return n, err
			}
			n += int64(m)
		}
		switch {
		case rerr == io.EOF:
			return n, nil
		case rerr != nil:
			return n, rerr
		}
	}
}

// chunkPool holds copyChunk buffers, so that each streamed add or copy
// does not allocate (and leave to the collector) a quarter of a mebibyte.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, copyChunk); return &b }}

func getChunk() []byte { return *chunkPool.Get().(*[]byte) }

func putChunk(b []byte) { chunkPool.Put(&b) }

// headWriter keeps the first bytes written to it.
type headWriter struct {
	head []byte
	max  int64
}

func (hw *headWriter) Write(b []byte) (int, error) {
	if room := hw.max - int64(len(hw.head)); room > 0 {
		hw.head = append(hw.head, b[:min(int64(len(b)), room)]...)
	}
	return len(b), nil
}

// copyIn creates p from source as FileCopyIn says. With a Hash, the size
// the hash needs first is known before the first byte is hashed: a source
// that ends within the first copyChunk bytes is hashed as it is written;
// a longer one is read back from the file once written, while the file is
// synced (the sync, waiting for the disk, leaves the CPU free), so the
// sum is of the bytes the file holds. Either way the source is read once.
func copyIn(ctx context.Context, p string, r coroutine.FileRequest, source io.Reader) coroutine.FileResult {
	hw := &headWriter{max: r.Head}
	var sum []byte
	var n int64
	src := io.Reader(ctxReader{ctx, source})
	if r.Limit > 0 {
		src = io.LimitReader(src, r.Limit+1)
	}
	perm := r.Perm
	if perm == 0 {
		perm = 0o600
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	first := getChunk()
	defer putChunk(first)
	err = func() error {
		k, err := io.ReadFull(src, first)
		short := err == io.ErrUnexpectedEOF || err == io.EOF
		if !short && err != nil {
			return err
		}
		w := io.MultiWriter(f, hw)
		if _, err := w.Write(first[:k]); err != nil {
			return err
		}
		n = int64(k)
		if !short {
			m, err := io.CopyBuffer(w, src, first)
			n += m
			if err != nil {
				return err
			}
		}
		if r.Limit > 0 && n > r.Limit {
			return fmt.Errorf("message longer than %d bytes: %w", r.Limit, email.ErrTooLarge)
		}
		if !r.ModTime.IsZero() {
			if err := os.Chtimes(p, r.ModTime, r.ModTime); err != nil {
				return err
			}
		}
		if r.Hash == nil {
			return f.Sync()
		}
		h := r.Hash(n)
		if short {
			h.Write(first[:k])
			sum = h.Sum(nil)
			return f.Sync()
		}
		synced := make(chan error, 1)
		go func() { synced <- f.Sync() }()
		rerr := readBack(ctx, p, h, n)
		if err := <-synced; err != nil {
			return err
		}
		if rerr != nil {
			return rerr
		}
		sum = h.Sum(nil)
		return nil
	}()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
		return coroutine.FileResult{Err: err}
	}
	return coroutine.FileResult{Size: n, Data: hw.head, Sum: sum}
}

// readBack hashes the first n bytes of the file p into h.
func readBack(ctx context.Context, p string, h hash.Hash, n int64) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := copyHashed(io.Discard, io.LimitReader(ctxReader{ctx, f}, n), h, n)
	if err == nil && m != n {
		err = fmt.Errorf("%s: %d bytes read back of %d written: %w", p, m, n, io.ErrUnexpectedEOF)
	}
	return err
}

// doBodyNet answers a NetSink or NetSource request from body.
func doBodyNet(req coroutine.NetRequest, body Body, chunk *[]byte) coroutine.NetReply {
	if req.Op == coroutine.NetSource {
		return readSource(body.Source, req.Max, chunk)
	}
	if body.Sink == nil {
		return coroutine.NetReply{Err: errNoBody}
	}
	_, err := body.Sink.Write(req.Data)
	return coroutine.NetReply{Err: err}
}

// readSource answers a NetSource request from src, reading into *buf (made
// on the first call, max bytes or copyChunk when max is 0).
func readSource(src io.Reader, max int, buf *[]byte) coroutine.NetReply {
	if src == nil {
		return coroutine.NetReply{Err: errNoBody}
	}
	if max <= 0 || max > copyChunk {
		max = copyChunk
	}
	if len(*buf) < max {
		*buf = make([]byte, copyChunk)
	}
	for {
		n, err := src.Read((*buf)[:max])
		switch {
		case n > 0:
			return coroutine.NetReply{Data: (*buf)[:n]}
		case err == io.EOF:
			return coroutine.NetReply{EOF: true}
		case err != nil:
			return coroutine.NetReply{Err: fmt.Errorf("client: reading the message: %w", err)}
		}
	}
}
