package jmap

import (
	"fmt"
	"net/url"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// MaxRedirects is the number of redirects one exchange may follow before it
// fails with ErrRedirectLoop.
const MaxRedirects = 10

// Fetch returns a machine that performs req and follows redirects (301,
// 302, 303, 307, 308 with a Location) up to MaxRedirects, resolving
// relative locations against the current URL. A 303, or a 301/302 answer
// to anything but GET or HEAD, continues as a GET without body (as browsers
// and net/http do); 307 and 308 repeat the method and body. The
// Authorization header is dropped when the redirect leaves the original
// origin (scheme, host and port), and a redirect from https to http is
// refused with email.ErrInsecure. It ends with the first non-redirect
// response; a transport error in Response.Err ends it with that error.
func Fetch(req Request) Machine[Response] {
	return &fetch{req: req}
}

type fetch struct {
	req     Request
	origin  string
	started bool
	hops    int
	done    bool
	resp    Response
	err     error
}

func (f *fetch) Resume(in Response) (Request, bool) {
	if f.done {
		return Request{}, true
	}
	if !f.started {
		f.started = true
		u, err := url.Parse(f.req.URL)
		if err != nil || !u.IsAbs() {
			return f.fail(fmt.Errorf("jmap: request URL %q is not absolute: %w", f.req.URL, email.ErrInvalidArgument))
		}
		f.origin = originOf(u)
		return f.req, false
	}
	if in.Err != nil {
		return f.fail(in.Err)
	}
	switch in.Status {
	case 301, 302, 303, 307, 308:
	default:
		f.resp = Response{Status: in.Status, Header: in.Header, Body: append([]byte(nil), in.Body...), URL: f.req.URL}
		f.done = true
		return Request{}, true
	}
	loc := in.Header.Get("Location")
	if loc == "" {
		f.resp = Response{Status: in.Status, Header: in.Header, URL: f.req.URL}
		f.done = true
		return Request{}, true
	}
	f.hops++
	if f.hops > MaxRedirects {
		return f.fail(ErrRedirectLoop)
	}
	cur, err := url.Parse(f.req.URL)
	if err != nil {
		return f.fail(err)
	}
	next, err := cur.Parse(loc)
	if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "" {
		return f.fail(protocolError("redirect to an unusable location"))
	}
	if cur.Scheme == "https" && next.Scheme == "http" {
		return f.fail(fmt.Errorf("jmap: redirect from https to http: %w", email.ErrInsecure))
	}
	req := f.req
	req.URL = next.String()
	req.Header = req.Header.Clone()
	if originOf(next) != f.origin {
		req.Header.Del("Authorization")
	}
	if in.Status == 303 || ((in.Status == 301 || in.Status == 302) && req.Method != "GET" && req.Method != "HEAD") {
		req.Method = "GET"
		req.Body = nil
		req.Header.Del("Content-Type")
	}
	f.req = req
	return req, false
}

func (f *fetch) fail(err error) (Request, bool) {
	f.err, f.done = err, true
	return Request{}, true
}

func (f *fetch) Result() (Response, error) {
	if !f.done {
		return Response{}, coroutine.ErrNotDone
	}
	return f.resp, f.err
}

// originOf returns scheme://host:port with the default port made explicit.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Scheme + "://" + u.Hostname() + ":" + port
}
