package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

const secretAuth = "Bearer s3cr3t-t0ken"

func sessionJSON(base string) string {
	return `{"username":"u","apiUrl":"` + base + `/api","downloadUrl":"/dl/{accountId}/{blobId}","uploadUrl":"/up/{accountId}","eventSourceUrl":"/es?types={types}&closeafter={closeafter}&ping={ping}","state":"s1",
	"capabilities":{"urn:ietf:params:jmap:core":{"maxCallsInRequest":8,"maxObjectsInGet":100,"maxObjectsInSet":100},"urn:ietf:params:jmap:mail":{},"urn:x:unknown":{}},
	"accounts":{"A":{"accountCapabilities":{"urn:ietf:params:jmap:mail":{}}}},"primaryAccounts":{"urn:ietf:params:jmap:mail":"A"}}`
}

// hostile starts a server whose session is sane and whose API endpoint is
// api.
func hostile(t *testing.T, api http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/jmap":
			http.Redirect(w, r, "/session", http.StatusMovedPermanently)
		case "/session":
			if r.Header.Get("Authorization") != secretAuth {
				w.WriteHeader(401)
				return
			}
			fmt.Fprint(w, sessionJSON(""))
		default:
			api(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// mailboxTree is the Mailbox/get answer of the scripted servers: the inbox
// and a mailbox "m" (id "mb").
const mailboxTree = `{"methodResponses":[["Mailbox/get",{"state":"m1","list":[{"id":"in","name":"Inbox","parentId":null,"role":"inbox"},{"id":"mb","name":"m","parentId":null,"role":null}]},"0"]]}`

// mailboxGet answers the name lookup of the client (a request holding a
// Mailbox/get alone) with mailboxTree; it reports whether it did.
func mailboxGet(w http.ResponseWriter, r *http.Request) bool {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !bytes.Contains(body, []byte(`"Mailbox/get"`)) || bytes.Count(body, []byte(`"accountId"`)) != 1 {
		return false
	}
	fmt.Fprint(w, mailboxTree)
	return true
}

func TestJMAPHostileServer(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		api  http.HandlerFunc
		want error
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) }, email.ErrRefused},
		{"429", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }, email.ErrProtocol},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500); fmt.Fprint(w, "oops") }, email.ErrProtocol},
		{"request-level error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"type":"urn:ietf:params:jmap:error:notRequest","status":400}`)
		}, email.ErrProtocol},
		{"serverFail", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"methodResponses":[["error",{"type":"serverFail","description":"Internal Error"},"0"]]}`)
		}, email.ErrProtocol},
		{"method error unknownMethod", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"methodResponses":[["error",{"type":"unknownMethod"},"0"]]}`)
		}, email.ErrUnsupported},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"methodResponses":[["Mailbox/get",{"li`) }, email.ErrProtocol},
		{"invalid JSON", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<html>hello</html>`) }, email.ErrProtocol},
		{"wrong shape", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"methodResponses":{"a":1}}`) }, email.ErrProtocol},
		{"1 GB Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1073741824")
			w.WriteHeader(200)
			fmt.Fprint(w, `{"methodResponses":[`)
		}, email.ErrTooLarge},
		{"endless body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			chunk := []byte(strings.Repeat("garbage ", 8192))
			for range 1 << 14 { // up to 1 GiB, stopped by the client
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, email.ErrTooLarge},
		{"connection cut mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			fmt.Fprint(w, `{"methodResponses":[`)
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
		}, email.ErrProtocol},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
		}, jmap.ErrRedirectLoop},
		{"redirect nowhere", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "gopher://x")
			w.WriteHeader(307)
		}, email.ErrProtocol},
		{"missing response", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"methodResponses":[]}`) }, email.ErrProtocol},
		{"notUpdated", func(w http.ResponseWriter, r *http.Request) {
			if mailboxGet(w, r) {
				return
			}
			fmt.Fprint(w, `{"methodResponses":[["Email/set",{"notUpdated":{"x":{"type":"forbidden"}}},"u0"]]}`)
		}, email.ErrRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := hostile(t, c.api)
			jc, err := client.DialJMAP(ctx, srv.URL, bearer(secretAuth))
			require.NoError(t, err)
			if c.name == "notUpdated" {
				err = jc.StoreFlags(ctx, "m", []string{"x"}, email.FlagAdd, email.ParseFlags(`\Seen`))
			} else {
				_, err = jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			var op *email.OpError
			assert.True(t, errors.As(err, &op), "%T", err)
			assert.NotContains(t, err.Error(), "s3cr3t")
			assert.Less(t, len(err.Error()), 500)
		})
	}
}

func TestJMAPSessionFailures(t *testing.T) {
	ctx := context.Background()
	srv := hostile(t, nil)
	_, err := client.DialJMAP(ctx, srv.URL, bearer("Bearer wrong"))
	assert.ErrorIs(t, err, email.ErrRefused)
	assert.NotContains(t, err.Error(), "wrong")

	// Plain http to a host that is not loopback: refused before any I/O.
	_, err = client.DialJMAP(ctx, "http://mail.example.invalid/", bearer(secretAuth))
	assert.ErrorIs(t, err, email.ErrInsecure)
	_, err = client.DialJMAP(ctx, "ftp://x/", bearer(secretAuth))
	assert.ErrorIs(t, err, email.ErrInvalidArgument)

	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1073741824")
		w.WriteHeader(200)
	}))
	defer huge.Close()
	_, err = client.DialJMAP(ctx, huge.URL, bearer(secretAuth))
	assert.ErrorIs(t, err, email.ErrTooLarge)

	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/.well-known/jmap", http.StatusFound)
	}))
	defer loop.Close()
	_, err = client.DialJMAP(ctx, loop.URL, bearer(secretAuth))
	assert.ErrorIs(t, err, jmap.ErrRedirectLoop)

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = client.DialJMAP(tctx, slow.URL, bearer(secretAuth))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 4*time.Second, "cancellation is prompt")
}

func TestJMAPSessionStateChange(t *testing.T) {
	ctx := context.Background()
	sessions := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/jmap":
			sessions++
			fmt.Fprint(w, strings.Replace(sessionJSON(""), `"state":"s1"`, fmt.Sprintf(`"state":"s%d"`, sessions), 1))
		default:
			fmt.Fprint(w, `{"methodResponses":[["Mailbox/get",{"list":[]},"0"]],"sessionState":"s2"}`)
		}
	}))
	defer srv.Close()
	jc, err := client.DialJMAP(ctx, srv.URL, bearer(secretAuth))
	require.NoError(t, err)
	_, err = jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	assert.True(t, jc.Session().Stale(), "sessionState s2 differs from s1")
	_, err = jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, sessions, "the session was fetched again")
	assert.Equal(t, "s2", jc.Session().State)
	assert.False(t, jc.Session().Stale())
	_, err = jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, sessions, "no refetch while the state holds")
}
