package jmap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// streamDriver answers a lowered machine with body streams: reads get the
// server's bytes in pieces of chunk bytes, sink requests go to sink,
// source requests read source in pieces of at most their Max.
type streamDriver struct {
	server   []byte
	chunk    int
	sink     bytes.Buffer
	sinkErr  error
	source   io.Reader
	written  bytes.Buffer
	maxPiece int // the largest sink piece seen
	sinks    int
	hang     bool // a read past the server's bytes fails (a server keeping the connection open)
}

// errReadPastEnd is the error of a read past the end of what the server
// sent: the machine asked for more than the framing said.
var errReadPastEnd = errors.New("read past the end of the response: the server would wait forever")

func runStream[R any](d *streamDriver, m coroutine.NetMachine[R]) (R, error) {
	var in coroutine.NetReply
	buf := make([]byte, 64<<10)
	for range 1 << 20 {
		req, done := m.Resume(in)
		if done {
			return m.Result()
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			d.written.Write(req.Data)
		case coroutine.NetRead:
			if len(d.server) == 0 && d.hang {
				in.Err = errReadPastEnd
				break
			}
			if len(d.server) == 0 {
				in.EOF = true
				break
			}
			n := min(d.chunk, len(d.server), len(buf))
			// The driver's buffer is overwritten by the next read, as
			// client.NetConn's is.
			in.Data = buf[:copy(buf, d.server[:n])]
			d.server = d.server[n:]
		case coroutine.NetSink:
			d.sinks++
			d.maxPiece = max(d.maxPiece, len(req.Data))
			if d.sinkErr != nil {
				in.Err = d.sinkErr
				break
			}
			d.sink.Write(req.Data)
		case coroutine.NetSource:
			n, err := d.source.Read(buf[:min(req.Max, 1000)])
			switch {
			case n > 0:
				in.Data = buf[:n]
			case err == io.EOF:
				in.EOF = true
			default:
				in.Err = err
			}
		}
	}
	var zero R
	return zero, errors.New("no end")
}

func streamGet(limit int64) coroutine.NetMachine[Response] {
	return OverNet(Fetch(Request{Method: "GET", URL: "http://h/blob", StreamBody: true, MaxBody: limit}), "http://h")
}

func chunked(body []byte, size int) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	return b.String() + "0\r\n\r\n"
}

// TestOverNetStreamsDownload: a streamed body goes to the sink in pieces
// no larger than what was read, framed by Content-Length, chunks or the
// end of the stream, and never comes back in Body.
func TestOverNetStreamsDownload(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef\r\n"), 12000) // 216 KB
	for name, resp := range map[string]string{
		"content-length": fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body),
		"chunked":        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, 70000),
		"until eof":      "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + string(body),
	} {
		for _, chunk := range []int{1 << 20, 4096, 333} {
			if chunk == 333 && name != "chunked" {
				continue
			}
			d := &streamDriver{server: []byte(resp), chunk: chunk, hang: name != "until eof"}
			out, err := runStream(d, streamGet(1<<20))
			require.NoError(t, err, name)
			assert.Equal(t, 200, out.Status, name)
			assert.Empty(t, out.Body, name)
			assert.Equal(t, int64(len(body)), out.Streamed, name)
			assert.True(t, bytes.Equal(body, d.sink.Bytes()), name)
			assert.LessOrEqual(t, d.maxPiece, chunk, "%s: a piece is at most one read", name)
		}
	}
	// Another status is not streamed.
	d := &streamDriver{server: []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope"), chunk: 2}
	out, err := runStream(d, streamGet(1<<20))
	require.NoError(t, err)
	assert.Equal(t, 404, out.Status)
	assert.Equal(t, "nope", string(out.Body))
	assert.Zero(t, d.sink.Len())
}

// TestOverNetStreamHostile: truncated bodies, Content-Length lies, broken
// chunked framing and bodies over the limit fail with typed errors, the
// bytes already streamed being what was read and no more.
func TestOverNetStreamHostile(t *testing.T) {
	for name, c := range map[string]struct {
		resp string
		want error
	}{
		"truncated content-length":   {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + strings.Repeat("x", 50), email.ErrProtocol},
		"content-length over limit":  {"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + strings.Repeat("x", 2000), email.ErrTooLarge},
		"chunked over limit":         {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(bytes.Repeat([]byte("x"), 2000), 300), email.ErrTooLarge},
		"until eof over limit":       {"HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("x", 2000), email.ErrTooLarge},
		"bad chunk size":             {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n", email.ErrProtocol},
		"chunk without CRLF":         {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX3\r\nabc\r\n0\r\n\r\n", email.ErrProtocol},
		"chunk longer than it said":  {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n", email.ErrProtocol},
		"eof mid-chunk":              {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhello", email.ErrProtocol},
		"eof before the last chunk":  {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", email.ErrProtocol},
		"length and chunked at once": {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", email.ErrProtocol},
	} {
		d := &streamDriver{server: []byte(c.resp), chunk: 7}
		_, err := runStream(d, streamGet(1000))
		assert.ErrorIs(t, err, c.want, name)
		assert.LessOrEqual(t, d.sink.Len(), 1000, name)
	}
	// The sink's error comes back as it is.
	bad := errors.New("disk full")
	d := &streamDriver{server: []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), chunk: 100, sinkErr: bad}
	_, err := runStream(d, streamGet(0))
	assert.Equal(t, bad, err)
}

// TestOverNetStreamsUpload: a body from the source goes out chunked,
// through the transform, as net/http reads it back; the limit holds as the
// bytes pass; a source's error comes back as it is.
func TestOverNetStreamsUpload(t *testing.T) {
	s := testSession(t)
	raw := []byte("From alice Mon Jan  1 10:00:00 2024\nFrom: a@jmap.test\nSubject: s\n\n" + strings.Repeat("line\n", 50000))
	d := &streamDriver{hang: true, server: []byte("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"blobId\":\"B1\"}\n"), chunk: 100, source: bytes.NewReader(raw)}
	id, err := runStream(d, OverNet(UploadStream(s, "message/rfc822", 0, func() Transform { return new(Canonicalizer) }), "http://127.0.0.1:18080"))
	require.NoError(t, err)
	assert.Equal(t, "B1", id)
	req, err := http.ReadRequest(bufio.NewReader(&d.written))
	require.NoError(t, err)
	assert.Equal(t, []string{"chunked"}, req.TransferEncoding)
	assert.Equal(t, "/jmap/upload/alice/", req.URL.Path)
	assert.Equal(t, "message/rfc822", req.Header.Get("Content-Type"))
	got, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(CanonicalMessage(raw), got), "the body is the canonical message")

	// Over the limit: refused as the bytes pass, the connection closed.
	d = &streamDriver{chunk: 100, source: bytes.NewReader(raw)}
	m := OverNet(coroutine.Then(UploadStream(s, "message/rfc822", 1000, nil), func(string) Machine[string] {
		return Upload(s, "text/plain", []byte("x"))
	}), "http://127.0.0.1:18080")
	_, err = runStream(d, m)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.Less(t, d.written.Len(), 3000, "stopped at the limit")

	bad := errors.New("read error")
	d = &streamDriver{chunk: 100, source: io.MultiReader(bytes.NewReader(raw[:500]), iotestErr{bad})}
	_, err = runStream(d, OverNet(UploadStream(s, "message/rfc822", 0, nil), "http://127.0.0.1:18080"))
	assert.Equal(t, bad, err)
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

// TestFetchSendsASourceOnce: a request whose body was read from the
// source is not repeated after a 307 nor retried after a 503.
func TestFetchSendsASourceOnce(t *testing.T) {
	req := Request{Method: "POST", URL: "http://h/up", SourceBody: true}
	_, _, err := run(Fetch(req), func(Request) Response {
		return Response{Status: 307, Header: Header{"Location": {"/other"}}}
	})
	assert.ErrorIs(t, err, email.ErrUnsupported)
	out, n, err := run(Fetch(req), func(Request) Response {
		return Response{Status: 503, Header: Header{"Retry-After": {"1"}}}
	})
	require.NoError(t, err)
	assert.Equal(t, 503, out.Status)
	assert.Equal(t, 1, n)
}
