package http1

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestAppendRequest(t *testing.T) {
	h := map[string][]string{"Content-Type": {"application/json"}, "Authorization": {"Basic eA=="}, "Connection": {"x"}}
	b, err := AppendRequest(nil, "POST", "/jmap/", "127.0.0.1:18080", h, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, "POST /jmap/ HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nAuthorization: Basic eA==\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", string(b))
	b, err = AppendRequest(nil, "GET", "/x?a=b", "h", nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "GET /x?a=b HTTP/1.1\r\nHost: h\r\n\r\n", string(b))
	_, err = AppendRequest(nil, "GET", "/", "h", map[string][]string{"X": {"a\r\nEvil: 1"}}, nil)
	assert.ErrorIs(t, err, email.ErrInvalidArgument, "header injection refused")
	_, err = AppendRequest(nil, "GET", "/ HTTP/1.1\r\n", "h", nil, nil)
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
}

// feed gives data to p in pieces of size n (all at once when n is 0).
func feed(p *Parser, data []byte, n int) (int, error) {
	if n == 0 {
		return p.Feed(data)
	}
	total := 0
	for len(data) > 0 && !p.Done() {
		k := min(n, len(data))
		c, err := p.Feed(data[:k])
		total += c
		if err != nil {
			return total, err
		}
		data = data[c:]
		if c < k {
			break
		}
	}
	return total, nil
}

func TestParseResponses(t *testing.T) {
	cases := []struct {
		name, in, body string
		status         int
		keep           bool
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello", "hello", 200, true},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n", "hello world", 200, true},
		{"no body 204", "HTTP/1.1 204 No Content\r\n\r\n", "", 204, true},
		{"continue then ok", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", "ok", 200, true},
		{"close", "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", "", 401, false},
		{"bare LF", "HTTP/1.1 301 Moved\nLocation: /jmap\nContent-Length: 0\n\n", "", 301, true},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", "x", 200, false},
	}
	for _, c := range cases {
		for _, chunk := range []int{0, 1, 3, 7} {
			p := NewParser(1<<20, false)
			n, err := feed(p, []byte(c.in), chunk)
			require.NoError(t, err, c.name)
			require.True(t, p.Done(), "%s chunk %d", c.name, chunk)
			assert.Equal(t, len(c.in), n, c.name)
			assert.Equal(t, c.status, p.Status, c.name)
			assert.Equal(t, c.body, string(p.Body), c.name)
			assert.Equal(t, c.keep, p.KeepAlive(), c.name)
		}
	}
}

func TestParseLeavesNextResponse(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 204 x\r\n\r\n"
	p := NewParser(100, false)
	n, err := p.Feed([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, "ok", string(p.Body))
	assert.Equal(t, "HTTP/1.1 204 x\r\n\r\n", in[n:])
}

func TestParseUntilEOF(t *testing.T) {
	p := NewParser(100, false)
	_, err := p.Feed([]byte("HTTP/1.1 200 OK\r\n\r\nabc"))
	require.NoError(t, err)
	assert.False(t, p.Done())
	require.NoError(t, p.EOF())
	assert.Equal(t, "abc", string(p.Body))
	assert.False(t, p.KeepAlive())
}

func TestParseHostile(t *testing.T) {
	cases := []struct {
		name, in string
		want     error
	}{
		{"1 GB content-length", "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n", email.ErrTooLarge},
		{"huge content-length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", email.ErrProtocol},
		{"negative content-length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", email.ErrProtocol},
		{"conflicting content-length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", email.ErrProtocol},
		{"huge chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffff\r\n", email.ErrTooLarge},
		{"chunk overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", email.ErrProtocol},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", email.ErrProtocol},
		{"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n", email.ErrProtocol},
		{"both framings", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", email.ErrProtocol},
		{"garbage", "SSH-2.0-OpenSSH\r\n", email.ErrProtocol},
		{"bad status", "HTTP/1.1 2000 OK\r\n", email.ErrProtocol},
		{"bad field", "HTTP/1.1 200 OK\r\nno colon here\r\n", email.ErrProtocol},
		{"folding", "HTTP/1.1 200 OK\r\nA: b\r\n  c\r\n", email.ErrProtocol},
		{"endless line", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", MaxLine+10), email.ErrProtocol},
		{"too many fields", "HTTP/1.1 200 OK\r\n" + strings.Repeat("A: b\r\n", MaxFields+1), email.ErrProtocol},
		{"body over limit until EOF", "HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("x", 2000), email.ErrTooLarge},
	}
	for _, c := range cases {
		p := NewParser(1000, false)
		_, err := p.Feed([]byte(c.in))
		require.Error(t, err, c.name)
		assert.ErrorIs(t, err, c.want, c.name)
	}
	p := NewParser(1000, false)
	_, err := p.Feed([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
	require.NoError(t, err)
	assert.ErrorIs(t, p.EOF(), email.ErrProtocol, "truncated body")
}

func TestParseHeadNoBody(t *testing.T) {
	p := NewParser(10, true)
	n, err := p.Feed([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"))
	require.NoError(t, err)
	assert.True(t, p.Done())
	assert.Equal(t, len("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"), n)
}
