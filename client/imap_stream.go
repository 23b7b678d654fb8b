package client

import (
	"bytes"
	"context"
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
	var mem bytes.Buffer
	n, err := io.CopyN(&mem, lr, spoolMemory)
	if err == io.EOF {
		return bytes.NewReader(mem.Bytes()), n, nop, nil
	}
	if err != nil {
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
	return io.MultiReader(bytes.NewReader(mem.Bytes()), tmp), n + rest, cleanup, nil
}
