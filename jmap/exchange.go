package jmap

import (
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Machine is a JMAP step machine: it asks for HTTP exchanges (Request) and
// is resumed with their outcome (Response). It ends with an R.
type Machine[R any] = coroutine.Machine[Response, Request, R]

// DefaultMaxBody is the largest response body a Request accepts when its
// MaxBody is zero: 32 MiB, far above any JMAP method response a page of
// envelopes produces.
const DefaultMaxBody = 32 << 20

// Request is one HTTP exchange a machine asks for, or, for watch machines,
// one of two requests that are not exchanges (as NetEvent and NetRead's
// Wait in the network vocabulary):
//
//   - Event set: hand the event to the caller, then resume with the zero
//     Response;
//   - Method empty and Wait positive: pause for Wait (the polling interval)
//     or until the caller's context ends, then resume with the zero
//     Response.
type Request struct {
	// Event is an event for the caller (watch machines only).
	Event *email.WatchEvent
	// Wait is the pause a watch machine asks for when Method is empty.
	Wait time.Duration

	// Method is the HTTP method ("GET", "POST").
	Method string
	// URL is the absolute target URL.
	URL string
	// Header holds the request header fields, Authorization included. It
	// must never be logged.
	Header Header
	// Body is the request body (nil for none).
	Body []byte
	// MaxBody bounds the response body the driver may hand back; a longer
	// body must be answered with an Err matching email.ErrTooLarge. Zero
	// means DefaultMaxBody.
	MaxBody int64

	// StreamBody asks the driver to copy the body of a 2xx response to the
	// operation's sink as it arrives (see "Streaming bodies" in package
	// coroutine), at most Limit bytes, and to answer with the status, the
	// header and Streamed, Body empty. A longer body fails with an Err
	// matching email.ErrTooLarge, an error of the sink with that error;
	// the response to the request is then abandoned. The body of any other
	// status comes back in Body as usual.
	StreamBody bool
	// SourceBody says the request body is the operation's source, read
	// once to its end as it is sent, in place of Body: its length is not
	// known, so it goes chunked (Transfer-Encoding: chunked), or as the
	// driver's HTTP library sends a body of unknown length. Each chunk the
	// source gives passes through a transform built by SourceTransform
	// (when not nil), and more than SourceLimit bytes out of it (when
	// positive) fail the exchange with an Err matching email.ErrTooLarge.
	// A request with a SourceBody cannot be sent twice: Fetch follows no
	// redirect that repeats it and retries it on no 429 or 503.
	SourceBody bool
	// SourceTransform builds the transform the source's bytes pass
	// through, a pure function as a file request's Hash is (for example
	// func() Transform { return new(Canonicalizer) }).
	SourceTransform func() Transform
	// SourceLimit bounds the bytes a SourceBody sends; 0 means no limit.
	SourceLimit int64
}

// Transform is a sans-I/O transform of a stream, chunks in and chunks out,
// with its state carried across chunks (Canonicalizer is one).
type Transform interface {
	// Append appends the transform of chunk, the next bytes of the
	// stream, to dst and returns the extended slice.
	Append(dst, chunk []byte) []byte
	// Flush appends what the transform still holds at the end of the
	// stream to dst.
	Flush(dst []byte) []byte
}

// Limit returns the response body bound of r: MaxBody or DefaultMaxBody.
func (r Request) Limit() int64 {
	if r.MaxBody > 0 {
		return r.MaxBody
	}
	return DefaultMaxBody
}

// Response is the driver's answer to a Request.
type Response struct {
	// Status is the HTTP status code. Redirects (3xx) are handed back as
	// they are, not followed.
	Status int
	// Header holds the response header fields.
	Header Header
	// Body is the whole response body, at most the Request's Limit bytes
	// (empty when it went to the sink, see Request.StreamBody). It is only
	// valid during the Resume call.
	Body []byte
	// Streamed is the number of body bytes the driver copied to the sink
	// for a Request with StreamBody.
	Streamed int64
	// URL is the URL that produced the response after redirects. Fetch
	// fills it; a driver may leave it empty.
	URL string
	// Err reports a transport failure (connection refused or lost, a body
	// over the limit, a timeout); the other fields are then meaningless.
	Err error
}

// Header is a set of HTTP header fields, keyed by canonical field name
// ("Content-Type"). Use Get, Set and Add, which canonicalise names.
type Header map[string][]string

// Get returns the first value of the field name, or "".
func (h Header) Get(name string) string {
	if v := h[CanonicalName(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Set replaces the values of the field name with value.
func (h Header) Set(name, value string) { h[CanonicalName(name)] = []string{value} }

// Add appends value to the field name.
func (h Header) Add(name, value string) {
	k := CanonicalName(name)
	h[k] = append(h[k], value)
}

// Del removes the field name.
func (h Header) Del(name string) { delete(h, CanonicalName(name)) }

// Clone returns a copy of h that shares no slice with it.
func (h Header) Clone() Header {
	out := make(Header, len(h))
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// CanonicalName returns the canonical form of an HTTP field name: the first
// letter and every letter after a hyphen upper-cased, the others
// lower-cased ("content-type" becomes "Content-Type"), as net/http does.
func CanonicalName(name string) string {
	upper := true
	b := []byte(name)
	for i, c := range b {
		switch {
		case upper && 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case !upper && 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
		upper = c == '-'
	}
	return string(b)
}
