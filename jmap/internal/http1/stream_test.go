package http1

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamAll parses data with a stream parser fed in pieces of chunk bytes
// (all at once when 0) and returns the concatenated body pieces.
func streamAll(data []byte, chunk int) (p *Parser, pieces []byte, n int, err error) {
	p = NewStreamParser(4096, false)
	for n < len(data) && !p.Done() {
		end := len(data)
		if chunk > 0 {
			end = min(n+chunk, len(data))
		}
		k, ferr := p.Feed(data[n:end])
		n += k
		if ferr != nil {
			return p, pieces, n, ferr
		}
		if len(p.Piece()) > 4096 {
			panic("piece over the limit")
		}
		pieces = append(pieces, p.Piece()...)
	}
	if !p.Done() && n == len(data) {
		err = p.EOF()
	}
	return p, pieces, n, err
}

func TestStreamParser(t *testing.T) {
	for _, in := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nhello world",
	} {
		for _, chunk := range []int{0, 1, 3, 7} {
			p, body, n, err := streamAll([]byte(in), chunk)
			require.NoError(t, err, "%q by %d", in, chunk)
			assert.True(t, p.Done())
			assert.Equal(t, len(in), n)
			assert.Equal(t, "hello world", string(body))
			assert.Empty(t, p.Body, "a streamed body is not kept")
			assert.Equal(t, int64(11), p.BodyBytes())
		}
	}
	// Another status keeps its body.
	p, body, _, err := streamAll([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope"), 2)
	require.NoError(t, err)
	assert.Empty(t, body)
	assert.Equal(t, "nope", string(p.Body))
	// Limits hold while streaming: a chunked body growing past 4096.
	big := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + string(bytes.Repeat([]byte("x"), 0x800)) + "\r\n801\r\n"
	_, _, _, err = streamAll([]byte(big), 100)
	assert.Error(t, err)
}

// FuzzStreamParser checks that a stream parser reads every response as
// the keeping parser does: the same outcome, the same status, and the
// pieces of a 2xx body concatenated equal to the kept body, whatever the
// sizes of the pieces it is fed.
func FuzzStreamParser(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), uint8(0))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), uint8(3))
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nabc"), uint8(2))
	f.Add([]byte("HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\nno"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		whole := parseAll(data, 0)
		p, pieces, n, err := streamAll(data, int(chunk))
		ok := err == nil && p.Done()
		if ok != whole.ok {
			t.Fatalf("keeping parser ok=%v, stream parser ok=%v (%v)", whole.ok, ok, err)
		}
		if !ok {
			return
		}
		if n != whole.n || p.Status != whole.status {
			t.Fatalf("consumed %d status %d, keeping parser %d %d", n, p.Status, whole.n, whole.status)
		}
		got := append(pieces, p.Body...)
		if !bytes.Equal(got, whole.body) {
			t.Fatalf("body %q, keeping parser %q", got, whole.body)
		}
	})
}

func TestAppendChunkedRequest(t *testing.T) {
	b, err := AppendChunkedRequest(nil, "POST", "/up/", "h", map[string][]string{"Content-Type": {"message/rfc822"}, "Content-Length": {"9"}})
	require.NoError(t, err)
	b = AppendChunk(b, []byte("hello"))
	b = AppendChunk(b, nil)
	b = AppendChunk(b, []byte("0123456789abcdefg"))
	b = AppendLastChunk(b)
	assert.Equal(t, "POST /up/ HTTP/1.1\r\nHost: h\r\nContent-Type: message/rfc822\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n11\r\n0123456789abcdefg\r\n0\r\n\r\n", string(b))
}
