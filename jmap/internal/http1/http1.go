// Package http1 is an I/O-free HTTP/1.1 client codec (RFC 9112): it encodes
// requests to bytes and parses responses from bytes fed to it in pieces of
// any size. It keeps bounded state whatever the peer sends: lines, header
// blocks, chunk sizes and bodies all have limits.
package http1

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Limits of the parser.
const (
	MaxLine        = 8 << 10  // a status line, header line or chunk-size line
	MaxHeaderBytes = 64 << 10 // the whole header block
	MaxFields      = 256      // header fields in one response
)

// AppendRequest appends the HTTP/1.1 encoding of a request to dst: the
// request line, Host, the fields of h in name order (each value on its own
// line), Content-Length when body is not nil or the method is POST or PUT,
// a blank line and the body. target is the origin-form path and query
// ("/jmap/"). Field values containing CR or LF are refused.
func AppendRequest(dst []byte, method, target, host string, h map[string][]string, body []byte) ([]byte, error) {
	dst, err := appendHead(dst, method, target, host, h)
	if err != nil {
		return dst, err
	}
	if body != nil || method == "POST" || method == "PUT" {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(body)), 10)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	return append(dst, body...), nil
}

// AppendChunkedRequest appends the head of a request whose body follows in
// chunks (Transfer-Encoding: chunked, RFC 9112 section 7.1) to dst: as
// AppendRequest without the body, and Transfer-Encoding in place of
// Content-Length. The caller appends the body with AppendChunk and ends it
// with AppendLastChunk.
func AppendChunkedRequest(dst []byte, method, target, host string, h map[string][]string) ([]byte, error) {
	dst, err := appendHead(dst, method, target, host, h)
	if err != nil {
		return dst, err
	}
	return append(dst, "Transfer-Encoding: chunked\r\n\r\n"...), nil
}

// AppendChunk appends data as one chunk of a chunked body to dst; empty
// data appends nothing (an empty chunk would end the body).
func AppendChunk(dst, data []byte) []byte {
	if len(data) == 0 {
		return dst
	}
	dst = strconv.AppendInt(dst, int64(len(data)), 16)
	dst = append(dst, "\r\n"...)
	dst = append(dst, data...)
	return append(dst, "\r\n"...)
}

// AppendLastChunk appends the end of a chunked body (the last chunk, no
// trailer) to dst.
func AppendLastChunk(dst []byte) []byte { return append(dst, "0\r\n\r\n"...) }

// appendHead appends the request line, Host and the fields of h.
func appendHead(dst []byte, method, target, host string, h map[string][]string) ([]byte, error) {
	if !token(method) || target == "" || strings.ContainsAny(target, " \r\n") || strings.ContainsAny(host, " \r\n") {
		return dst, fmt.Errorf("http1: malformed request line: %w", email.ErrInvalidArgument)
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, target...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, host...)
	dst = append(dst, "\r\n"...)
	names := make([]string, 0, len(h))
	for k := range h {
		switch strings.ToLower(k) {
		case "host", "content-length", "transfer-encoding", "connection":
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !token(k) {
			return dst, fmt.Errorf("http1: malformed field name: %w", email.ErrInvalidArgument)
		}
		for _, v := range h[k] {
			if strings.ContainsAny(v, "\r\n\x00") {
				return dst, fmt.Errorf("http1: field %s holds a line break: %w", k, email.ErrInvalidArgument)
			}
			dst = append(dst, k...)
			dst = append(dst, ": "...)
			dst = append(dst, v...)
			dst = append(dst, "\r\n"...)
		}
	}
	return dst, nil
}

func token(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// ErrMalformed is the error of a response that breaks HTTP/1.1 framing. It
// matches email.ErrProtocol.
var ErrMalformed = fmt.Errorf("http1: malformed response: %w", email.ErrProtocol)

func malformed(what string) error { return fmt.Errorf("%w: %s", ErrMalformed, what) }

type state uint8

const (
	stStatus state = iota
	stHeader
	stBody      // Content-Length body
	stBodyEOF   // body until end of stream
	stChunkSize // chunked: size line
	stChunkData
	stChunkCRLF
	stTrailer
	stDone
)

// Parser parses one HTTP/1.1 response. Feed it bytes as they arrive; once
// Done reports true, Status, Header and Body are set. A Parser is single
// use; build a new one for the next response.
type Parser struct {
	// Status is the status code, Proto "HTTP/1.1" or "HTTP/1.0", Reason the
	// reason phrase.
	Status int
	Proto  string
	Reason string
	// Header maps lower-case field names to their values, in order.
	Header map[string][]string
	// Body is the decoded body (chunked framing removed); it stays empty
	// for a body the parser streams (see NewStreamParser).
	Body []byte

	limit      int64
	noBody     bool
	st         state
	line       []byte
	headBytes  int
	fields     int
	remain     int64
	chunked    bool
	closeAfter bool
	got        int64 // body bytes so far, kept or streamed
	stream     bool  // stream 2xx bodies
	streaming  bool  // this body is streamed
	piece      []byte
}

// NewParser returns a parser for the response to a request. limit bounds
// the body: a larger Content-Length, or a body that grows past it, fails
// with an error matching email.ErrTooLarge before the bytes are kept.
// noBody is set for the response to HEAD, which has no body whatever its
// header says.
func NewParser(limit int64, noBody bool) *Parser {
	return &Parser{limit: limit, noBody: noBody, Header: map[string][]string{}}
}

// NewStreamParser is NewParser for a response whose body, when its status
// is 2xx, is handed out as it arrives instead of kept in Body: Feed then
// returns as soon as it has a piece of the body, which Piece gives. The
// body of any other status is kept in Body as NewParser does. limit bounds
// the body either way.
func NewStreamParser(limit int64, noBody bool) *Parser {
	p := NewParser(limit, noBody)
	p.stream = true
	return p
}

// Piece returns the piece of a streamed body the last Feed stopped at
// (nil when it stopped for another reason), a part of the bytes given to
// that Feed: it is valid as long as they are.
func (p *Parser) Piece() []byte { return p.piece }

// BodyBytes returns the number of body bytes parsed so far, kept in Body
// or handed out by Piece.
func (p *Parser) BodyBytes() int64 { return p.got }

// Done reports whether the whole response has been parsed.
func (p *Parser) Done() bool { return p.st == stDone }

// KeepAlive reports whether the connection may carry another request after
// this response: HTTP/1.1 without "Connection: close", and a body whose
// end was framed (not "until the end of the stream").
func (p *Parser) KeepAlive() bool {
	return p.st == stDone && !p.closeAfter && p.Proto == "HTTP/1.1"
}

// Get returns the first value of a header field, or "".
func (p *Parser) Get(name string) string {
	if v := p.Header[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Feed parses data and returns the number of bytes it consumed. It
// consumes everything until the response is done; bytes after the end of
// the response are left (n < len(data)). It fails on malformed framing or
// limits exceeded; the parser is then unusable.
//
// A stream parser (NewStreamParser) also returns after each piece of a
// streamed body, with Piece set; the caller hands it on and feeds the
// rest of data (from n) again.
func (p *Parser) Feed(data []byte) (n int, err error) {
	p.piece = nil
	for n < len(data) && p.st != stDone {
		switch p.st {
		case stBody, stChunkData:
			k := int(min(int64(len(data)-n), p.remain))
			p.keep(data[n : n+k])
			n += k
			p.remain -= int64(k)
			if p.remain == 0 {
				if p.st == stBody {
					p.st = stDone
				} else {
					p.st = stChunkCRLF
				}
			}
			if p.streaming {
				return n, nil
			}
			continue
		case stBodyEOF:
			k := len(data) - n
			if p.got+int64(k) > p.limit {
				return n, tooLarge(p.limit)
			}
			p.keep(data[n:])
			n = len(data)
			continue
		}
		// Line-oriented states.
		i := indexLF(data[n:])
		if i < 0 {
			if len(p.line)+len(data)-n > MaxLine {
				return n, malformed("line too long")
			}
			p.line = append(p.line, data[n:]...)
			return len(data), nil
		}
		if len(p.line)+i > MaxLine {
			return n, malformed("line too long")
		}
		var line []byte
		if len(p.line) > 0 {
			p.line = append(p.line, data[n:n+i]...)
			line = p.line
		} else {
			line = data[n : n+i]
		}
		n += i + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		err := p.line1(line)
		p.line = p.line[:0]
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// keep keeps b in Body, or sets it as the piece of a streamed body.
func (p *Parser) keep(b []byte) {
	p.got += int64(len(b))
	if p.streaming {
		p.piece = b
		return
	}
	p.Body = append(p.Body, b...)
}

// EOF tells the parser the stream ended. It returns nil when that ends a
// body delimited by the end of the stream, and an error when the response
// is incomplete.
func (p *Parser) EOF() error {
	switch p.st {
	case stDone:
		return nil
	case stBodyEOF:
		p.st = stDone
		p.closeAfter = true
		return nil
	}
	return malformed("truncated response")
}

func indexLF(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func tooLarge(limit int64) error {
	return fmt.Errorf("http1: response body over %d bytes: %w", limit, email.ErrTooLarge)
}

// line1 handles one complete line (without CRLF) in a line state.
func (p *Parser) line1(line []byte) error {
	switch p.st {
	case stStatus:
		return p.statusLine(string(line))
	case stHeader:
		if len(line) == 0 {
			return p.endHeader()
		}
		p.headBytes += len(line) + 2
		p.fields++
		if p.headBytes > MaxHeaderBytes || p.fields > MaxFields {
			return malformed("header too large")
		}
		if line[0] == ' ' || line[0] == '\t' {
			return malformed("obsolete line folding")
		}
		k, v, ok := strings.Cut(string(line), ":")
		if !ok || !token(k) {
			return malformed("bad header field")
		}
		k = strings.ToLower(k)
		p.Header[k] = append(p.Header[k], strings.Trim(v, " \t"))
		return nil
	case stChunkSize:
		s, _, _ := strings.Cut(string(line), ";")
		s = strings.TrimSpace(s)
		if s == "" || len(s) > 15 {
			return malformed("bad chunk size")
		}
		size, err := strconv.ParseInt(s, 16, 64)
		if err != nil || size < 0 {
			return malformed("bad chunk size")
		}
		if size == 0 {
			p.st = stTrailer
			return nil
		}
		if p.got+size > p.limit {
			return tooLarge(p.limit)
		}
		p.remain, p.st = size, stChunkData
		return nil
	case stChunkCRLF:
		if len(line) != 0 {
			return malformed("chunk not followed by CRLF")
		}
		p.st = stChunkSize
		return nil
	case stTrailer:
		if len(line) == 0 {
			p.st = stDone
			return nil
		}
		p.headBytes += len(line) + 2
		if p.headBytes > MaxHeaderBytes {
			return malformed("trailer too large")
		}
		return nil
	}
	return errors.New("http1: parser in a bad state")
}

func (p *Parser) statusLine(line string) error {
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || (proto != "HTTP/1.1" && proto != "HTTP/1.0") {
		return malformed("bad status line")
	}
	code, reason, _ := strings.Cut(rest, " ")
	if len(code) != 3 {
		return malformed("bad status code")
	}
	st, err := strconv.Atoi(code)
	if err != nil || st < 100 || st > 999 {
		return malformed("bad status code")
	}
	p.Proto, p.Status, p.Reason = proto, st, reason
	p.st = stHeader
	return nil
}

func (p *Parser) endHeader() error {
	if p.Status/100 == 1 {
		// An interim response (100 Continue): the real one follows.
		p.Header = map[string][]string{}
		p.headBytes, p.fields, p.st = 0, 0, stStatus
		return nil
	}
	for _, v := range p.Header["connection"] {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "close") {
				p.closeAfter = true
			}
		}
	}
	if p.Proto == "HTTP/1.0" {
		p.closeAfter = true
		for _, v := range p.Header["connection"] {
			if strings.EqualFold(strings.TrimSpace(v), "keep-alive") {
				p.closeAfter = false
			}
		}
	}
	if p.noBody || p.Status == 204 || p.Status == 304 {
		p.st = stDone
		return nil
	}
	p.streaming = p.stream && p.Status/100 == 2
	if te := p.Header["transfer-encoding"]; len(te) > 0 {
		if p.Proto == "HTTP/1.0" {
			// RFC 9112 section 6.1: the framing of an HTTP/1.0 message
			// with Transfer-Encoding is faulty (net/http reads such a
			// body up to the end of the stream).
			return malformed("Transfer-Encoding in an HTTP/1.0 response")
		}
		last := strings.TrimSpace(te[len(te)-1])
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = strings.TrimSpace(last[i+1:])
		}
		if !strings.EqualFold(last, "chunked") {
			p.st, p.closeAfter = stBodyEOF, true
			return nil
		}
		if len(p.Header["content-length"]) > 0 {
			return malformed("both Transfer-Encoding and Content-Length")
		}
		p.chunked, p.st = true, stChunkSize
		return nil
	}
	if cl := p.Header["content-length"]; len(cl) > 0 {
		for _, v := range cl[1:] {
			if v != cl[0] {
				return malformed("conflicting Content-Length")
			}
		}
		if cl[0] == "" || len(cl[0]) > 18 || strings.TrimLeft(cl[0], "0123456789") != "" {
			return malformed("bad Content-Length")
		}
		size, err := strconv.ParseInt(cl[0], 10, 64)
		if err != nil {
			return malformed("bad Content-Length")
		}
		if size > p.limit {
			return tooLarge(p.limit)
		}
		if size == 0 {
			p.st = stDone
			return nil
		}
		if !p.streaming {
			p.Body = make([]byte, 0, min(size, 64<<10))
		}
		p.remain, p.st = size, stBody
		return nil
	}
	p.st, p.closeAfter = stBodyEOF, true
	return nil
}
