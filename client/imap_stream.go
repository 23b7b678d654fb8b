package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// maxMessage returns the machines' size limit for Options.MaxMessageSize
// (0 for none).
func maxMessage(o *Options) int64 {
	switch n := o.MaxMessageSize; {
	case n == 0:
		return DefaultMaxMessageSize
	case n < 0:
		return 0
	default:
		return n
	}
}

// countingSink counts the bytes its writer took: a call whose sink took
// some cannot be repeated on a new connection.
type countingSink struct {
	w io.Writer
	n int64
}

func (c *countingSink) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return n, err
}

// bodyStarted reports whether the sink of body took a byte.
func bodyStarted(body Body) bool {
	cs, ok := body.Sink.(*countingSink)
	return ok && cs.n > 0
}

// GetMessage copies the raw message into w as it arrives (see
// imap.GetMessage) and returns the byte count. A message over
// Options.MaxMessageSize fails with email.ErrTooLarge before any byte
// reaches w, and the connection stays usable. A write error of w ends the
// call with that error, the connection usable. When the connection breaks
// before w took a byte, the call is repeated on a new one.
func (ic *IMAPClient) GetMessage(ctx context.Context, mailbox, id string, w io.Writer) (int64, error) {
	sink := &countingSink{w: w}
	max := maxMessage(&ic.opts)
	_, err := runIMAPBody(ctx, ic, runSafe, Body{Sink: sink}, func(s *imap.Session) coroutine.NetMachine[int64] {
		return imap.GetMessage(s, mailbox, id, max)
	})
	return sink.n, err
}

// spoolMemory is how much of a message of unknown size AddMessage keeps
// in memory; the rest goes to a temporary file.
const spoolMemory = 1 << 20

// sized is a reader that knows its size.
type sized interface {
	io.ReaderAt
	Size() int64
}

// AddMessage appends the message read from r with flags and returns its
// id ("" when the server does not report it and it cannot be found). The
// APPEND literal needs the size first: an *os.File (a regular file) and a
// reader with Size() int64 and ReadAt (*bytes.Reader, *strings.Reader,
// *io.SectionReader) are sent as they are, from their current offset for a
// file and from the start otherwise; any other reader is read once, its
// first MiB into memory and the rest into a temporary file (removed
// before AddMessage returns), then sent. A message over
// Options.MaxMessageSize fails with email.ErrTooLarge before anything is
// sent.
func (ic *IMAPClient) AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error) {
	fail := func(err error) (string, error) {
		return "", &email.OpError{Backend: "imap", Op: "add_message", Err: err}
	}
	max := maxMessage(&ic.opts)
	src, size, cleanup, err := sizedSource(r, max)
	if err != nil {
		return fail(err)
	}
	defer cleanup()
	if max > 0 && size > max {
		return fail(fmt.Errorf("message of %d bytes, more than the limit of %d: %w", size, max, email.ErrTooLarge))
	}
	return runIMAPBody(ctx, ic, runUnsafe, Body{Source: src}, func(s *imap.Session) coroutine.NetMachine[string] {
		return imap.AddMessageStream(s, mailbox, size, flags, opts...)
	})
}

// sizedSource returns a reader of r's message and its size, spooling r
// when its size is unknown (reading at most max+1 bytes when max > 0), and
// the function that removes the spool.
func sizedSource(r io.Reader, max int64) (io.Reader, int64, func(), error) {
	nop := func() {}
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil {
				n := fi.Size() - off
				return io.LimitReader(f, n), n, nop, nil
			}
		}
	}
	if s, ok := r.(sized); ok {
		return io.NewSectionReader(s, 0, s.Size()), s.Size(), nop, nil
	}
	limit := int64(-1)
	if max > 0 {
		limit = max + 1
	}
	lr := io.Reader(r)
	if limit > 0 {
		lr = io.LimitReader(r, limit)
	}
	// A small first buffer for the common small message, then one of
	// spoolMemory: no doubling.
	mem := make([]byte, 64<<10)
	k, err := io.ReadFull(lr, mem)
	if err == nil {
		mem = append(make([]byte, 0, spoolMemory), mem...)
		var more int
		more, err = io.ReadFull(lr, mem[len(mem):spoolMemory])
		k += more
		mem = mem[:k]
	}
	n := int64(k)
	switch err {
	case io.EOF, io.ErrUnexpectedEOF:
		return bytes.NewReader(mem[:k]), n, nop, nil
	case nil:
	default:
		return nil, 0, nop, fmt.Errorf("reading the message: %w", err)
	}
	tmp, err := os.CreateTemp("", "ioemail-append-*")
	if err != nil {
		return nil, 0, nop, fmt.Errorf("spooling the message: %w", err)
	}
	cleanup := func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	rest, err := io.Copy(tmp, lr)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		cleanup()
		return nil, 0, nop, fmt.Errorf("spooling the message: %w", err)
	}
	return io.MultiReader(bytes.NewReader(mem), tmp), n + rest, cleanup, nil
}

// GetMessages calls fn once for each message of ids found in mailbox, with
// a reader of its raw bytes as they arrive, in the server's order (see
// imap.GetMessages: UID FETCH of up to 500 UIDs per command, pipelined).
// r is valid only during the call and fn need not read it to the end: the
// rest of that message is dropped. An error from fn stops the fetch (the
// bodies of the commands already sent are dropped as they arrive, so the
// connection stays usable) and is returned as is. Ids not found are
// reported after the others: the error then matches email.ErrNotFound
// (errors.Join of one *email.NotFoundError per missing id), joined with an
// error matching email.ErrTooLarge for each message over
// Options.MaxMessageSize (not given to fn). A duplicated id is delivered
// once. When the connection breaks before fn was called, the call is
// repeated on a new one.
func (ic *IMAPClient) GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error {
	max := maxMessage(&ic.opts)
	var pb *pullBatch
	started := &countingSink{w: io.Discard}
	problems, err := runIMAPBody(ctx, ic, runSafe, Body{Sink: started}, func(s *imap.Session) coroutine.NetMachine[[]error] {
		conn := ic.conn
		pb = &pullBatch{m: imap.GetMessages(s, mailbox, ids, max), fn: fn, started: started,
			do: func(req coroutine.NetRequest) coroutine.NetReply { return conn.Do(ctx, req) }}
		return pb
	})
	if pb != nil && pb.fnErr != nil {
		return pb.fnErr
	}
	if err != nil {
		return err
	}
	return errors.Join(problems...)
}

// pullBatch drives an imap.GetMessages machine for GetMessages without a
// goroutine: at the start of each message it calls fn, whose reader
// resumes the machine (performing its reads and writes itself) until the
// next chunk of that message. It is itself a machine, run by RunNetBody,
// so the client's handling of broken connections applies.
type pullBatch struct {
	m       *imap.MessagesMachine
	fn      func(id string, r io.Reader) error
	do      func(coroutine.NetRequest) coroutine.NetReply
	started *countingSink // n > 0 once fn was called
	fnErr   error

	// While fn runs: the reply owed to the machine's last request (a
	// NetSink), the unread part of the current chunk, and, once the
	// message ended, the machine's next request.
	reply    coroutine.NetReply
	chunk    []byte
	ended    bool
	nextReq  coroutine.NetRequest
	nextDone bool
}

// Resume implements coroutine.Machine.
func (p *pullBatch) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	req, done := p.m.Resume(in)
	for !done && req.Op == coroutine.NetSink {
		if len(req.Data) > 0 {
			// A chunk of a message fn is done with.
			req, done = p.m.Resume(coroutine.NetReply{Err: imap.ErrSkipBody})
			continue
		}
		req, done = p.deliver()
	}
	return req, done
}

// deliver calls fn for the message the machine just started, and returns
// the machine's request after it.
func (p *pullBatch) deliver() (coroutine.NetRequest, bool) {
	p.reply, p.chunk, p.ended = coroutine.NetReply{}, nil, false
	p.started.n++
	if err := p.fn(p.m.ID(), (*pullReader)(p)); err != nil && p.fnErr == nil {
		p.fnErr = err
		p.m.Stop()
	}
	if p.ended {
		return p.nextReq, p.nextDone
	}
	return p.m.Resume(coroutine.NetReply{Err: imap.ErrSkipBody})
}

// pullReader is the reader fn gets.
type pullReader pullBatch

func (r *pullReader) Read(b []byte) (int, error) {
	p := (*pullBatch)(r)
	for len(p.chunk) == 0 {
		if p.ended {
			return 0, io.EOF
		}
		req, done := p.m.Resume(p.reply)
		p.reply = coroutine.NetReply{}
		switch {
		case done || (req.Op == coroutine.NetSink && len(req.Data) == 0):
			p.ended, p.nextReq, p.nextDone = true, req, done
			if done {
				if _, err := p.m.Result(); err != nil {
					return 0, err
				}
			}
		case req.Op == coroutine.NetSink:
			p.chunk = req.Data // valid until the machine is resumed
		default:
			p.reply = p.do(req)
		}
	}
	n := copy(b, p.chunk)
	p.chunk = p.chunk[n:]
	return n, nil
}

// Result implements coroutine.Machine.
func (p *pullBatch) Result() ([]error, error) { return p.m.Result() }
