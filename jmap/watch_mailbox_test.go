package jmap

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// TestWatchNoHotLoop: a push endpoint that answers 200 with no event at
// once must not be hammered: the machine waits an interval between tries.
func TestWatchNoHotLoop(t *testing.T) {
	s := testSession(t)
	s.EventSourceURL = "http://127.0.0.1:18080/es?types={types}&closeafter={closeafter}&ping={ping}"
	m := WatchMailbox(s, "mb", WatchOptions{Interval: time.Minute, Ping: 5})
	var in Response
	pushes, waits := 0, 0
	var events []email.WatchEvent
	for range 200 {
		req, done := m.Resume(in)
		if done {
			_, err := m.Result()
			require.NoError(t, err)
			t.Fatal("watch ended")
		}
		in = Response{}
		switch {
		case req.Event != nil:
			events = append(events, *req.Event)
		case req.Method == "" && req.Wait > 0:
			assert.Equal(t, time.Minute, req.Wait)
			waits++
		case req.Method == "GET":
			assert.Equal(t, "http://127.0.0.1:18080/es?types=Email&closeafter=state&ping=5", req.URL)
			assert.Equal(t, "text/event-stream", req.Header.Get("Accept"))
			pushes++
			in = Response{Status: 200, Body: []byte(": nothing\n\n")}
		case strings.Contains(string(req.Body), "Email/queryChanges"):
			in = Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/queryChanges",{"newQueryState":"q","removed":[],"added":[]},"q"],["Email/changes",{"newState":"1"},"c"]]}`)}
		default:
			in = Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/query",{"queryState":"q","canCalculateChanges":true,"ids":[],"total":0},"q"],["Email/get",{"state":"1","list":[]},"s"],["Email/get",{"state":"1","list":[]},"g"]]}`)}
		}
		if pushes >= 3 {
			break
		}
	}
	assert.GreaterOrEqual(t, waits, pushes-1, "one wait per eventless push response")
	// Nothing changed on the server: each eventless push response that was
	// answered (the loop stops on the third request) is one keep-alive.
	require.Len(t, events, pushes-1)
	for _, e := range events {
		assert.Equal(t, email.WatchEvent{Kind: email.KeepAlive}, e)
	}
}
