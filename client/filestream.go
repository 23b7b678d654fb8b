package client

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

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
	var h hash.Hash
	w := io.Writer(sinkWriter{sink})
	if r.Hash != nil {
		h = r.Hash(fi.Size())
		w = io.MultiWriter(h, w)
	}
	src := io.Reader(ctxReader{ctx, f})
	if r.Limit > 0 {
		src = io.LimitReader(src, r.Limit+1)
	}
	n, err := io.CopyBuffer(w, src, make([]byte, copyChunk))
	res := coroutine.FileResult{Size: n, ModTime: fi.ModTime(), Err: err}
	if err == nil && r.Limit > 0 && n > r.Limit {
		res.Err = fmt.Errorf("%s grew past %d bytes: %w", p, r.Limit, email.ErrTooLarge)
	}
	if h != nil && res.Err == nil {
		res.Sum = h.Sum(nil)
	}
	return res
}

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

func copyIn(ctx context.Context, p string, r coroutine.FileRequest, source io.Reader) coroutine.FileResult {
	hw := &headWriter{max: r.Head}
	var h hash.Hash
	var n int64
	err := createSynced(p, r.Perm, r.ModTime, func(f *os.File) error {
		ws := []io.Writer{f, hw}
		if r.Hash != nil {
			h = r.Hash(-1)
			ws = append(ws, h)
		}
		src := io.Reader(ctxReader{ctx, source})
		if r.Limit > 0 {
			src = io.LimitReader(src, r.Limit+1)
		}
		var err error
		n, err = io.CopyBuffer(io.MultiWriter(ws...), src, make([]byte, copyChunk))
		if err == nil && r.Limit > 0 && n > r.Limit {
			err = fmt.Errorf("message longer than %d bytes: %w", r.Limit, email.ErrTooLarge)
		}
		return err
	})
	if err != nil {
		return coroutine.FileResult{Err: err}
	}
	res := coroutine.FileResult{Size: n, Data: hw.head}
	if h != nil {
		res.Sum = h.Sum(nil)
	}
	return res
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
