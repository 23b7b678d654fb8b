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

func TestIMAPWatchMailbox(t *testing.T) {
	run := func(t *testing.T, watcher, actor *IMAPClient) {
		name := box(t, actor, "watch")
		ctx := tctx(t)
		first, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(1, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
		require.NoError(t, err)

		wctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var mu sync.Mutex
		var events []email.WatchEvent
		seen := func(kind email.WatchKind) bool {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range events {
				if e.Kind == kind {
					return true
				}
			}
			return false
		}
		errc := make(chan error, 1)
		go func() {
			errc <- watcher.WatchMailbox(wctx, name, func(e email.WatchEvent) error {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
				return nil
			})
		}()
		// The watch takes its baseline at some moment we cannot see: a
		// message added before that is part of it and gives no event. So
		// add one, and another if no event came within a while; every
		// added message is a candidate.
		added := map[string]bool{}
		for try := 0; try < 10 && !seen(email.EnvelopeAdded); try++ {
			id, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(2, "Tue, 03 Jan 2006 10:00:00 +0000")), nil)
			require.NoError(t, err)
			added[id] = true
			for i := 0; i < 40 && !seen(email.EnvelopeAdded); i++ {
				time.Sleep(50 * time.Millisecond)
			}
		}
		require.True(t, seen(email.EnvelopeAdded), "an added message is reported")
		t.Logf("%d message(s) added before the first event", len(added))
		require.NoError(t, actor.StoreFlags(ctx, name, []string{first}, email.FlagAdd, email.NewFlags(email.FlagFlagged)))
		require.Eventually(t, func() bool { return seen(email.FlagsAdded) }, 10*time.Second, 50*time.Millisecond)
		require.NoError(t, actor.DeleteMessages(ctx, name, []string{first}))
		require.Eventually(t, func() bool { return seen(email.EnvelopeRemoved) }, 10*time.Second, 50*time.Millisecond)

		cancel()
		select {
		case err := <-errc:
			require.NoError(t, err, "a cancelled watch ends cleanly")
		case <-time.After(10 * time.Second):
			t.Fatal("watch did not stop")
		}
		mu.Lock()
		defer mu.Unlock()
		for _, e := range events {
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
		addr := memIMAP(t)
		dial := func() *IMAPClient {
			ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice()})
			require.NoError(t, err)
			t.Cleanup(func() { ic.Close() })
			return ic
		}
		run(t, dial(), dial())
	})
	t.Run("dovecot", func(t *testing.T) { run(t, dovecotClient(t), dovecotClient(t)) })
}

// TestIMAPWatchModel checks that the events are exact: a model built from
// the mailbox's listing at a quiet moment plus the events that follow
// must equal the listing after a batch of changes (flags removed and
// added, keywords, two deletions, a new message with flags). Against
// Dovecot the wakes use CHANGEDSINCE and VANISHED; against the in-memory
// server (no CONDSTORE) the full fetch.
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

		wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var mu sync.Mutex
		var events []email.WatchEvent
		count := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(events)
		}
		errc := make(chan error, 1)
		go func() {
			errc <- watcher.WatchMailbox(wctx, name, func(e email.WatchEvent) error {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
				return nil
			})
		}()
		// Wait for the baseline (as in TestIMAPWatchMailbox), then for a
		// quiet moment: the watch then holds what the listing shows.
		for try := 0; try < 10 && count() == 0; try++ {
			_, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(9, "Tue, 03 Jan 2006 10:00:00 +0000")), nil)
			require.NoError(t, err)
			for i := 0; i < 40 && count() == 0; i++ {
				time.Sleep(50 * time.Millisecond)
			}
		}
		require.NotZero(t, count(), "an added message is reported")
		for n := -1; n != count(); {
			n = count()
			time.Sleep(500 * time.Millisecond)
		}
		listing := func() map[string]email.Flags {
			envs, err := actor.ListEnvelopes(tctx(t), name, email.ListOptions{})
			require.NoError(t, err)
			m := map[string]email.Flags{}
			for _, e := range envs {
				m[e.ID] = e.Flags
			}
			return m
		}
		base := listing()
		n0 := count()

		require.NoError(t, actor.StoreFlags(ctx, name, ids[:1], email.FlagRemove, email.NewFlags(email.FlagSeen)))
		require.NoError(t, actor.StoreFlags(ctx, name, ids[1:2], email.FlagAdd, email.ParseFlags(`\Flagged`, "$label1")))
		require.NoError(t, actor.DeleteMessages(ctx, name, ids[2:4]))
		added, err := actor.AddMessage(ctx, name, strings.NewReader(testMessage(5, "Wed, 04 Jan 2006 10:00:00 +0000")), email.NewFlags(email.FlagDraft))
		require.NoError(t, err)
		want := listing()
		require.Len(t, want, len(base)-1)

		model := func() map[string]email.Flags {
			mu.Lock()
			defer mu.Unlock()
			m := map[string]email.Flags{}
			for id, fl := range base {
				m[id] = fl
			}
			for _, e := range events[n0:] {
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
		same := func() bool {
			got := model()
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
		require.Eventually(t, same, 15*time.Second, 50*time.Millisecond, "model from events equals the listing")
		time.Sleep(300 * time.Millisecond)
		require.True(t, same(), "no stray events after the changes")

		cancel()
		select {
		case err := <-errc:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("watch did not stop")
		}
		mu.Lock()
		defer mu.Unlock()
		var sawAdded bool
		for _, e := range events[n0:] {
			assert.Equal(t, name, e.Mailbox)
			if e.Kind == email.EnvelopeAdded {
				assert.Equal(t, added, e.ID)
				require.NotNil(t, e.Envelope)
				assert.Equal(t, "message 5", e.Envelope.Subject, "full envelope")
				sawAdded = true
			}
		}
		assert.True(t, sawAdded)
	}
	t.Run("memserver", func(t *testing.T) {
		addr := memIMAP(t)
		dial := func() *IMAPClient {
			ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice()})
			require.NoError(t, err)
			t.Cleanup(func() { ic.Close() })
			return ic
		}
		run(t, dial(), dial())
	})
	t.Run("dovecot", func(t *testing.T) { run(t, dovecotClient(t), dovecotClient(t)) })
}
