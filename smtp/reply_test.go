package smtp

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// parseAll feeds input in chunks of size n and collects the replies.
func parseAll(p *ReplyParser, input string, n int) ([]Reply, error) {
	var out []Reply
	for len(input) > 0 {
		k := min(n, len(input))
		p.Feed([]byte(input[:k]))
		input = input[k:]
		for {
			r, ok, err := p.Next()
			if err != nil {
				return out, err
			}
			if !ok {
				break
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func TestReplyParser(t *testing.T) {
	in := "220-mx.example.test ESMTP\r\n220 ready\r\n" +
		"250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n" +
		"550 5.1.1 <x@y>: user unknown\r\n" +
		"250\r\n" +
		"451-4.3.0 line one\n451 4.3.0 line two\n" + // bare LF tolerated
		"334 \r\n" +
		"554 5.7.1\r\n"
	for _, n := range []int{1, 2, 3, 7, 1000} {
		var p ReplyParser
		rs, err := parseAll(&p, in, n)
		require.NoError(t, err)
		require.Len(t, rs, 7)
		assert.Equal(t, Reply{Code: 220, Lines: []string{"mx.example.test ESMTP", "ready"}}, rs[0])
		assert.Equal(t, []string{"mx", "PIPELINING", "SIZE 100"}, rs[1].Lines)
		assert.Equal(t, Reply{Code: 550, Enhanced: EnhancedCode{5, 1, 1}, Lines: []string{"<x@y>: user unknown"}}, rs[2])
		assert.Equal(t, Reply{Code: 250, Lines: []string{""}}, rs[3])
		assert.Equal(t, "line one\nline two", rs[4].Message())
		assert.Equal(t, EnhancedCode{4, 3, 0}, rs[4].Enhanced)
		assert.Equal(t, 334, rs[5].Code)
		assert.Equal(t, EnhancedCode{5, 7, 1}, rs[6].Enhanced)
		assert.Equal(t, "", rs[6].Message())
		assert.Equal(t, 0, p.Buffered())
		assert.Equal(t, int64(len(in)), p.Consumed())
	}
}

func TestReplyParserEnhancedClassMustMatch(t *testing.T) {
	var p ReplyParser
	rs, err := parseAll(&p, "250 5.1.1 not an enhanced code for 2xx\r\n250 2.1.0x no\r\n250 2.1234.0 no\r\n", 100)
	require.NoError(t, err)
	for _, r := range rs {
		assert.True(t, r.Enhanced.IsZero(), r.Lines)
	}
}

func TestReplyParserErrors(t *testing.T) {
	cases := map[string]string{
		"bad digit":      "2x0 hi\r\n",
		"first digit 1":  "150 hi\r\n",
		"first digit 6":  "650 hi\r\n",
		"second digit 9": "290 hi\r\n",
		"short":          "25\r\n",
		"separator":      "250+hi\r\n",
		"code change":    "250-a\r\n251 b\r\n",
		"empty line":     "\r\n",
	}
	for name, in := range cases {
		var p ReplyParser
		_, err := parseAll(&p, in, 3)
		require.ErrorIs(t, err, email.ErrProtocol, name)
		var pe *ProtocolError
		require.True(t, errors.As(err, &pe), name)
		// Sticky.
		_, _, err2 := p.Next()
		require.Equal(t, err, err2)
	}
}

func TestReplyParserLimits(t *testing.T) {
	var p ReplyParser
	_, err := parseAll(&p, "250 "+strings.Repeat("x", 100<<10)+"\r\n", 4096)
	require.ErrorIs(t, err, email.ErrTooLarge)
	require.ErrorIs(t, err, email.ErrProtocol)
	assert.LessOrEqual(t, cap(p.buf), 0, "buffer released after the error")

	p = ReplyParser{MaxLines: 10}
	_, err = parseAll(&p, strings.Repeat("250-x\r\n", 11)+"250 y\r\n", 1)
	require.ErrorIs(t, err, email.ErrTooLarge)

	// A partial line that stays under the limit waits for more.
	p = ReplyParser{MaxLineLength: 16}
	rs, err := parseAll(&p, "250 0123456789", 3)
	require.NoError(t, err)
	assert.Empty(t, rs)
	assert.Equal(t, 14, p.Buffered())
	p.Feed([]byte("ab"))
	_, _, err = p.Next()
	require.ErrorIs(t, err, email.ErrTooLarge)
}

func TestErrorIs(t *testing.T) {
	e := &Error{Command: "RCPT", Code: 550, Enhanced: EnhancedCode{5, 1, 1}, Message: "no"}
	assert.ErrorIs(t, e, email.ErrNotFound)
	assert.False(t, e.Temporary())
	assert.Equal(t, "smtp: RCPT: 550 5.1.1 no", e.Error())
	assert.ErrorIs(t, &Error{Code: 552}, email.ErrTooLarge)
	assert.ErrorIs(t, &Error{Code: 554, Enhanced: EnhancedCode{5, 3, 4}}, email.ErrTooLarge)
	assert.ErrorIs(t, &Error{Code: 535, Enhanced: EnhancedCode{5, 7, 8}}, ErrAuthFailed)
	assert.ErrorIs(t, &Error{Code: 530, Enhanced: EnhancedCode{5, 7, 0}}, email.ErrInsecure)
	assert.ErrorIs(t, &Error{Code: 502}, email.ErrUnsupported)
	assert.True(t, (&Error{Code: 451}).Temporary())
	assert.NotErrorIs(t, &Error{Code: 451, Enhanced: EnhancedCode{4, 3, 0}}, email.ErrNotFound)
}

func TestExtensions(t *testing.T) {
	e := parseExtensions([]string{"mx.example.test Hello", "PIPELINING", "SIZE 41943040", "AUTH PLAIN LOGIN", "AUTH=XOAUTH2", "8bitmime", "SMTPUTF8", "CHUNKING", "STARTTLS", "ENHANCEDSTATUSCODES", "DSN", "X-UNKNOWN a b"})
	assert.True(t, e.ESMTP)
	assert.Equal(t, "mx.example.test", e.Domain)
	assert.Equal(t, int64(41943040), e.Size)
	assert.True(t, e.HasSize && e.Pipelining && e.EightBitMIME && e.SMTPUTF8 && e.Chunking && e.StartTLS && e.EnhancedStatusCodes && e.DSN)
	assert.Equal(t, []string{"PLAIN", "LOGIN", "XOAUTH2"}, e.Auth)
	assert.True(t, e.HasAuth("login"))
	assert.Equal(t, "a b", e.Keywords["X-UNKNOWN"])
	e = parseExtensions([]string{"mx", "SIZE"})
	assert.True(t, e.HasSize)
	assert.Zero(t, e.Size)
}

// FuzzReplyParser feeds arbitrary bytes in arbitrary chunks: no panic,
// bounded buffer, and every reply well formed.
func FuzzReplyParser(f *testing.F) {
	f.Add([]byte("220-mx ESMTP\r\n220 ready\r\n"), uint8(3))
	f.Add([]byte("250-mx\r\n250-PIPELINING\r\n250-SIZE 41943040\r\n250 CHUNKING\r\n"), uint8(1))
	f.Add([]byte("550 5.1.1 <x@y>: Recipient address rejected\r\n"), uint8(7))
	f.Add([]byte("354 go\r\n250 2.0.0 Ok: queued\r\n421 4.4.2 timeout\n"), uint8(2))
	f.Add([]byte("334 VXNlcm5hbWU6\r\n"), uint8(0))
	f.Add([]byte("250-a\r\n251 b\r\n"), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		p := ReplyParser{MaxLineLength: 512, MaxLines: 16}
		n := int(chunk) + 1
		for len(data) > 0 {
			k := min(n, len(data))
			p.Feed(data[:k])
			data = data[k:]
			for {
				r, ok, err := p.Next()
				if err != nil {
					if !errors.Is(err, email.ErrProtocol) {
						t.Fatalf("untyped error %v", err)
					}
					return
				}
				if !ok {
					break
				}
				if r.Code < 200 || r.Code > 559 || len(r.Lines) == 0 || len(r.Lines) > 16 {
					t.Fatalf("bad reply %+v", r)
				}
			}
			if p.Buffered() >= 512 {
				t.Fatalf("buffered %d bytes beyond the line limit", p.Buffered())
			}
		}
	})
}
