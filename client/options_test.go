package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// scriptedIMAP serves one connection: it sends greeting, then answers each
// command line with answer(tag, rest) (a nil answer closes), and records
// the lines it received.
func scriptedIMAP(t *testing.T, greeting string, answer func(tag, rest string) []string) (addr string, lines func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var got []string
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(greeting + "\r\n"))
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			mu.Lock()
			got = append(got, line)
			mu.Unlock()
			tag, rest, _ := strings.Cut(line, " ")
			out := answer(tag, rest)
			if out == nil {
				return
			}
			for _, l := range out {
				c.Write([]byte(l + "\r\n"))
			}
		}
	}()
	return ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// okAll answers every command with OK (and LOGOUT with BYE).
func okAll(tag, rest string) []string {
	if strings.HasPrefix(strings.ToUpper(rest), "LOGOUT") {
		return []string{"* BYE bye", tag + " OK done"}
	}
	return []string{tag + " OK done"}
}

func TestDialIMAPAuthRequired(t *testing.T) {
	ctx := tctx(t)
	addr := memIMAP(t)
	// No Auth against a server that did not greet PREAUTH: a clear error.
	_, err := DialIMAP(ctx, "imap://"+addr, &Options{AllowPlaintext: true})
	require.ErrorIs(t, err, ErrAuthRequired)
	var oe *email.OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "connect", oe.Op)

	// Unauthenticated opts in to a session that is not logged in.
	ic, err := DialIMAP(ctx, "imap://"+addr, &Options{AllowPlaintext: true, Unauthenticated: true})
	require.NoError(t, err)
	assert.Equal(t, imap.StateNotAuthenticated, ic.Session().State)
	require.NoError(t, ic.Close())

	// A PREAUTH server needs no Auth.
	pre, _ := scriptedIMAP(t, "* PREAUTH [CAPABILITY IMAP4rev1] ready", okAll)
	ic, err = DialIMAP(ctx, "imap://"+pre, &Options{AllowPlaintext: true})
	require.NoError(t, err)
	assert.True(t, ic.Open.PreAuth)
	ic.Close()
}

func TestDialIMAPOAuthMechanism(t *testing.T) {
	for _, tc := range []struct{ caps, want string }{
		{"AUTH=XOAUTH2", "XOAUTH2"},
		{"AUTH=OAUTHBEARER AUTH=XOAUTH2", "OAUTHBEARER"},
		{"AUTH=OAUTHBEARER", "OAUTHBEARER"},
	} {
		t.Run(tc.want+" of "+tc.caps, func(t *testing.T) {
			addr, lines := scriptedIMAP(t, "* OK [CAPABILITY IMAP4rev1 SASL-IR "+tc.caps+"] hi", okAll)
			var calls atomic.Int32
			ts := TokenFunc(func(context.Context) (string, error) {
				calls.Add(1)
				return "tok-secret", nil
			})
			ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: OAuth2("alice@example.test", ts)})
			require.NoError(t, err)
			ic.Close()
			assert.EqualValues(t, 1, calls.Load())
			var auth string
			for _, l := range lines() {
				if strings.Contains(l, "AUTHENTICATE") {
					auth = l
				}
			}
			f := strings.Fields(auth)
			require.Len(t, f, 4, auth)
			assert.Equal(t, tc.want, f[2])
			ir, err := base64.StdEncoding.DecodeString(f[3])
			require.NoError(t, err)
			assert.Contains(t, string(ir), "auth=Bearer tok-secret")
			assert.Contains(t, string(ir), "alice@example.test")
		})
	}
}

func TestDialIMAPTokenSourceFails(t *testing.T) {
	addr, _ := scriptedIMAP(t, "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] hi", okAll)
	boom := errors.New("refresh token revoked")
	_, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true,
		Auth: OAuth2("alice", TokenFunc(func(context.Context) (string, error) { return "", boom }))})
	require.ErrorIs(t, err, boom)
}

func TestDialerOption(t *testing.T) {
	addr := memIMAP(t)
	var dialed []string
	var mu sync.Mutex
	dialer := func(ctx context.Context, network, a string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, network+" "+a)
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, addr) // whatever the URL says
	}
	ic, err := DialIMAP(tctx(t), "imap://mail.example.invalid:143", &Options{AllowPlaintext: true, Auth: plainAlice(), Dialer: dialer})
	require.NoError(t, err)
	_, err = ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.NoError(t, err)
	ic.Close()

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"apiUrl":"http://%s/api","downloadUrl":"http://%s/d","uploadUrl":"http://%s/u","eventSourceUrl":"http://%s/e","accounts":{"a":{"name":"a","isPersonal":true,"accountCapabilities":{"urn:ietf:params:jmap:mail":{}}}},"primaryAccounts":{"urn:ietf:params:jmap:mail":"a"},"capabilities":{"urn:ietf:params:jmap:core":{}},"username":"alice","state":"1"}`, r.Host, r.Host, r.Host, r.Host)
	}))
	defer srv.Close()
	jmapDialer := func(ctx context.Context, network, a string) (net.Conn, error) {
		mu.Lock()
		dialed = append(dialed, network+" "+a)
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}
	_, err = DialJMAP(tctx(t), "http://127.0.0.2:9/", &Options{Dialer: jmapDialer})
	require.NoError(t, err)
	assert.Equal(t, []string{"tcp mail.example.invalid:143", "tcp 127.0.0.2:9"}, dialed)
}

// jmapSessionServer serves a minimal JMAP session and records the
// Authorization header of every request.
func jmapSessionServer(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api" {
			fmt.Fprint(w, `{"methodResponses":[["Mailbox/get",{"accountId":"a","state":"1","list":[],"notFound":[]},"0"]],"sessionState":"1"}`)
			return
		}
		fmt.Fprintf(w, `{"apiUrl":"http://%s/api","downloadUrl":"http://%s/d/{accountId}/{blobId}/{name}?type={type}","uploadUrl":"http://%s/u/{accountId}","eventSourceUrl":"http://%s/e","accounts":{"a":{"name":"a","isPersonal":true,"accountCapabilities":{"urn:ietf:params:jmap:mail":{}}}},"primaryAccounts":{"urn:ietf:params:jmap:mail":"a"},"capabilities":{"urn:ietf:params:jmap:core":{},"urn:ietf:params:jmap:mail":{}},"username":"alice","state":"1"}`, r.Host, r.Host, r.Host, r.Host)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), auths...)
	}
}

func TestJMAPOAuth2RefreshesAndTraceRedacts(t *testing.T) {
	srv, auths := jmapSessionServer(t)
	var n atomic.Int32
	ts := TokenFunc(func(context.Context) (string, error) {
		return fmt.Sprintf("tok-%d", n.Add(1)), nil
	})
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	jc, err := DialJMAP(tctx(t), srv.URL, &Options{Auth: OAuth2("alice", ts), Logger: logger, Trace: true})
	require.NoError(t, err)
	_, err = jc.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.NoError(t, err)
	got := auths()
	require.GreaterOrEqual(t, len(got), 2)
	assert.Equal(t, "Bearer tok-1", got[0], "discovery")
	assert.Equal(t, fmt.Sprintf("Bearer tok-%d", len(got)), got[len(got)-1], "a fresh token for every request")
	assert.Contains(t, log.String(), "Authorization: Bearer <redacted>")
	assert.Contains(t, log.String(), "Mailbox/get")
	assert.NotContains(t, log.String(), "tok-")

	// Password is HTTP Basic.
	srv2, auths2 := jmapSessionServer(t)
	_, err = DialJMAP(tctx(t), srv2.URL, &Options{Auth: Password("alice", "pw")})
	require.NoError(t, err)
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("alice:pw")), auths2()[0])

	// The watch interval reaches the client.
	jc, err = DialJMAP(tctx(t), srv2.URL, &Options{WatchInterval: 1234 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, 1234*time.Millisecond, jc.Watch.Interval)

	// A custom SASL mechanism has no JMAP form.
	_, err = DialJMAP(tctx(t), srv2.URL, &Options{Auth: SASL(nil)})
	require.ErrorIs(t, err, email.ErrUnsupported)
}

func TestIMAPTraceRedacts(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ic, err := DialIMAP(tctx(t), "imap://"+memIMAP(t), &Options{AllowPlaintext: true, Auth: Password("alice", "alicepass"), Logger: logger, Trace: true})
	require.NoError(t, err)
	_, err = ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.NoError(t, err)
	ic.Close()
	out := log.String()
	assert.Contains(t, out, "<redacted>")
	assert.Contains(t, out, "LIST")
	assert.NotContains(t, out, "alicepass")
	assert.NotContains(t, out, base64.StdEncoding.EncodeToString([]byte("\x00alice\x00alicepass")))
}

func TestWireTraceRedaction(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tr := newWireTrace(&Options{Logger: logger, Trace: true}, "imap")
	tr.sent([]byte("A1 LOGIN alice {6}\r\n"))
	tr.received([]byte("+ go ahead\r\n"))
	tr.sent([]byte("s3cret\r\n"))
	tr.received([]byte("A1 NO [AUTHENTICATIONFAILED] LOGIN alice s3cret failed\r\n"))
	tr.sent([]byte("A2 AUTHENTICATE PLAIN\r\n"))
	tr.received([]byte("+ \r\n"))
	tr.sent([]byte("AGFsaWNlAHMzY3JldA==\r\n"))
	tr.received([]byte("* CAPABILITY IMAP4rev1\r\nA2 OK in\r\n"))
	tr.sent([]byte("A3 SELECT INBOX\r\n"))
	out := log.String()
	assert.NotContains(t, out, "s3cret")
	assert.NotContains(t, out, "AGFsaWNl")
	assert.Contains(t, out, "A1 LOGIN <redacted>")
	assert.Contains(t, out, "A2 AUTHENTICATE PLAIN <redacted>")
	assert.Contains(t, out, "A3 SELECT INBOX", "tracing goes on after the login")
	assert.Contains(t, out, "CAPABILITY IMAP4rev1")

	log.Reset()
	tr = newWireTrace(&Options{Logger: logger, Trace: true}, "smtp")
	tr.sent([]byte("AUTH LOGIN\r\n"))
	tr.received([]byte("334 VXNlcm5hbWU6\r\n"))
	tr.sent([]byte("YWxpY2U=\r\n"))
	tr.received([]byte("334 UGFzc3dvcmQ6\r\n"))
	tr.sent([]byte("czNjcmV0\r\n"))
	tr.received([]byte("235 2.7.0 ok\r\n"))
	tr.sent([]byte("MAIL FROM:<a@example.test>\r\n"))
	out = log.String()
	assert.NotContains(t, out, "czNjcmV0")
	assert.NotContains(t, out, "YWxpY2U=")
	assert.Contains(t, out, "AUTH LOGIN <redacted>")
	assert.Contains(t, out, "MAIL FROM:<a@example.test>")

	assert.Nil(t, newWireTrace(&Options{Trace: true}, "imap"), "no logger, no trace")
}

func TestAuthPrintsNoSecret(t *testing.T) {
	o := &Options{Auth: Password("alice", "hunter2")}
	for _, s := range []string{fmt.Sprint(o.Auth), fmt.Sprintf("%+v", *o), fmt.Sprintf("%#v", o.Auth), Bearer("bob", "tok-hunter2").String()} {
		assert.NotContains(t, s, "hunter2")
	}
	assert.Contains(t, fmt.Sprint(o.Auth), "alice")
}

func TestReconnectPolicy(t *testing.T) {
	var zero ReconnectPolicy
	assert.Equal(t, 5, zero.Attempts())
	assert.Equal(t, 0, NoReconnect.Attempts())
	assert.Equal(t, DefaultReconnect.MinDelay, zero.Delay(1))
	assert.Equal(t, 2*DefaultReconnect.MinDelay, zero.Delay(2))
	assert.Equal(t, DefaultReconnect.MaxDelay, zero.Delay(50))
	p := ReconnectPolicy{MinDelay: 3, MaxDelay: 10}
	assert.EqualValues(t, []int64{3, 6, 10, 10}, []int64{int64(p.Delay(1)), int64(p.Delay(2)), int64(p.Delay(3)), int64(p.Delay(4))})
	ic, err := DialIMAP(tctx(t), "imap://"+memIMAP(t), &Options{AllowPlaintext: true, Auth: plainAlice(), Reconnect: &NoReconnect})
	require.NoError(t, err)
	defer ic.Close()
	assert.Equal(t, 0, ic.opts.reconnectPolicy().Attempts(), "the client keeps its dial options")
}

// TestJMAPConcurrentUse runs calls on one JMAPClient from many goroutines
// (under -race in CI), with the session going stale on the way so that it
// is fetched again while other calls use it.
func TestJMAPConcurrentUse(t *testing.T) {
	var requests atomic.Int64
	var apiCalls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api" {
			// Every tenth answer says the session changed.
			st := "1"
			if apiCalls.Add(1)%10 == 0 {
				st = "2"
			}
			fmt.Fprintf(w, `{"methodResponses":[["Mailbox/get",{"accountId":"a","state":"1","list":[{"id":"m1","name":"Inbox","role":"inbox"}],"notFound":[]},"0"]],"sessionState":"%s"}`, st)
			return
		}
		fmt.Fprintf(w, `{"apiUrl":"http://%s/api","downloadUrl":"http://%s/d/{accountId}/{blobId}/{name}?type={type}","uploadUrl":"http://%s/u/{accountId}","eventSourceUrl":"http://%s/e","accounts":{"a":{"name":"a","isPersonal":true,"accountCapabilities":{"urn:ietf:params:jmap:mail":{}}}},"primaryAccounts":{"urn:ietf:params:jmap:mail":"a"},"capabilities":{"urn:ietf:params:jmap:core":{},"urn:ietf:params:jmap:mail":{}},"username":"alice","state":"1"}`, r.Host, r.Host, r.Host, r.Host)
	}))
	defer srv.Close()
	jc, err := DialJMAP(tctx(t), srv.URL, &Options{Auth: Bearer("alice", "t")})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8*25)
	for range 8 {
		wg.Go(func() {
			for range 25 {
				boxes, err := jc.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
				if err == nil && len(boxes) != 1 {
					err = fmt.Errorf("got %d mailboxes", len(boxes))
				}
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, requests.Load(), jc.Exchanges(), "every exchange counted once")
	assert.Greater(t, requests.Load(), apiCalls.Load(), "stale sessions were fetched again")
}

func TestJMAPClosed(t *testing.T) {
	srv, _ := jmapSessionServer(t)
	c := New()
	require.NoError(t, c.ConnectJMAP(tctx(t), srv.URL, nil))
	jc := c.JMAP()
	_, err := jc.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.NoError(t, err)
	require.NoError(t, c.Close(), "the Client closes its JMAP backend")
	_, err = c.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.ErrorIs(t, err, ErrClosed)
	var oe *email.OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "list_mailboxes", oe.Op)
}

// TestIMAPLoginEchoScrubbed: a server that echoes the LOGIN line in its
// NO reply does not put the password into the error text or the log.
func TestIMAPLoginEchoScrubbed(t *testing.T) {
	addr, _ := scriptedIMAP(t, "* OK [CAPABILITY IMAP4rev1] hi", func(tag, rest string) []string {
		if strings.HasPrefix(rest, "LOGIN") {
			return []string{tag + " NO [AUTHENTICATIONFAILED] refused: " + rest}
		}
		return okAll(tag, rest)
	})
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	_, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: Password("alice", "hunter2-pw"), Logger: logger})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2-pw")
	assert.Contains(t, err.Error(), "refused")
	var ce *imap.CommandError
	assert.ErrorAs(t, err, &ce, "the typed error is still reachable")
	assert.NotContains(t, log.String(), "hunter2-pw")
}

func TestAuthScrub(t *testing.T) {
	inner := fmt.Errorf("server said: bad token tok-abc123 for pw hunter2-pw: %w", email.ErrProtocol)
	err := Password("alice", "hunter2-pw").scrub(inner, "tok-abc123")
	assert.Equal(t, "server said: bad token <redacted> for pw <redacted>: email: protocol error", err.Error())
	assert.ErrorIs(t, err, email.ErrProtocol, "the chain is kept")
	clean := errors.New("nothing secret")
	assert.Same(t, clean, Password("alice", "hunter2-pw").scrub(clean, ""))
}
