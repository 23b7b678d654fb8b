package jmap

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

func sessionWith(field, value string) string {
	urls := map[string]string{"apiUrl": "/api", "downloadUrl": "/dl/{blobId}", "uploadUrl": "/up/", "eventSourceUrl": "/es"}
	urls[field] = value
	return fmt.Sprintf(`{"apiUrl":%q,"downloadUrl":%q,"uploadUrl":%q,"eventSourceUrl":%q,"primaryAccounts":{"urn:ietf:params:jmap:mail":"A"},"accounts":{"A":{"accountCapabilities":{"urn:ietf:params:jmap:mail":{}}}}}`,
		urls["apiUrl"], urls["downloadUrl"], urls["uploadUrl"], urls["eventSourceUrl"])
}

// TestSessionRefusesPlainURLs: the credentials go to every URL of the
// session, so none may be plain http when the session came over https,
// and none may be plain http to another host.
func TestSessionRefusesPlainURLs(t *testing.T) {
	for _, field := range []string{"apiUrl", "downloadUrl", "uploadUrl", "eventSourceUrl"} {
		for _, c := range []struct {
			session, value string
			want           error
		}{
			{"https://mail.example/jmap", "http://mail.example/x", email.ErrInsecure},
			{"https://mail.example/jmap", "http://mail.example:443/x", email.ErrInsecure},
			{"https://mail.example/jmap", "//mail.example/x", nil},
			{"https://mail.example/jmap", "https://api.example/x", nil},
			{"http://127.0.0.1:8080/jmap", "http://127.0.0.1:9090/x", nil},
			{"http://127.0.0.1:8080/jmap", "/x", nil},
			{"http://127.0.0.1:8080/jmap", "http://evil.example/x", email.ErrInsecure},
			{"http://127.0.0.1:8080/jmap", "https://api.example/x", nil},
			{"https://mail.example/jmap", "ftp://mail.example/x", email.ErrProtocol},
		} {
			_, err := ParseSession([]byte(sessionWith(field, c.value)), c.session, "Basic c2VjcmV0")
			if c.want == nil {
				assert.NoError(t, err, "%s %s from %s", field, c.value, c.session)
				continue
			}
			assert.ErrorIs(t, err, c.want, "%s %s from %s", field, c.value, c.session)
			if err != nil {
				assert.NotContains(t, err.Error(), "c2VjcmV0")
			}
		}
	}
	// Discover refuses before any API request: the session GET is the only
	// exchange.
	n := 0
	_, err := coroutine.Run(Discover("https://mail.example", "Basic c2VjcmV0"), func(r Request) Response {
		n++
		return Response{Status: 200, Body: []byte(sessionWith("apiUrl", "http://mail.example/api"))}
	})
	assert.ErrorIs(t, err, email.ErrInsecure)
	assert.Equal(t, 1, n)
}

// TestFetchRetriesAfter: a 429 or 503 with a Retry-After within
// MaxRetryAfter makes the machine ask its driver for that pause and send
// the same request again, up to MaxRetries times; otherwise the error
// carries the delay.
func TestFetchRetriesAfter(t *testing.T) {
	req := Request{Method: "POST", URL: "https://h/api", Body: []byte("{}")}
	drive := func(answers ...Response) (Response, []time.Duration, int, error) {
		m := Fetch(req)
		var waits []time.Duration
		sent := 0
		var in Response
		for range 50 {
			r, done := m.Resume(in)
			if done {
				out, err := m.Result()
				return out, waits, sent, err
			}
			in = Response{}
			if r.Method == "" {
				require.Positive(t, r.Wait)
				waits = append(waits, r.Wait)
				continue
			}
			assert.Equal(t, req.URL, r.URL)
			assert.Equal(t, req.Body, r.Body, "the same request again")
			in = answers[min(sent, len(answers)-1)]
			sent++
		}
		t.Fatal("no end")
		return Response{}, nil, 0, nil
	}
	h := func(kv ...string) Header {
		out := Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	ok := Response{Status: 200, Body: []byte("ok")}

	out, waits, sent, err := drive(Response{Status: 429, Header: h("Retry-After", "2")}, ok)
	require.NoError(t, err)
	assert.Equal(t, 200, out.Status)
	assert.Equal(t, []time.Duration{2 * time.Second}, waits)
	assert.Equal(t, 2, sent)

	out, waits, _, err = drive(Response{Status: 503, Header: h("Retry-After", "Wed, 02 Dec 2026 01:00:07 GMT", "Date", "Wed, 02 Dec 2026 01:00:00 GMT")}, ok)
	require.NoError(t, err)
	assert.Equal(t, 200, out.Status)
	assert.Equal(t, []time.Duration{7 * time.Second}, waits, "an HTTP-date less the Date field")

	// Too long a delay: no retry, the error carries it.
	out, waits, sent, err = drive(Response{Status: 429, Header: h("Retry-After", "3600")})
	require.NoError(t, err)
	assert.Empty(t, waits)
	assert.Equal(t, 1, sent)
	var he *HTTPError
	require.ErrorAs(t, httpError(out), &he)
	assert.Equal(t, time.Hour, he.RetryAfter)
	assert.True(t, he.Temporary())
	assert.Contains(t, he.Error(), "retry after 1h0m0s")

	// Refused again and again: MaxRetries retries, then the answer.
	out, waits, sent, _ = drive(Response{Status: 503, Header: h("Retry-After", "1")})
	assert.Len(t, waits, MaxRetries)
	assert.Equal(t, MaxRetries+1, sent)
	require.ErrorAs(t, httpError(out), &he)
	assert.Equal(t, time.Second, he.RetryAfter)

	// No or unreadable Retry-After: no retry.
	for _, hd := range []Header{nil, h("Retry-After", "soon"), h("Retry-After", "Wed, 02 Dec 2026 01:00:07 GMT")} {
		_, waits, sent, _ = drive(Response{Status: 429, Header: hd})
		assert.Empty(t, waits)
		assert.Equal(t, 1, sent)
	}
	// A 500 is never retried.
	_, waits, _, _ = drive(Response{Status: 500, Header: h("Retry-After", "1")})
	assert.Empty(t, waits)

	// Through API, the error of a refused call carries the delay.
	s := testSession(t)
	_, _, err = run(ListMailboxes(s, email.ListMailboxesOptions{}), func(Request) Response {
		return Response{Status: 429, Header: h("Retry-After", "120")}
	})
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 2*time.Minute, he.RetryAfter)
}

// netDriver answers a lowered machine: reads get the next server reply,
// a read with Wait times out, readErr fails the read after the replies.
type netDriver struct {
	replies []string
	readErr error
	waits   []time.Duration
	written strings.Builder
}

func (d *netDriver) run(m coroutine.NetMachine[Response]) (Response, error) {
	var in coroutine.NetReply
	for range 1000 {
		req, done := m.Resume(in)
		if done {
			return m.Result()
		}
		in = coroutine.NetReply{}
		switch {
		case req.Op == coroutine.NetWrite:
			d.written.Write(req.Data)
		case req.Op == coroutine.NetRead && req.Wait > 0:
			d.waits = append(d.waits, req.Wait)
			in.TimedOut = true
		case req.Op == coroutine.NetRead && len(d.replies) > 0:
			in.Data = []byte(d.replies[0])
			d.replies = d.replies[1:]
		case req.Op == coroutine.NetRead && d.readErr != nil:
			in.Err = d.readErr
		default:
			in.EOF = true
		}
	}
	return Response{}, errors.New("no end")
}

// TestOverNetTransportErrors: the sans-I/O HTTP/1.1 path reports what the
// net/http driver reports: ErrTransport with the driver's error for a
// reset, and ErrProtocol too for a reply that is not HTTP; a Retry-After
// pause becomes a timed read.
func TestOverNetTransportErrors(t *testing.T) {
	reset := errors.New("connection reset by peer")
	get := func() coroutine.NetMachine[Response] {
		return OverNet(Fetch(Request{Method: "GET", URL: "http://h/a"}), "http://h")
	}

	d := &netDriver{readErr: reset}
	_, err := d.run(get())
	assert.ErrorIs(t, err, ErrTransport)
	assert.ErrorIs(t, err, reset)
	assert.NotErrorIs(t, err, email.ErrProtocol, "a reset is not a protocol error")

	d = &netDriver{replies: []string{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}, readErr: reset}
	_, err = d.run(get())
	assert.ErrorIs(t, err, ErrTransport, "a reset mid-body")
	assert.ErrorIs(t, err, reset)

	for _, garbage := range []string{"* OK IMAP4rev1 ready\r\n", "SSH-2.0-OpenSSH_9.2\r\n", "HTTP/1.1 abc\r\n\r\n", "\x16\x03\x01\x00\x05hello"} {
		d = &netDriver{replies: []string{garbage}}
		_, err = d.run(get())
		assert.ErrorIs(t, err, ErrTransport, "%q", garbage)
		assert.ErrorIs(t, err, email.ErrProtocol, "%q", garbage)
	}
	d = &netDriver{replies: []string{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}}
	_, err = d.run(get())
	assert.ErrorIs(t, err, ErrTransport, "EOF mid-body")
	assert.ErrorIs(t, err, email.ErrProtocol)

	// 503 with Retry-After, then 200, on one kept-alive connection.
	d = &netDriver{replies: []string{"HTTP/1.1 503 Busy\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}}
	out, err := d.run(get())
	require.NoError(t, err)
	assert.Equal(t, 200, out.Status)
	assert.Equal(t, "ok", string(out.Body))
	assert.Equal(t, []time.Duration{3 * time.Second}, d.waits)
	assert.Equal(t, 2, strings.Count(d.written.String(), "GET /a HTTP/1.1\r\n"))
}
