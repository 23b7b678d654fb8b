package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// gate is a Dialer that can take the network away: while down it refuses
// every dial and has closed every connection it made.
type gate struct {
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
	refuse chan struct{} // closed at the first dial refused while down
	once   sync.Once
}

func (g *gate) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.down {
		g.once.Do(func() { close(g.refuse) })
		return nil, errors.New("gate: network down")
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err == nil {
		g.conns = append(g.conns, c)
	}
	return c, err
}

func (g *gate) setDown(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
	if down {
		for _, c := range g.conns {
			c.Close()
		}
		g.conns = nil
	}
}

// A JMAP watch outlives the network: its exchanges fail while the network
// is down, are tried again by the reconnect policy, and the change made
// meanwhile (by another client) is reported once the network is back.
func TestJMAPCyrusWatchOutlivesOutage(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g := &gate{refuse: make(chan struct{})}
	jc, err := client.DialJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], &client.Options{
		Auth:          client.Password("alice", "alicepass"),
		Dialer:        g.dial,
		WatchInterval: 50 * time.Millisecond,
		Reconnect:     &client.ReconnectPolicy{MaxAttempts: 1000, MinDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
	})
	require.NoError(t, err)
	other, err := client.DialJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], basic("alice", "alicepass"))
	require.NoError(t, err)
	box := fmt.Sprintf("t%d", time.Now().UnixNano())
	require.NoError(t, other.CreateMailbox(ctx, box))
	t.Cleanup(func() { _ = other.DeleteMailbox(context.Background(), box) })

	var added string
	var addErr error
	done := make(chan struct{}) // closed once the outage is over
	started := false
	var events []email.WatchEvent
	err = jc.WatchMailbox(ctx, box, func(ev email.WatchEvent) error {
		events = append(events, ev)
		switch {
		case ev.Kind == email.KeepAlive && !started:
			// Seeded: take the network away, wait until the watch has
			// tried and failed to reach the server, change the mailbox
			// from another client, then give the network back.
			started = true
			g.setDown(true)
			go func() {
				defer close(done)
				select {
				case <-g.refuse:
				case <-ctx.Done():
					return
				}
				added, addErr = other.AddMessage(ctx, box, bytes.NewReader(msg("outage", "Mon, 1 Jan 2024 12:00:00 +0000")), nil)
				g.setDown(false)
			}()
		case ev.Kind == email.EnvelopeAdded:
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop, "the watch went on after the outage")
	<-done
	require.NoError(t, addErr)
	last := events[len(events)-1]
	assert.Equal(t, added, last.ID, "the message added during the outage is reported")
	assert.Equal(t, "outage", last.Envelope.Subject)
	for _, ev := range events {
		assert.NotEqual(t, email.MailboxReset, ev.Kind, "caught up by diff, not by a reset")
	}
}
