package jmap

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap/internal/http1"
)

// ErrConnClosed is the transport error a machine lowered by OverNet gets
// when the server closed the connection (or said it would) and the
// machine asks for another exchange. It matches ErrTransport and
// email.ErrProtocol.
var ErrConnClosed = fmt.Errorf("jmap: HTTP connection closed by the server: %w: %w", ErrTransport, email.ErrProtocol)

// ErrOtherOrigin is the transport error of an exchange whose URL is not on
// the origin of the connection OverNet speaks on. It matches
// email.ErrUnsupported.
var ErrOtherOrigin = fmt.Errorf("jmap: request to another origin than the connection's: %w", email.ErrUnsupported)

// OverNet lowers the JMAP machine m to the network vocabulary: each
// exchange m asks for becomes an HTTP/1.1 request written on one
// connection to origin ("http://host:port" or "https://host:port"; the
// driver owns the socket and the TLS), and the bytes read are parsed into
// its Response (Content-Length, chunked or until end of stream, 1xx
// skipped), bounded by the request's Limit. Connections are kept alive
// between exchanges. Transport failures reach m as Response.Err, as
// package client's driver reports them: an exchange for another origin
// gets ErrOtherOrigin, one after the server closed the connection
// ErrConnClosed, a read or write error of the driver (a reset) an error
// matching ErrTransport and that error, malformed or truncated framing an
// error matching ErrTransport and email.ErrProtocol.
//
// Bodies stream as Request.StreamBody and SourceBody say, through the
// body requests of package coroutine: the pieces of a streamed response
// body go to the sink as NetSink requests as they are read (Content-Length,
// chunked or until end of stream), never more than one read of them held;
// a body from the source is asked for with NetSource, chunk by chunk,
// passed through the request's transform and written chunked. An error of
// the sink or the source reaches m as it is; the connection is then closed
// for later exchanges (the response was left unread, or the request
// unfinished), as it is after an upload refused at its SourceLimit.
//
// The requests that are not exchanges are lowered too: a pause (Method
// empty, Wait set, as Fetch asks after a 429 or 503 with Retry-After, and
// a polling watch between polls) becomes a NetRead with that Wait, an
// Event a NetEvent.
func OverNet[R any](m Machine[R], origin string) coroutine.NetMachine[R] {
	o := &overNet[R]{m: m}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		o.bad = fmt.Errorf("jmap: origin %q: %w", origin, email.ErrInvalidArgument)
	} else {
		o.origin = originOf(u)
	}
	return o
}

type netState uint8

const (
	netIdle      netState = iota // resume the JMAP machine
	netWriting                   // the last write of a request was asked for
	netReading                   // waiting for response bytes
	netPausing                   // a Wait the machine asked for
	netSourceOut                 // a write of a request's head or a body chunk
	netSourcing                  // a NetSource for the next chunk of the body
	netSinking                   // a NetSink of a piece of the response body
)

// sourceChunk is the most a NetSource asks for at once.
const sourceChunk = 64 << 10

type overNet[R any] struct {
	m      Machine[R]
	origin string
	bad    error
	st     netState
	resp   Response
	p      *http1.Parser
	rest   []byte // bytes read past the last response
	closed bool
	done   bool
	buf    []byte // the bytes of the write in flight

	in  []byte // the bytes read, copied, while they are parsed
	off int    // how far in is parsed

	// The body of a request with SourceBody.
	tr    Transform
	limit int64
	sent  int64
	out   []byte // the transform's output for one chunk
}

func (o *overNet[R]) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if o.done {
		return coroutine.NetRequest{}, true
	}
	for {
		switch o.st {
		case netIdle:
			req, done := o.m.Resume(o.resp)
			o.resp = Response{}
			if done {
				o.done = true
				return coroutine.NetRequest{}, true
			}
			switch {
			case req.Event != nil:
				return coroutine.NetRequest{Op: coroutine.NetEvent, Event: req.Event}, false
			case req.Method == "" && req.Wait > 0:
				o.st = netPausing
				return coroutine.NetRequest{Op: coroutine.NetRead, Wait: req.Wait}, false
			}
			if err := o.start(req); err != nil {
				o.resp = Response{Err: err}
				continue
			}
			if req.SourceBody {
				o.st = netSourceOut
			} else {
				o.st = netWriting
			}
			return coroutine.Write(o.buf), false
		case netPausing:
			// The pause ended; bytes the server sent meanwhile belong to
			// no request and fail the next exchange's framing.
			o.st = netIdle
			switch {
			case in.Err != nil || in.EOF:
				o.closed = true
			case len(in.Data) > 0:
				o.rest = append(o.rest, in.Data...)
			}
			in = coroutine.NetReply{}
		case netSourceOut:
			if in.Err != nil {
				o.fail(in.Err)
				continue
			}
			o.st = netSourcing
			return coroutine.Source(sourceChunk), false
		case netSourcing:
			if req, ok := o.source(in); ok {
				return req, false
			}
		case netWriting:
			if in.Err != nil {
				o.fail(in.Err)
				continue
			}
			o.st = netReading
			o.in, o.off = append(o.in[:0], o.rest...), 0
			o.rest = nil
			if req, ok := o.pump(); ok {
				return req, false
			}
		case netReading:
			switch {
			case in.Err != nil:
				o.fail(in.Err)
				continue
			case in.EOF:
				o.closed = true
				if err := o.p.EOF(); err != nil {
					o.fail(err)
					continue
				}
				o.finish()
				continue
			}
			o.in, o.off = append(o.in[:0], in.Data...), 0
			if req, ok := o.pump(); ok {
				return req, false
			}
		case netSinking:
			if in.Err != nil {
				// The caller's sink failed: its error, as it is; the rest
				// of the response is never read.
				o.closed = true
				o.resp = Response{Err: in.Err}
				o.p, o.st = nil, netIdle
				continue
			}
			if req, ok := o.pump(); ok {
				return req, false
			}
		}
	}
}

// pump parses the bytes read and not yet parsed. It returns the next
// request (a read, or a sink of a body piece) and true, or false when the
// exchange ended (done or failed) and the JMAP machine must be resumed.
func (o *overNet[R]) pump() (coroutine.NetRequest, bool) {
	for {
		if o.p.Done() {
			// Checked first: the last piece of a body ends the response.
			if o.off < len(o.in) {
				o.rest = append([]byte(nil), o.in[o.off:]...)
			}
			o.finish()
			return coroutine.NetRequest{}, false
		}
		if o.off == len(o.in) {
			o.st = netReading
			return coroutine.Read(), true
		}
		n, err := o.p.Feed(o.in[o.off:])
		o.off += n
		if err != nil {
			o.closed = true
			o.fail(err)
			return coroutine.NetRequest{}, false
		}
		if piece := o.p.Piece(); len(piece) > 0 {
			o.st = netSinking
			return coroutine.Sink(piece), true
		}
	}
}

// source handles the reply to a NetSource: it returns the write of the
// chunk made of it (or of the end of the body) and true, or false when
// the exchange failed.
func (o *overNet[R]) source(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	switch {
	case in.Err != nil:
		// The caller's source failed: its error, as it is. The request
		// is left unfinished, so the connection is done.
		o.closed = true
		o.resp = Response{Err: in.Err}
		o.p, o.st = nil, netIdle
		return coroutine.NetRequest{}, false
	case in.EOF:
		o.out = o.out[:0]
		if o.tr != nil {
			o.out = o.tr.Flush(o.out)
		}
		if !o.count() {
			return coroutine.NetRequest{}, false
		}
		o.buf = http1.AppendLastChunk(http1.AppendChunk(o.buf[:0], o.out))
		o.st = netWriting
		return coroutine.Write(o.buf), true
	}
	if o.tr != nil {
		o.out = o.tr.Append(o.out[:0], in.Data)
	} else {
		o.out = append(o.out[:0], in.Data...)
	}
	if !o.count() {
		return coroutine.NetRequest{}, false
	}
	if len(o.out) == 0 {
		return coroutine.Source(sourceChunk), true
	}
	o.buf = http1.AppendChunk(o.buf[:0], o.out)
	o.st = netSourceOut
	return coroutine.Write(o.buf), true
}

// count adds the chunk in o.out to the bytes sent; it fails the exchange
// and reports false when that passes the request's SourceLimit.
func (o *overNet[R]) count() bool {
	o.sent += int64(len(o.out))
	if o.limit > 0 && o.sent > o.limit {
		o.closed = true
		o.resp = Response{Err: fmt.Errorf("jmap: request body over %d bytes: %w", o.limit, email.ErrTooLarge)}
		o.p, o.st = nil, netIdle
		return false
	}
	return true
}

// start encodes req (its head only when the body comes from the source);
// it fails for another origin or a closed connection.
func (o *overNet[R]) start(req Request) error {
	if o.bad != nil {
		return o.bad
	}
	if o.closed {
		return ErrConnClosed
	}
	u, err := url.Parse(req.URL)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("jmap: request URL is not absolute: %w", email.ErrInvalidArgument)
	}
	if originOf(u) != o.origin {
		return ErrOtherOrigin
	}
	target := u.RequestURI()
	o.tr, o.limit, o.sent = nil, 0, 0
	if req.SourceBody {
		o.buf, err = http1.AppendChunkedRequest(o.buf[:0], req.Method, target, u.Host, req.Header)
		if req.SourceTransform != nil {
			o.tr = req.SourceTransform()
		}
		o.limit = req.SourceLimit
	} else {
		o.buf, err = http1.AppendRequest(o.buf[:0], req.Method, target, u.Host, req.Header, req.Body)
	}
	if err != nil {
		return err
	}
	if req.StreamBody {
		o.p = http1.NewStreamParser(req.Limit(), req.Method == "HEAD")
	} else {
		o.p = http1.NewParser(req.Limit(), req.Method == "HEAD")
	}
	return nil
}

func (o *overNet[R]) finish() {
	h := make(Header, len(o.p.Header))
	for k, v := range o.p.Header {
		h[CanonicalName(k)] = v
	}
	if !o.p.KeepAlive() {
		o.closed = true
	}
	o.resp = Response{Status: o.p.Status, Header: h, Body: o.p.Body}
	if o.p.Status/100 == 2 {
		o.resp.Streamed = o.p.BodyBytes() - int64(len(o.p.Body))
	}
	o.p = nil
	o.st = netIdle
}

func (o *overNet[R]) fail(err error) {
	o.closed = true
	if !errors.Is(err, email.ErrTooLarge) {
		err = TransportError(err, errors.Is(err, email.ErrProtocol))
	}
	o.resp = Response{Err: err}
	o.p = nil
	o.st = netIdle
}

func (o *overNet[R]) Result() (R, error) {
	if !o.done {
		var zero R
		return zero, coroutine.ErrNotDone
	}
	return o.m.Result()
}
