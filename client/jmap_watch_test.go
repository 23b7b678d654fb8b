package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

var errStop = errors.New("stop")

// TestJMAPCyrusWatchPolls: Cyrus answers the eventSourceUrl with 204, so
// the watch polls; changes made over JMAP show up as events.
func TestJMAPCyrusWatchPolls(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, jc, box := cyrus(t)
	first, err := c.AddMessage(ctx, box, bytes.NewReader(msg("w0", "Mon, 1 Jan 2024 10:00:00 +0000")), nil)
	require.NoError(t, err)
	jc.Watch.Interval = 100 * time.Millisecond
	// A second connection makes the changes: a JMAPClient serves one
	// goroutine at a time.
	other, err := client.DialJMAP(ctx, jc.Session().URL, basic("alice", "alicepass"))
	require.NoError(t, err)

	var mu sync.Mutex
	var events []email.WatchEvent
	step := 0
	var added string
	err = jc.WatchMailbox(ctx, box, func(ev email.WatchEvent) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
		switch {
		case ev.Kind == email.KeepAlive && step == 0:
			step = 1
			// Make changes from another client on the same account.
			go func() {
				id, err := other.AddMessage(context.Background(), box, bytes.NewReader(msg("w1", "Mon, 1 Jan 2024 11:00:00 +0000")), nil)
				if err == nil {
					mu.Lock()
					added = id
					mu.Unlock()
					_ = other.StoreFlags(context.Background(), box, []string{first}, email.FlagAdd, email.ParseFlags(`\Flagged`))
				}
			}()
		case ev.Kind == email.FlagsAdded:
			step = 2
			go func() { _ = other.DeleteMessages(context.Background(), box, []string{first}) }()
		case ev.Kind == email.EnvelopeRemoved:
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop)
	mu.Lock()
	defer mu.Unlock()
	var kinds []email.WatchKind
	for _, ev := range events {
		if ev.Kind != email.KeepAlive {
			kinds = append(kinds, ev.Kind)
		}
		if ev.Kind == email.EnvelopeAdded {
			assert.Equal(t, added, ev.ID)
			assert.Equal(t, "w1", ev.Envelope.Subject)
		}
		if ev.Kind == email.FlagsAdded {
			assert.Equal(t, first, ev.ID)
			assert.True(t, ev.Flags.Equal(email.ParseFlags(`\Flagged`)))
		}
		assert.NotEqual(t, email.MailboxReset, ev.Kind)
	}
	assert.Contains(t, kinds, email.EnvelopeAdded)
	assert.Contains(t, kinds, email.FlagsAdded)
	assert.Equal(t, email.EnvelopeRemoved, kinds[len(kinds)-1])

	// Cancelling the context ends the watch with nil.
	cctx, ccancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer ccancel()
	assert.NoError(t, jc.WatchMailbox(cctx, box, func(email.WatchEvent) error { return nil }))
}

// pushServer is an in-process JMAP server with an EventSource: each
// eventSourceUrl GET blocks until a state change is announced.
type pushServer struct {
	mu      sync.Mutex
	state   int
	emails  map[string]string // id -> keyword
	changes chan struct{}
	subbed  chan struct{}
	garbage bool
}

func (p *pushServer) handler(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/.well-known/jmap":
		fmt.Fprint(w, sessionJSON(""))
	case r.URL.Path == "/es":
		w.Header().Set("Content-Type", "text/event-stream")
		if p.garbage {
			fmt.Fprint(w, strings.Repeat("event: state\ndata: {\"changed\":\n", 30000))
			return
		}
		fmt.Fprint(w, ": hello\n\nevent: ping\ndata: {\"interval\":1}\n\n")
		w.(http.Flusher).Flush()
		if p.subbed != nil {
			p.subbed <- struct{}{}
		}
		select {
		case <-p.changes:
		case <-r.Context().Done():
			return
		}
		p.mu.Lock()
		fmt.Fprintf(w, "event: state\r\ndata: {\"@type\":\"StateChange\",\"changed\":{\"A\":{\"Email\":\"%d\"}}}\r\n\r\n", p.state)
		p.mu.Unlock()
	case r.URL.Path == "/api":
		if mailboxGet(w, r) {
			return
		}
		p.api(w, r)
	default:
		w.WriteHeader(404)
	}
}

func (p *pushServer) api(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	body := new(bytes.Buffer)
	body.ReadFrom(r.Body)
	s := body.String()
	var resp []string
	ids := func() string {
		var out []string
		for id := range p.emails {
			out = append(out, `"`+id+`"`)
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	list := func() string {
		var out []string
		for id, kw := range p.emails {
			out = append(out, `{"id":"`+id+`","mailboxIds":{"mb":true},"keywords":{"`+kw+`":true},"subject":"s`+id+`"}`)
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	st := fmt.Sprint(p.state)
	switch {
	case strings.Contains(s, `"Email/queryChanges"`):
		// Full history is not kept: ask for a resync, the watch relists.
		resp = append(resp, `["error",{"type":"cannotCalculateChanges"},"q"]`, `["Email/changes",{"newState":"`+st+`"},"c"]`)
	case strings.Contains(s, `"Email/query"`) && strings.Contains(s, `"calculateTotal"`):
		resp = append(resp, `["Email/query",{"queryState":"q`+st+`","canCalculateChanges":true,"ids":`+ids()+`,"total":`+fmt.Sprint(len(p.emails))+`},"q"]`, `["Email/get",{"state":"`+st+`","list":[]},"s"]`)
	case strings.Contains(s, `"Email/query"`):
		resp = append(resp, `["Email/query",{"ids":`+ids()+`},"q"]`, `["Email/get",{"state":"`+st+`","list":`+list()+`},"g"]`)
	}
	fmt.Fprint(w, `{"methodResponses":[`+strings.Join(resp, ",")+`]}`)
}

func (p *pushServer) change(f func()) {
	<-p.subbed
	p.mu.Lock()
	f()
	p.state++
	p.mu.Unlock()
	p.changes <- struct{}{}
}

func TestJMAPWatchPush(t *testing.T) {
	p := &pushServer{emails: map[string]string{"e1": "$seen"}, changes: make(chan struct{}), subbed: make(chan struct{}, 16)}
	srv := httptest.NewServer(http.HandlerFunc(p.handler))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	jc, err := client.DialJMAP(ctx, srv.URL, bearer(secretAuth))
	require.NoError(t, err)
	var events []email.WatchEvent
	go p.change(func() { p.emails["e2"] = "$draft" })
	err = jc.WatchMailbox(ctx, "m", func(ev email.WatchEvent) error {
		events = append(events, ev)
		switch len(events) {
		case 1:
			go p.change(func() { p.emails["e1"] = "$flagged"; delete(p.emails, "e2") })
		case 4:
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop)
	require.Len(t, events, 4)
	assert.Equal(t, email.EnvelopeAdded, events[0].Kind)
	assert.Equal(t, "e2", events[0].ID)
	kinds := map[email.WatchKind]email.WatchEvent{}
	for _, ev := range events[1:] {
		kinds[ev.Kind] = ev
	}
	assert.True(t, kinds[email.FlagsAdded].Flags.Equal(email.ParseFlags(`\Flagged`)))
	assert.True(t, kinds[email.FlagsRemoved].Flags.Equal(email.ParseFlags(`\Seen`)))
	assert.Equal(t, "e2", kinds[email.EnvelopeRemoved].ID)
}

func TestJMAPWatchGarbageStream(t *testing.T) {
	p := &pushServer{emails: map[string]string{}, changes: make(chan struct{}), garbage: true}
	srv := httptest.NewServer(http.HandlerFunc(p.handler))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	jc, err := client.DialJMAP(ctx, srv.URL, bearer(secretAuth))
	require.NoError(t, err)
	err = jc.WatchMailbox(ctx, "m", func(email.WatchEvent) error { return nil })
	require.Error(t, err)
	assert.ErrorIs(t, err, email.ErrTooLarge, "an endless stream of garbage is cut at the bound")
}
