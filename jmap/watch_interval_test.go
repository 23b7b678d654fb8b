package jmap

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWatchPollsEvery5s: without push and without an interval, the watch
// polls every DefaultPollInterval, 5 s; an interval given is kept.
func TestWatchPollsEvery5s(t *testing.T) {
	assert.Equal(t, 5*time.Second, DefaultPollInterval)
	for _, c := range []struct {
		opts WatchOptions
		want time.Duration
	}{{WatchOptions{}, 5 * time.Second}, {WatchOptions{NoPush: true}, 5 * time.Second}, {WatchOptions{Interval: time.Minute}, time.Minute}} {
		s := testSession(t)
		s.EventSourceURL = ""
		m := WatchMailbox(s, "mb", c.opts)
		var in Response
		var wait time.Duration
		for range 20 {
			req, done := m.Resume(in)
			require.False(t, done)
			in = Response{}
			if req.Method == "" && req.Wait > 0 {
				wait = req.Wait
				break
			}
			if req.Method != "" {
				in = Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/query",{"queryState":"q","canCalculateChanges":true,"ids":[],"total":0},"q"],["Email/get",{"state":"1","list":[]},"s"],["Email/get",{"state":"1","list":[]},"g"]]}`)}
			}
		}
		assert.Equal(t, c.want, wait, "%+v", c.opts)
	}
}
