package jmap

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// MaxRedirects is the number of redirects one exchange may follow before it
// fails with ErrRedirectLoop.
const MaxRedirects = 10

// MaxRetries is the number of times one exchange is repeated after a 429
// or 503 answer with a Retry-After the machine can honour; MaxRetryAfter
// is the longest such delay. A longer delay, a Retry-After that cannot be
// read, or a fourth refusal ends the exchange with that answer, and the
// *HTTPError built from it carries the delay in RetryAfter.
const (
	MaxRetries    = 3
	MaxRetryAfter = 30 * time.Second
)

// Fetch returns a machine that performs req and follows redirects (301,
// 302, 303, 307, 308 with a Location) up to MaxRedirects, resolving
// relative locations against the current URL. A 303, or a 301/302 answer
// to anything but GET or HEAD, continues as a GET without body (as browsers
// and net/http do); 307 and 308 repeat the method and body. The
// Authorization header is dropped when the redirect leaves the original
// origin (scheme, host and port), and a redirect from https to http is
// refused with email.ErrInsecure.
//
// A 429 (Too Many Requests) or 503 (Service Unavailable) answer with a
// Retry-After of at most MaxRetryAfter is retried after that delay, up to
// MaxRetries times: the machine stays clock-free and asks its driver to
// pause (a Request with Method empty and Wait set, as watch machines do),
// then repeats the request. Retry-After is read as delay-seconds, or as an
// HTTP-date less the response's Date field (RFC 9110 section 10.2.3).
//
// A request with a SourceBody is sent once: a 307 or 308 that would send
// its body again fails with email.ErrUnsupported, and a 429 or 503 ends
// the exchange.
//
// It ends with the first other response; a transport error in
// Response.Err ends it with that error.
func Fetch(req Request) Machine[Response] {
	return &fetch{req: req}
}

type fetch struct {
	req     Request
	origin  string
	started bool
	waiting bool // a Retry-After pause was asked for
	retries int
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
	if f.waiting {
		f.waiting = false
		return f.req, false
	}
	if in.Err != nil {
		return f.fail(in.Err)
	}
	switch in.Status {
	case 301, 302, 303, 307, 308:
	case 429, 503:
		if d, ok := retryAfter(in.Header); ok && d <= MaxRetryAfter && f.retries < MaxRetries && !f.req.SourceBody {
			f.retries++
			f.waiting = true
			return Request{Wait: max(d, time.Millisecond)}, false
		}
		fallthrough
	default:
		f.resp = Response{Status: in.Status, Header: in.Header, Body: append([]byte(nil), in.Body...), Streamed: in.Streamed, URL: f.req.URL}
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
		req.SourceBody, req.SourceTransform, req.SourceLimit = false, nil, 0
		req.Header.Del("Content-Type")
	}
	if req.SourceBody {
		return f.fail(fmt.Errorf("jmap: a %d redirect would send again a body read from a stream: %w", in.Status, email.ErrUnsupported))
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

// retryAfter reads the Retry-After field of h: delay-seconds, or an
// HTTP-date less the Date field (no clock is read). It reports false when
// the field is missing or cannot be read.
func retryAfter(h Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	at, ok := httpDate(v)
	now, ok2 := httpDate(h.Get("Date"))
	if !ok || !ok2 {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// httpDate parses the three date formats of RFC 9110 section 5.6.7.
func httpDate(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC1123, time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
