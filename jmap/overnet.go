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
	netIdle    netState = iota // resume the JMAP machine
	netWriting                 // a request was written
	netReading                 // waiting for response bytes
	netPausing                 // a Wait the machine asked for
)

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
	buf    []byte
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
			o.st = netWriting
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
		case netWriting:
			if in.Err != nil {
				o.fail(in.Err)
				continue
			}
			o.st = netReading
			if len(o.rest) > 0 {
				rest := o.rest
				o.rest = nil
				if o.feed(rest) {
					continue
				}
			}
			return coroutine.Read(), false
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
			if o.feed(in.Data) {
				continue
			}
			return coroutine.Read(), false
		}
	}
}

// start encodes req; it fails for another origin or a closed connection.
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
	o.buf, err = http1.AppendRequest(o.buf[:0], req.Method, target, u.Host, req.Header, req.Body)
	if err != nil {
		return err
	}
	o.p = http1.NewParser(req.Limit(), req.Method == "HEAD")
	return nil
}

// feed parses data; it reports true when the exchange ended (done or
// failed) and the JMAP machine must be resumed.
func (o *overNet[R]) feed(data []byte) bool {
	n, err := o.p.Feed(data)
	if err != nil {
		o.closed = true
		o.fail(err)
		return true
	}
	if !o.p.Done() {
		return false
	}
	if n < len(data) {
		o.rest = append([]byte(nil), data[n:]...)
	}
	o.finish()
	return true
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
