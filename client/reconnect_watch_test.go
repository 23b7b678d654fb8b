package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// watchStep is what a watch hands out, in order: an event, or (event nil)
// a checkpoint: every event so far was handed out and the watch is about
// to IDLE.
// cont, at a checkpoint, is closed once the server accepted the IDLE that
// follows (when the watch runs through a proxy).
type watchStep struct {
	e    *email.WatchEvent
	cont <-chan struct{}
}

// watchRun runs ic.WatchMailbox in the background and records its events
// and checkpoints in order.
type watchRun struct {
	t      *testing.T
	steps  chan watchStep
	errc   chan error
	cancel context.CancelFunc
	model  map[string]email.Flags
	adds   map[string]int
}

// startWatchRun starts the watch; p, when not nil, is the proxy it runs
// through.
func startWatchRun(t *testing.T, ic *IMAPClient, mailbox string, p *cutProxy) *watchRun {
	w := &watchRun{t: t, steps: make(chan watchStep, 4096), errc: make(chan error, 1), adds: map[string]int{}}
	ic.checkpoint = func() {
		var cont <-chan struct{}
		if p != nil {
			// Armed before the watch sends IDLE: no race with the "+".
			cont = p.nextCont()
		}
		w.steps <- watchStep{cont: cont}
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	go func() {
		w.errc <- ic.WatchMailbox(ctx, mailbox, func(e email.WatchEvent) error {
			w.steps <- watchStep{e: &e}
			return nil
		})
	}()
	t.Cleanup(func() { w.stop() })
	return w
}

// next returns the next step, failing t when none comes in time or the
// watch ended.
func (w *watchRun) next() watchStep {
	w.t.Helper()
	select {
	case s := <-w.steps:
		return s
	case err := <-w.errc:
		w.errc <- err
		w.t.Fatalf("the watch ended: %v", err)
	case <-time.After(30 * time.Second):
		w.t.Fatal("no event or checkpoint within 30 s")
	}
	return watchStep{}
}

// baseline waits for the first checkpoint and takes the model from a
// listing (nothing changes the mailbox meanwhile).
func (w *watchRun) baseline(actor *IMAPClient, mailbox string) {
	w.t.Helper()
	if w.next().e != nil {
		w.t.Fatal("an event before the baseline")
	}
	w.model = listFlags(w.t, actor, mailbox)
}

// apply applies one event to the model, failing on one that does not fit
// it (an unknown id, an id added twice).
func (w *watchRun) apply(e *email.WatchEvent) {
	w.t.Helper()
	switch e.Kind {
	case email.EnvelopeAdded:
		w.adds[e.ID]++
		require.Equal(w.t, 1, w.adds[e.ID], "message %s reported added once", e.ID)
		_, known := w.model[e.ID]
		require.False(w.t, known, "added message %s was not there", e.ID)
		w.model[e.ID] = e.Envelope.Flags
	case email.EnvelopeRemoved:
		_, known := w.model[e.ID]
		require.True(w.t, known, "removed message %s was there", e.ID)
		delete(w.model, e.ID)
	case email.FlagsAdded, email.FlagsRemoved:
		old, known := w.model[e.ID]
		require.True(w.t, known, "flags of a known message %s", e.ID)
		if e.Kind == email.FlagsAdded {
			w.model[e.ID] = old.Union(e.Flags)
		} else {
			w.model[e.ID] = old.Minus(e.Flags)
		}
	default:
		w.t.Fatalf("unexpected event %+v", e)
	}
}

// catchUp applies events until the model equals want at a checkpoint: the
// watch has handed out everything and agrees with the server. It returns
// that checkpoint's cont.
func (w *watchRun) catchUp(want map[string]email.Flags) <-chan struct{} {
	w.t.Helper()
	for {
		s := w.next()
		if s.e != nil {
			w.apply(s.e)
			continue
		}
		if sameFlags(w.model, want) {
			return s.cont
		}
	}
}

// stop cancels the watch and returns its error: nil, or ctx's error when
// it was stopped before the server answered IDLE (see WatchMailbox).
func (w *watchRun) stop() error {
	w.cancel()
	select {
	case err := <-w.errc:
		w.errc <- err
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("the watch did not stop")
	}
}

func listFlags(t *testing.T, ic *IMAPClient, mailbox string) map[string]email.Flags {
	t.Helper()
	envs, err := ic.ListEnvelopes(tctx(t), mailbox, email.ListOptions{})
	require.NoError(t, err)
	m := map[string]email.Flags{}
	for _, e := range envs {
		m[e.ID] = e.Flags
	}
	return m
}

func sameFlags(a, b map[string]email.Flags) bool {
	if len(a) != len(b) {
		return false
	}
	for id, fl := range b {
		if g, ok := a[id]; !ok || !g.Equal(fl) {
			return false
		}
	}
	return true
}

// TestReconnectWatchModel drops a watch's connection while it idles and
// while it fetches what woke it, changes the mailbox while the watch
// cannot reach the server, and checks that the events rebuild exactly the
// server's listing: nothing lost, nothing twice.
func TestReconnectWatchModel(t *testing.T) {
	reconnectServers(t, func(t *testing.T, addr string) {
		ic, actor, p, dials := proxied(t, addr, fastReconnect)
		ctx := tctx(t)
		name := box(t, actor, "reconnect-watch")
		var ids []string
		for i := 1; i <= 4; i++ {
			id, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(i, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
			require.NoError(t, err)
			ids = append(ids, id)
		}
		w := startWatchRun(t, ic, name, p)
		w.baseline(actor, name)

		add := func(i int) {
			_, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(i, "Tue, 03 Jan 2006 10:00:00 +0000")), email.NewFlags(email.FlagDraft))
			require.NoError(t, err)
		}
		// Dropped while idling; the server cannot be reached while the
		// mailbox changes.
		var idling <-chan struct{}
		for round := 0; round < 2; round++ {
			n := dials.Load()
			p.hold()
			p.cutAll()
			add(10 + round)
			require.NoError(t, actor.StoreFlags(ctx, name, ids[round:round+1], email.FlagAdd, email.NewFlags(email.FlagFlagged)))
			require.NoError(t, actor.DeleteMessages(ctx, name, ids[2+round:3+round]))
			p.release()
			idling = w.catchUp(listFlags(t, actor, name))
			assert.Greater(t, dials.Load(), n, "round %d: the watch dialled again", round)
		}
		// Dropped again in the middle of the catch-up: at its first fetch
		// (every UID and flag set, or with QRESYNC what changed since the
		// last HIGHESTMODSEQ), then at the fetch of the new envelopes,
		// after the server answered the first one.
		for i, cut := range []string{"UID FETCH", "ENVELOPE"} {
			p.hold()
			p.cutAll()
			add(20 + i)
			require.NoError(t, actor.StoreFlags(ctx, name, ids[:1], email.FlagRemove, email.NewFlags(email.FlagFlagged)))
			fired := p.cutOn(cut, i == 1, 0)
			p.release()
			waitClosed(t, fired, "the cut at "+cut)
			idling = w.catchUp(listFlags(t, actor, name))
		}
		if strings.HasSuffix(t.Name(), "dovecot") {
			// Dropped in the middle of the fetch of a wake in IDLE (not on
			// imapmemserver: it may hold back, in IDLE, a change made
			// while IDLE began, until the next one).
			waitClosed(t, idling, "the watch idles")
			fired := p.cutOn("UID FETCH", false, 0)
			add(30)
			waitClosed(t, fired, "the cut of the wake's fetch")
			w.catchUp(listFlags(t, actor, name))
		}

		require.NoError(t, w.stop())
		wantAdds := 4
		if strings.HasSuffix(t.Name(), "dovecot") {
			wantAdds = 5
		}
		assert.Len(t, w.adds, wantAdds, "every added message reported once")
	})
}

// TestReconnectWatchDovecotRestart restarts a private Dovecot in the
// middle of a watch, delivers a message into its Maildir while it is
// down, and checks that the watch reports it exactly once after the
// restart, and goes on reporting later changes.
func TestReconnectWatchDovecotRestart(t *testing.T) {
	d := testpeers.StartDovecot(t)
	opts := &Options{AllowPlaintext: true, Auth: plainAlice(), Reconnect: &fastReconnect}
	ic, err := DialIMAP(tctx(t), "imap://"+d.Addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	actor, err := DialIMAP(tctx(t), "imap://"+d.Addr, opts)
	require.NoError(t, err)
	t.Cleanup(func() { actor.Close() })
	ctx := tctx(t)
	for i := 1; i <= 2; i++ {
		_, err := actor.AddMessage(ctx, "INBOX", strings.NewReader(testMessage(i, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
		require.NoError(t, err)
	}
	w := startWatchRun(t, ic, "INBOX", nil)
	w.baseline(actor, "INBOX")

	d.Stop()
	d.Deliver([]byte(testMessage(7, "Tue, 03 Jan 2006 10:00:00 +0000")))
	d.Start()
	// The actor reconnects by itself too.
	w.catchUp(listFlags(t, actor, "INBOX"))
	require.Len(t, w.adds, 1, "the message delivered while the server was down")
	var subject string
	envs, err := actor.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	for _, e := range envs {
		if w.adds[e.ID] == 1 {
			subject = e.Subject
		}
	}
	assert.Equal(t, "message 7", subject)

	_, err = actor.AddMessage(ctx, "INBOX", strings.NewReader(testMessage(8, "Wed, 04 Jan 2006 10:00:00 +0000")), nil)
	require.NoError(t, err)
	w.catchUp(listFlags(t, actor, "INBOX"))
	require.NoError(t, w.stop())
	assert.Len(t, w.adds, 2)
}
