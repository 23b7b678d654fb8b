package client_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

// TestJMAPSessionPlainURLsRefused: a session fetched over https whose
// apiUrl, downloadUrl, uploadUrl or eventSourceUrl is plain http is
// refused with email.ErrInsecure, and nothing reaches that http URL (the
// Basic credentials would go in clear, loopback or not).
func TestJMAPSessionPlainURLsRefused(t *testing.T) {
	ctx := context.Background()
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { plainHits.Add(1) }))
	defer plain.Close()
	for _, field := range []string{"apiUrl", "downloadUrl", "uploadUrl", "eventSourceUrl"} {
		t.Run(field, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := strings.Replace(sessionJSON(""), `"`+field+`":"`, `"`+field+`":"`+plain.URL, 1)
				fmt.Fprint(w, s)
			}))
			defer srv.Close()
			_, err := client.DialJMAP(ctx, srv.URL+"/session", &client.Options{Auth: client.Password("alice", "alicepass"), HTTPClient: srv.Client()})
			require.Error(t, err)
			assert.ErrorIs(t, err, email.ErrInsecure)
			assert.NotContains(t, err.Error(), "YWxpY2U6YWxpY2VwYXNz")
		})
	}
	assert.Zero(t, plainHits.Load(), "no request went out in clear")

	// Over plain http (loopback), an http URL on another host is refused,
	// an https one allowed.
	other := func(api string) error {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, strings.Replace(sessionJSON(""), `"apiUrl":"/api"`, `"apiUrl":"`+api+`"`, 1))
		}))
		defer srv.Close()
		_, err := client.DialJMAP(ctx, srv.URL+"/session", bearer(secretAuth))
		return err
	}
	assert.ErrorIs(t, other("http://mail.example/api"), email.ErrInsecure)
	assert.NoError(t, other("https://mail.example/api"))
}

// rawServer serves the session with net/http framing, then answers each
// API request with hostile(conn) on the raw connection.
func rawServer(t *testing.T, hostile func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					if req.URL.Path != "/session" {
						hostile(conn)
						return
					}
					body := sessionJSON("")
					fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/session"
}

// TestJMAPTransportErrors: failures below HTTP match jmap.ErrTransport and
// the underlying error; a reply that is not HTTP matches email.ErrProtocol
// too.
func TestJMAPTransportErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name       string
		hostile    func(net.Conn)
		protocol   bool
		underlying error
	}{
		{"not HTTP", func(c net.Conn) { fmt.Fprint(c, "* OK IMAP4rev1 Service Ready\r\n") }, true, nil},
		{"bad status line", func(c net.Conn) { fmt.Fprint(c, "HTTP/1.1 abc\r\n\r\n") }, true, nil},
		{"reset", func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) }, false, nil},
		{"EOF before the status", func(c net.Conn) {}, false, io.EOF},
		{"EOF mid-body", func(c net.Conn) {
			fmt.Fprint(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"methodResponses\":")
		}, true, io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jc, err := client.DialJMAP(ctx, rawServer(t, c.hostile), bearer(secretAuth))
			require.NoError(t, err)
			_, err = jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
			require.Error(t, err)
			assert.ErrorIs(t, err, jmap.ErrTransport)
			var op *email.OpError
			assert.True(t, errors.As(err, &op))
			if c.protocol {
				assert.ErrorIs(t, err, email.ErrProtocol)
			}
			if c.underlying != nil {
				assert.ErrorIs(t, err, c.underlying)
			}
			if c.name == "reset" {
				assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF), "%v", err)
			}
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

// TestJMAPRetryAfter: 429 and 503 with Retry-After are retried after the
// delay; a delay over jmap.MaxRetryAfter comes back in the error.
func TestJMAPRetryAfter(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	var mode atomic.Value
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch mode.Load().(string) {
		case "429 once":
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(429)
				return
			}
		case "503 by date":
			if n == 1 {
				now := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
				w.Header().Set("Date", now.Format(http.TimeFormat))
				w.Header().Set("Retry-After", now.Format(http.TimeFormat))
				w.WriteHeader(503)
				return
			}
		case "too long":
			w.Header().Set("Retry-After", strconv.Itoa(3600))
			w.WriteHeader(429)
			return
		}
		fmt.Fprint(w, mailboxTree)
	})
	jc, err := client.DialJMAP(ctx, srv.URL, bearer(secretAuth))
	require.NoError(t, err)
	for _, m := range []string{"429 once", "503 by date"} {
		mode.Store(m)
		calls.Store(0)
		boxes, err := jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
		require.NoError(t, err, m)
		assert.Len(t, boxes, 2)
		assert.Equal(t, int32(2), calls.Load(), "%s: retried once", m)
	}
	mode.Store("too long")
	calls.Store(0)
	_, err = jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
	var he *jmap.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 429, he.Status)
	assert.Equal(t, time.Hour, he.RetryAfter)
	assert.Equal(t, int32(1), calls.Load(), "not retried")
}
