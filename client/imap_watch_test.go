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
			ic, err := DialIMAP(tctx(t), "imap://"+addr, TLS{AllowPlaintext: true}, plainAlice())
			require.NoError(t, err)
			t.Cleanup(func() { ic.Close() })
			return ic
		}
		run(t, dial(), dial())
	})
	t.Run("dovecot", func(t *testing.T) { run(t, dovecotClient(t), dovecotClient(t)) })
}
