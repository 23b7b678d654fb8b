package client

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// NetConn is a stream connection that network step machines run on. It
// performs their write, read and STARTTLS requests with deadlines taken
// from the context of each call.
type NetConn struct {
	conn    net.Conn
	tlsConf *tls.Config
	// small is the connection's own read buffer; big, taken from bigBufs
	// when a read fills small, serves reads while responses are large and
	// goes back to the pool before a waiting read (IDLE) and at the end
	// of each run, so an idle connection holds only small.
	small  []byte
	big    *[]byte
	secure bool
	trace  *wireTrace
	// ios counts the reads, writes and handshakes attempted: a run that
	// ends unfinished after one of them may have left the stream out of
	// step (a TLS connection whose write timed out fails every later
	// write).
	ios uint64
	// wake asks the current or next NetRead with a Wait to time out; see
	// Wake.
	wake atomic.Bool
}

// NewNetConn wraps an established connection. secure says whether it is
// already encrypted (implicit TLS); tlsConf is used for STARTTLS.
func NewNetConn(conn net.Conn, tlsConf *tls.Config, secure bool) *NetConn {
	return &NetConn{conn: conn, tlsConf: tlsConf, small: make([]byte, smallRead), secure: secure}
}

// Read buffer sizes: every connection has a small one; a read that fills
// it moves the connection to a big one from a pool shared by all
// connections.
const (
	smallRead = 1 << 10
	bigRead   = 32 << 10
)

var bigBufs = sync.Pool{New: func() any { b := make([]byte, bigRead); return &b }}

// readBuf returns the buffer for the next read: the big one while it is
// held, else the small one. A read with a wait (IDLE, where the
// connection may sit for minutes) gives the big one back first.
func (c *NetConn) readBuf(wait time.Duration) []byte {
	if wait > 0 {
		c.release()
	}
	if c.big != nil {
		return *c.big
	}
	return c.small
}

// grow takes a big buffer for the next read after a read filled the small
// one.
func (c *NetConn) grow(n int) {
	if c.big == nil && n == len(c.small) {
		c.big = bigBufs.Get().(*[]byte)
	}
}

// release gives the big buffer back to the pool. The data of the last
// read is no longer valid afterwards.
func (c *NetConn) release() {
	if c.big != nil {
		bigBufs.Put(c.big)
		c.big = nil
	}
}

// Dial connects to addr ("host:port") with opts.Dialer (a net.Dialer when
// nil); with implicitTLS the connection is wrapped in TLS at once, using
// opts.TLSConfig. The TLS configuration is kept for STARTTLS.
func Dial(ctx context.Context, addr string, opts *Options, implicitTLS bool) (*NetConn, error) {
	o := opts.get()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	conn, err := o.dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	cfg := o.tlsConfig(host)
	if implicitTLS {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return NewNetConn(tc, cfg, true), nil
	}
	return NewNetConn(conn, cfg, false), nil
}

// Secure reports whether the connection is encrypted.
func (c *NetConn) Secure() bool { return c.secure }

// ConnectionState returns the TLS state of the connection (protocol
// version, cipher suite, the server's verified certificate chain) and
// true, or false when it is not encrypted.
func (c *NetConn) ConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Close closes the connection.
func (c *NetConn) Close() error { return c.conn.Close() }

// RunNet drives m to completion on c. Events the machine yields are passed
// to onEvent (which may be nil); an error from onEvent ends the run with
// that error. Cancelling ctx interrupts a blocked read or write.
func RunNet[R any](ctx context.Context, c *NetConn, m coroutine.NetMachine[R], onEvent func(email.WatchEvent) error) (R, error) {
	return RunNetBody(ctx, c, m, onEvent, Body{})
}

// RunNetBody is RunNet for an operation with a body stream: NetSink
// requests write to body.Sink, NetSource requests read body.Source (see
// "Streaming bodies" in package coroutine).
func RunNetBody[R any](ctx context.Context, c *NetConn, m coroutine.NetMachine[R], onEvent func(email.WatchEvent) error, body Body) (R, error) {
	var zero R
	var chunk []byte // the source's buffer, made on the first NetSource
	// Cancelling ctx sets a past deadline, waking a blocked read or write.
	// If the function has started when the run ends, wait for it: it must
	// not reach the connection after RunNet has returned, when another
	// call may be using it (every call sets its own deadlines, so a past
	// one left behind is harmless once the function is done).
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
		}
	}()
	// The connection waits for the next call with its small buffer only.
	defer c.release()
	var in coroutine.NetReply
	for range coroutine.MaxSteps {
		req, done := m.Resume(in)
		if done {
			return m.Result()
		}
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		if req.Op == coroutine.NetEvent {
			in = coroutine.NetReply{}
			if onEvent != nil && req.Event != nil {
				if err := onEvent(*req.Event); err != nil {
					return zero, err
				}
			}
			continue
		}
		if req.Op == coroutine.NetSink || req.Op == coroutine.NetSource {
			// Body requests: their errors are the machine's to handle.
			in = doBodyNet(req, body, &chunk)
			continue
		}
		if in = c.Do(ctx, req); in.Err != nil {
			return zero, in.Err
		}
	}
	return zero, coroutine.ErrTooManySteps
}

// Do performs one request of a network machine on c and returns the reply
// to resume the machine with: for NetWrite it writes all of req.Data; for
// NetRead it reads what is available into a buffer of c (valid until the
// next call), reporting EOF, or TimedOut when req.Wait passed without a
// byte; for NetStartTLS it runs the TLS handshake with the configuration
// given to NewNetConn or Dial and goes on over TLS; a NetEvent is answered
// with an empty reply (the event is the caller's to handle). Deadlines come
// from ctx (and req.Wait), but Do does not watch ctx for cancellation while
// it blocks: RunNet does, or a caller's loop may close c. An I/O failure
// is in the reply's Err, the context's error when ctx ended it; the
// connection is then unusable. It is the step RunNet repeats, for callers
// who drive machines from a loop of their own.
func (c *NetConn) Do(ctx context.Context, req coroutine.NetRequest) coroutine.NetReply {
	var in coroutine.NetReply
	switch req.Op {
	case coroutine.NetWrite:
		c.ios++
		c.setDeadline(ctx, 0, c.conn.SetWriteDeadline)
		// Checked after the deadline is set: a cancellation that wakes
		// the connection from another goroutine (as RunNet's does) after
		// this point is not undone by it.
		if err := ctx.Err(); err != nil {
			in.Err = err
			break
		}
		c.trace.sent(req.Data)
		if _, err := c.conn.Write(req.Data); err != nil {
			in.Err = ctxErr(ctx, err)
		}
	case coroutine.NetRead:
		c.ios++
		c.setDeadline(ctx, req.Wait, c.conn.SetReadDeadline)
		if err := ctx.Err(); err != nil {
			in.Err = err
			break
		}
		if req.Wait > 0 && c.wake.Swap(false) {
			in.TimedOut = true
			break
		}
		buf := c.readBuf(req.Wait)
		n, err := c.conn.Read(buf)
		switch {
		case n > 0:
			in.Data = buf[:n]
			c.grow(n)
			c.trace.received(in.Data)
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded) && req.Wait > 0 && !ctxEnded(ctx):
			c.wake.Store(false)
			in.TimedOut = true
		case isEOF(err):
			in.EOF = true
		default:
			in.Err = ctxErr(ctx, err)
		}
	case coroutine.NetStartTLS:
		if c.secure {
			in.Err = errors.New("client: STARTTLS on an encrypted connection")
			break
		}
		c.ios++
		tc := tls.Client(c.conn, c.tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			in.Err = ctxErr(ctx, err)
			break
		}
		c.conn, c.secure = tc, true
	case coroutine.NetEvent:
	default:
		in.Err = errors.New("client: invalid network request")
	}
	return in
}

// Wake makes a NetRead with a Wait that Do is performing, or the next one,
// return TimedOut at once. A watch machine (imap.WatchMailbox) asks its
// Stopped function on every timed-out read, so a loop that wants a watch
// to end sets what Stopped reports, then calls Wake. Call it from the loop
// that resumes the machine, or make sure it returns before the machine is
// resumed with the timed-out reply (a late call could cut a later read).
func (c *NetConn) Wake() {
	c.wake.Store(true)
	c.conn.SetReadDeadline(time.Unix(1, 0))
}

// setDeadline sets the earlier of ctx's deadline and now+wait, or none.
func (c *NetConn) setDeadline(ctx context.Context, wait time.Duration, set func(time.Time) error) {
	dl, ok := ctx.Deadline()
	if wait > 0 {
		w := time.Now().Add(wait)
		if !ok || w.Before(dl) {
			dl, ok = w, true
		}
	}
	if !ok {
		dl = time.Time{}
	}
	set(dl)
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}

// ctxEnded reports whether ctx is done or its deadline has passed (the
// connection deadline copies the context's, and may fire a moment before
// the context itself reports it).
func ctxEnded(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// ctxErr prefers the context's error when the context ended the I/O.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, os.ErrDeadlineExceeded) && ctxEnded(ctx) {
		return context.DeadlineExceeded
	}
	return err
}

// tracked records whether its machine finished.
type tracked[R any] struct {
	m    coroutine.NetMachine[R]
	done bool
}

func (t *tracked[R]) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	req, done := t.m.Resume(in)
	t.done = done
	return req, done
}

func (t *tracked[R]) Result() (R, error) { return t.m.Result() }
