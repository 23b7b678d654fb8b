package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// loopSessions dials n connections to addr and drives a whole session
// (Open, ListMailboxes, Logout) on each from one Loop.
func loopSessions(t *testing.T, addr string, tlsConf *Options, open imap.OpenOptions, n int) [][]email.Mailbox {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l := NewLoop()
	got := make([][]email.Mailbox, n)
	errs := make([]error, n)
	for i := range n {
		c, err := Dial(ctx, addr, tlsConf, false)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		s := imap.NewSession(false, imap.Limits{})
		m := coroutine.Bracket(imap.Open(s, open), imap.ListMailboxes(s, email.ListMailboxesOptions{}), imap.Logout(s))
		Drive(l, c, m, nil, func(boxes []email.Mailbox, err error) { got[i], errs[i] = boxes, err })
	}
	assert.Equal(t, n, l.Active())
	require.NoError(t, l.Run(ctx))
	assert.Zero(t, l.Active())
	for i := range n {
		require.NoError(t, errs[i], "connection %d", i)
	}
	return got
}

func TestLoopSessionsMemServer(t *testing.T) {
	open := imap.OpenOptions{Auth: sasl.NewPlainClient("", "alice", "alicepass"), AllowInsecureAuth: true}
	for _, boxes := range loopSessions(t, memIMAP(t), nil, open, 20) {
		require.NotEmpty(t, boxes)
		assert.Equal(t, "INBOX", boxes[0].ID)
	}
}

func TestLoopSessionsDovecot(t *testing.T) {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	open := imap.OpenOptions{StartTLS: imap.StartTLSRequired, Auth: sasl.NewPlainClient("", "bob", "bobpass")}
	for _, boxes := range loopSessions(t, env["PEERS_IMAP_ADDR"], &Options{TLSConfig: env.TLSConfig(t)}, open, 3) {
		ids := []string{}
		for _, b := range boxes {
			ids = append(ids, b.ID)
		}
		assert.Contains(t, ids, "INBOX")
	}
}

// TestLoopCancel: ending Run's context interrupts watches blocked in IDLE;
// each ends with the context's error, and so does Run.
func TestLoopCancel(t *testing.T) {
	addr := memIMAP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l := NewLoop()
	const n = 5
	idle, ended := 0, 0
	var errs []error
	for range n {
		c, err := Dial(ctx, addr, nil, false)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		s := imap.NewSession(false, imap.Limits{})
		w := imap.WatchMailbox(s, "INBOX", imap.WatchOptions{Now: time.Now, Stopped: func() bool { return false }})
		spy := &waitSpy{m: w, first: func() {
			if idle++; idle == n {
				// Every watch is blocked in a read: cancel from
				// another goroutine, as a signal handler would.
				go cancel()
			}
		}}
		open := imap.OpenOptions{Auth: sasl.NewPlainClient("", "alice", "alicepass"), AllowInsecureAuth: true}
		Drive(l, c, coroutine.After(imap.Open(s, open), coroutine.NetMachine[struct{}](spy)), nil, func(_ struct{}, err error) {
			ended++
			errs = append(errs, err)
		})
	}
	err := l.Run(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, n, ended)
	for _, err := range errs {
		assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	}
}

// TestLoopWakeStopsWatch: Wake ends a watch whose Stopped reports true,
// cleanly, and the session goes on (Logout runs on it).
func TestLoopWakeStopsWatch(t *testing.T) {
	addr := memIMAP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, nil, false)
	require.NoError(t, err)
	defer c.Close()
	l := NewLoop()
	s := imap.NewSession(false, imap.Limits{})
	stopped := false
	w := &waitSpy{m: imap.WatchMailbox(s, "INBOX", imap.WatchOptions{Now: time.Now, Stopped: func() bool { return stopped }})}
	// Stop from a timer goroutine, through Post, as soon as it idles.
	w.first = func() { go l.Post(func() { stopped = true; c.Wake() }) }
	open := imap.OpenOptions{Auth: sasl.NewPlainClient("", "alice", "alicepass"), AllowInsecureAuth: true}
	var watchErr, logoutErr error = errors.New("not run"), errors.New("not run")
	Drive(l, c, coroutine.After(imap.Open(s, open), coroutine.NetMachine[struct{}](w)), nil, func(_ struct{}, err error) {
		watchErr = err
		Drive(l, c, imap.Logout(s), nil, func(_ struct{}, err error) { logoutErr = err })
	})
	require.NoError(t, l.Run(ctx))
	assert.NoError(t, watchErr)
	assert.NoError(t, logoutErr)
}

// waitSpy calls first at its machine's first read with a Wait (IDLE).
type waitSpy struct {
	m     coroutine.NetMachine[struct{}]
	first func()
	seen  bool
}

func (s *waitSpy) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	req, done := s.m.Resume(in)
	if !done && !s.seen && req.Op == coroutine.NetRead && req.Wait > 0 {
		s.seen = true
		s.first()
	}
	return req, done
}

func (s *waitSpy) Result() (struct{}, error) { return s.m.Result() }

// TestLoopWatchDovecot: three watches on a fresh Dovecot mailbox, driven
// from one loop, all see one delivery made by another connection, stop
// through Wake and log out.
func TestLoopWatchDovecot(t *testing.T) {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	admin := dovecotClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := uniqueName("loopwatch")
	require.NoError(t, admin.CreateMailbox(ctx, name))
	t.Cleanup(func() { admin.DeleteMailbox(context.Background(), name) })

	const n = 3
	l := NewLoop()
	idle, saw, loggedOut := 0, 0, 0
	delivered := make(chan error, 1)
	for range n {
		c, err := Dial(ctx, env["PEERS_IMAP_ADDR"], &Options{TLSConfig: env.TLSConfig(t)}, false)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		s := imap.NewSession(false, imap.Limits{})
		stopped := false
		w := &waitSpy{m: imap.WatchMailbox(s, name, imap.WatchOptions{Now: time.Now, Stopped: func() bool { return stopped }})}
		w.first = func() {
			if idle++; idle == n {
				go func() {
					_, err := admin.AddMessage(ctx, name, strings.NewReader("Subject: loop\r\n\r\nhi\r\n"), nil)
					delivered <- err
				}()
			}
		}
		onEvent := func(e email.WatchEvent) error {
			if e.Kind == email.EnvelopeAdded && !stopped {
				saw++
				stopped = true
				c.Wake()
			}
			return nil
		}
		open := imap.OpenOptions{StartTLS: imap.StartTLSRequired, Auth: sasl.NewPlainClient("", "alice", "alicepass")}
		Drive(l, c, coroutine.After(imap.Open(s, open), coroutine.NetMachine[struct{}](w)), onEvent, func(_ struct{}, err error) {
			require.NoError(t, err)
			Drive(l, c, imap.Logout(s), nil, func(_ struct{}, err error) {
				require.NoError(t, err)
				loggedOut++
			})
		})
	}
	require.NoError(t, l.Run(ctx))
	require.NoError(t, <-delivered)
	assert.Equal(t, n, saw)
	assert.Equal(t, n, loggedOut)
}
