package client

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// recorder collects the events of a watch and wakes those waiting for
// them: a test waits for the events it needs, never for a while.
type recorder struct {
	mu     sync.Mutex
	events []email.WatchEvent
	wake   chan struct{} // closed at the next event
}

func newRecorder() *recorder { return &recorder{wake: make(chan struct{})} }

// add is the watch callback.
func (r *recorder) add(e email.WatchEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	close(r.wake)
	r.wake = make(chan struct{})
	return nil
}

// since returns a copy of the events from the n-th on.
func (r *recorder) since(n int) []email.WatchEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]email.WatchEvent(nil), r.events[n:]...)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// await reports whether cond came to hold on the events from the n-th
// on; it checks again at every event, and gives up after within (a bound
// for a broken watch, not a delay the test expects).
func (r *recorder) await(n int, within time.Duration, cond func([]email.WatchEvent) bool) bool {
	limit := time.NewTimer(within)
	defer limit.Stop()
	for {
		r.mu.Lock()
		evs := append([]email.WatchEvent(nil), r.events[n:]...)
		wake := r.wake
		r.mu.Unlock()
		if cond(evs) {
			return true
		}
		select {
		case <-wake:
		case <-limit.C:
			return false
		}
	}
}

func hasKind(kind email.WatchKind) func([]email.WatchEvent) bool {
	return func(evs []email.WatchEvent) bool {
		for _, e := range evs {
			if e.Kind == kind {
				return true
			}
		}
		return false
	}
}

// eventBound bounds the wait for an event that must come.
const eventBound = 15 * time.Second

// watchFor runs watcher.WatchMailbox into a recorder until the test ends
// or stop is called; stop returns the watch's error.
func watchFor(t *testing.T, watcher *IMAPClient, name string) (rec *recorder, stop func() error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	rec = newRecorder()
	errc := make(chan error, 1)
	go func() { errc <- watcher.WatchMailbox(ctx, name, rec.add) }()
	t.Cleanup(cancel)
	return rec, func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(eventBound):
			t.Fatal("watch did not stop")
			return nil
		}
	}
}

// probe adds the message msg until the watch reports an added message,
// and returns the ids it added. The watch takes its baseline at a moment
// the test cannot see: a message added before that is part of it and
// gives no event, so the test adds another when no event came within a
// while (that wait only paces the retries; every added id is accepted).
func probe(t *testing.T, actor *IMAPClient, rec *recorder, name, msg string) map[string]bool {
	added := map[string]bool{}
	for try := 0; try < 10; try++ {
		id, err := actor.AddMessage(tctx(t), name, strings.NewReader(msg), nil)
		require.NoError(t, err)
		added[id] = true
		if rec.await(0, 2*time.Second, hasKind(email.EnvelopeAdded)) {
			t.Logf("%d message(s) added before the first event", len(added))
			return added
		}
	}
	t.Fatal("no added message is reported")
	return nil
}

func TestIMAPWatchMailbox(t *testing.T) {
	run := func(t *testing.T, watcher, actor *IMAPClient) {
		name := box(t, actor, "watch")
		ctx := tctx(t)
		first, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(1, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
		require.NoError(t, err)

		rec, stop := watchFor(t, watcher, name)
		added := probe(t, actor, rec, name, testMessage(2, "Tue, 03 Jan 2006 10:00:00 +0000"))
		require.NoError(t, actor.StoreFlags(ctx, name, []string{first}, email.FlagAdd, email.NewFlags(email.FlagFlagged)))
		require.True(t, rec.await(0, eventBound, hasKind(email.FlagsAdded)), "a flag change is reported")
		require.NoError(t, actor.DeleteMessages(ctx, name, []string{first}))
		require.True(t, rec.await(0, eventBound, hasKind(email.EnvelopeRemoved)), "a deletion is reported")
		require.NoError(t, stop(), "a cancelled watch ends cleanly")

		for _, e := range rec.since(0) {
			assert.Equal(t, name, e.Mailbox)
			switch e.Kind {
			case email.EnvelopeAdded:
				require.NotNil(t, e.Envelope)
				assert.True(t, added[e.Envelope.ID], "the event names a message the test added: %s", e.Envelope.ID)
				assert.Equal(t, "message 2", e.Envelope.Subject, "full envelope")
			case email.FlagsAdded:
				// Deleting stores \Deleted before UID EXPUNGE; a watch may
				// see that flag come before the message goes.
				assert.Equal(t, first, e.ID)
				assert.True(t, e.Flags.Equal(email.NewFlags(email.FlagFlagged)) || e.Flags.Equal(email.NewFlags(email.FlagDeleted)), "flags added: %v", e.Flags)
			case email.EnvelopeRemoved:
				assert.Equal(t, first, e.ID)
			}
		}
		// The connection is still usable after the watch.
		envs, err := watcher.ListEnvelopes(tctx(t), name, email.ListOptions{})
		require.NoError(t, err)
		assert.Len(t, envs, len(added), "the first message was deleted; the added ones stay")
	}
	t.Run("memserver", func(t *testing.T) {
		dial := memWatchClients(t)
		run(t, dial(t), dial(t))
	})
	t.Run("dovecot", func(t *testing.T) { run(t, dovecotClient(t), dovecotClient(t)) })
}

// memWatchClients returns a function that connects to one fresh
// imapmemserver, for a watcher and an actor on the same mailboxes.
func memWatchClients(t *testing.T) func(*testing.T) *IMAPClient {
	addr := memIMAP(t)
	return func(t *testing.T) *IMAPClient {
		ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice()})
		require.NoError(t, err)
		t.Cleanup(func() { ic.Close() })
		return ic
	}
}

// TestIMAPWatchModel checks that the events are exact: a model built from
// the mailbox's listing plus the events that follow must equal the
// listing after a batch of changes (flags removed and added, keywords,
// two deletions, a new message with flags). Against Dovecot the wakes use
// CHANGEDSINCE and VANISHED; against the in-memory server (no CONDSTORE)
// the full fetch.
func TestIMAPWatchModel(t *testing.T) {
	run := func(t *testing.T, watcher, actor *IMAPClient) {
		name := box(t, actor, "watchmodel")
		ctx := tctx(t)
		var ids []string
		for i := 1; i <= 4; i++ {
			var fl email.Flags
			if i == 1 {
				fl = email.NewFlags(email.FlagSeen)
			}
			id, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(i, "Mon, 02 Jan 2006 15:04:05 -0700")), fl)
			require.NoError(t, err)
			ids = append(ids, id)
		}

		rec, stop := watchFor(t, watcher, name)
		probes := probe(t, actor, rec, name, testMessage(9, "Tue, 03 Jan 2006 10:00:00 +0000"))
		listing := func() map[string]email.Flags {
			envs, err := actor.ListEnvelopes(tctx(t), name, email.ListOptions{})
			require.NoError(t, err)
			m := map[string]email.Flags{}
			for _, e := range envs {
				m[e.ID] = e.Flags
			}
			return m
		}
		// The base is listed after counting the events: nothing changes
		// flags until the batch below, so an event from before n0 is in
		// the base, and one from after n0 can only be a probe's addition,
		// which the base holds already (adding it again changes nothing).
		// No quiet moment is needed.
		n0 := rec.count()
		base := listing()

		require.NoError(t, actor.StoreFlags(ctx, name, ids[:1], email.FlagRemove, email.NewFlags(email.FlagSeen)))
		require.NoError(t, actor.StoreFlags(ctx, name, ids[1:2], email.FlagAdd, email.ParseFlags(`\Flagged`, "$label1")))
		require.NoError(t, actor.DeleteMessages(ctx, name, ids[2:4]))
		added, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(5, "Wed, 04 Jan 2006 10:00:00 +0000")), email.NewFlags(email.FlagDraft))
		require.NoError(t, err)
		want := listing()
		require.Len(t, want, len(base)-1)

		model := func(evs []email.WatchEvent) map[string]email.Flags {
			m := map[string]email.Flags{}
			for id, fl := range base {
				m[id] = fl
			}
			for _, e := range evs {
				switch e.Kind {
				case email.EnvelopeAdded:
					m[e.ID] = e.Envelope.Flags
				case email.EnvelopeRemoved:
					delete(m, e.ID)
				case email.FlagsAdded:
					m[e.ID] = m[e.ID].Union(e.Flags)
				case email.FlagsRemoved:
					m[e.ID] = m[e.ID].Minus(e.Flags)
				default:
					t.Errorf("unexpected event %+v", e)
				}
			}
			return m
		}
		equals := func(want map[string]email.Flags) func([]email.WatchEvent) bool {
			return func(evs []email.WatchEvent) bool {
				got := model(evs)
				if len(got) != len(want) {
					return false
				}
				for id, fl := range want {
					if g, ok := got[id]; !ok || !g.Equal(fl) {
						return false
					}
				}
				return true
			}
		}
		if !rec.await(n0, eventBound, equals(want)) {
			t.Fatalf("model from events equals the listing:\nbase %v\nwant %v\nevents %+v", base, want, rec.since(n0))
		}
		// No stray events after the changes: a last message, once
		// reported, closes the batch (the watch reports in order what
		// each wake found), and the model must still add up.
		sentinel, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(6, "Thu, 05 Jan 2006 10:00:00 +0000")), nil)
		require.NoError(t, err)
		final := listing()
		require.True(t, rec.await(n0, eventBound, func(evs []email.WatchEvent) bool {
			for _, e := range evs {
				if e.Kind == email.EnvelopeAdded && e.ID == sentinel {
					return true
				}
			}
			return false
		}), "the last message is reported")
		assert.True(t, equals(final)(rec.since(n0)), "no stray events after the changes: %+v", rec.since(n0))
		require.NoError(t, stop())

		var sawAdded bool
		for _, e := range rec.since(n0) {
			assert.Equal(t, name, e.Mailbox)
			if e.Kind == email.EnvelopeAdded && !probes[e.ID] && e.ID != sentinel {
				assert.Equal(t, added, e.ID)
				require.NotNil(t, e.Envelope)
				assert.Equal(t, "message 5", e.Envelope.Subject, "full envelope")
				sawAdded = true
			}
		}
		assert.True(t, sawAdded)
	}
	t.Run("memserver", func(t *testing.T) {
		dial := memWatchClients(t)
		run(t, dial(t), dial(t))
	})
	t.Run("dovecot", func(t *testing.T) { run(t, dovecotClient(t), dovecotClient(t)) })
}
