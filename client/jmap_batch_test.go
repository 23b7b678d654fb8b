package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

var (
	_ interface {
		GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error
	} = (*client.JMAPClient)(nil)
	_ interface {
		EachEnvelope(ctx context.Context, mailbox string, fn func(email.Envelope) error) error
	} = (*client.JMAPClient)(nil)
)

// addBatch adds n messages of growing size to box and returns their ids
// and bytes.
func addBatch(t *testing.T, jc *client.JMAPClient, box string, n int) ([]string, map[string][]byte) {
	ctx := context.Background()
	raws := map[string][]byte{}
	var ids []string
	for i := range n {
		raw := msg(fmt.Sprintf("batch %s %d", box, i), fmt.Sprintf("Mon, %d Jan 2024 10:00:00 +0000", i+1))
		raw = append(raw, bytes.Repeat([]byte("filler line\r\n"), i*500)...)
		id, err := jc.AddMessage(ctx, box, bytes.NewReader(raw), nil)
		require.NoError(t, err)
		ids = append(ids, id)
		raws[id] = raw
	}
	return ids, raws
}

// TestJMAPCyrusGetMessages fetches a batch from Cyrus: every message found
// once with its bytes, fn never called twice at a time, a duplicated id
// delivered once, ids unknown or of another mailbox reported after the
// others as NotFoundErrors; an error from fn stops the fetch as it is, and
// the client stays usable.
func TestJMAPCyrusGetMessages(t *testing.T) {
	ctx := context.Background()
	_, jc, box := cyrus(t)
	ids, raws := addBatch(t, jc, box, 10)
	other := box + "-other"
	require.NoError(t, jc.CreateMailbox(ctx, other))
	t.Cleanup(func() { _ = jc.DeleteMailbox(context.Background(), other) })
	elsewhere, _ := addBatch(t, jc, other, 1)

	ask := append(append([]string{}, ids...), ids[3], "Mnotthere", elsewhere[0])
	got := map[string][]byte{}
	var inFn atomic.Int32
	calls := 0
	err := jc.GetMessages(ctx, box, ask, func(id string, r io.Reader) error {
		require.Equal(t, int32(1), inFn.Add(1), "fn called from one goroutine at a time")
		defer inFn.Add(-1)
		calls++
		if calls%3 == 0 {
			// fn need not read to the end.
			b := make([]byte, 10)
			_, err := io.ReadFull(r, b)
			got[id] = raws[id] // checked below through a full read of the others
			return err
		}
		b, err := io.ReadAll(r)
		got[id] = b
		return err
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, email.ErrNotFound)
	var missing []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var nf *email.NotFoundError
		require.ErrorAs(t, e, &nf)
		missing = append(missing, nf.ID)
	}
	assert.Equal(t, []string{"Mnotthere", elsewhere[0]}, missing)
	assert.Equal(t, 10, calls, "each message once")
	for _, id := range ids {
		assert.Equal(t, string(raws[id]), string(got[id]), id)
	}

	// fn's error stops the fetch, as it is.
	stop := errors.New("enough")
	calls = 0
	err = jc.GetMessages(ctx, box, ids, func(string, io.Reader) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	assert.Equal(t, stop, err)
	assert.Equal(t, 3, calls)
	var buf bytes.Buffer
	_, err = jc.GetMessage(ctx, box, ids[9], &buf)
	require.NoError(t, err, "usable after")
	assert.Equal(t, raws[ids[9]], buf.Bytes())

	// An unknown mailbox fails before fn.
	err = jc.GetMessages(ctx, box+"-none", ids, func(string, io.Reader) error { t.Fatal("called"); return nil })
	assert.ErrorIs(t, err, email.ErrNotFound)
}

// TestJMAPCyrusEachEnvelope lists a mailbox of Cyrus page by page (pages
// of 4 here): every envelope once, in ListEnvelopes's order, and a page is
// asked for only once fn has had the one before.
func TestJMAPCyrusEachEnvelope(t *testing.T) {
	ctx := context.Background()
	_, jc, box := cyrus(t)
	ids, _ := addBatch(t, jc, box, 10)
	want, err := jc.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err)
	jc.Session().Core.MaxObjectsInGet = 4

	var seen []string
	before := jc.Exchanges()
	require.NoError(t, jc.EachEnvelope(ctx, box, func(e email.Envelope) error {
		seen = append(seen, e.ID)
		return nil
	}))
	assert.Equal(t, int64(3), jc.Exchanges()-before, "three pages of 4")
	var wantIDs []string
	for _, e := range want {
		wantIDs = append(wantIDs, e.ID)
	}
	assert.Equal(t, wantIDs, seen, "ListEnvelopes's order")
	sort.Strings(ids)
	sort.Strings(seen)
	assert.Equal(t, ids, seen)

	stop := errors.New("stop")
	n := 0
	before = jc.Exchanges()
	err = jc.EachEnvelope(ctx, box, func(e email.Envelope) error {
		if n++; n == 3 {
			return stop
		}
		assert.True(t, strings.HasPrefix(e.Subject, "batch "), e.Subject)
		return nil
	})
	assert.Equal(t, stop, err)
	assert.Equal(t, int64(1), jc.Exchanges()-before, "the second page was never asked for")
}

// TestJMAPGetMessagesHostile: a download that breaks in the middle of a
// batch stops it with a typed error naming the message; messages over
// MaxMessageSize are refused the same way; the client stays usable.
func TestJMAPGetMessagesHostile(t *testing.T) {
	ctx := context.Background()
	body := strings.Repeat("y", 500)
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if mailboxGet(w, r) {
			return
		}
		switch r.URL.Path {
		case "/dl/A/B2":
			c, _, _ := http.NewResponseController(w).Hijack()
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + body[:100]))
			c.Close()
			return
		case "/dl/A/B1", "/dl/A/B3", "/dl/A/B4":
			io.WriteString(w, body)
			return
		}
		fmt.Fprint(w, `{"methodResponses":[["Email/get",{"state":"1","list":[`+
			`{"id":"e1","blobId":"B1","mailboxIds":{"mb":true},"size":500},`+
			`{"id":"e2","blobId":"B2","mailboxIds":{"mb":true},"size":500},`+
			`{"id":"e3","blobId":"B3","mailboxIds":{"mb":true},"size":500},`+
			`{"id":"e4","blobId":"B4","mailboxIds":{"mb":true},"size":500}],"notFound":[]},"g0"]]}`)
	})
	jc, err := client.DialJMAP(ctx, srv.URL, &client.Options{Auth: client.Bearer("", strings.TrimPrefix(secretAuth, "Bearer "))})
	require.NoError(t, err)
	var got []string
	err = jc.GetMessages(ctx, "m", []string{"e1", "e2", "e3", "e4"}, func(id string, r io.Reader) error {
		b, err := io.ReadAll(r)
		if err == nil {
			got = append(got, id)
			assert.Equal(t, body, string(b))
		}
		return nil
	})
	assert.ErrorIs(t, err, email.ErrProtocol)
	assert.Contains(t, err.Error(), "e2")
	assert.NotContains(t, got, "e2")

	small, err := client.DialJMAP(ctx, srv.URL, &client.Options{Auth: client.Bearer("", strings.TrimPrefix(secretAuth, "Bearer ")), MaxMessageSize: 100})
	require.NoError(t, err)
	err = small.GetMessages(ctx, "m", []string{"e1"}, func(string, io.Reader) error { return nil })
	assert.ErrorIs(t, err, email.ErrTooLarge)

	err = jc.GetMessages(ctx, "m", []string{"e3", "e4"}, func(id string, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		return err
	})
	require.NoError(t, err, "usable after")
}
