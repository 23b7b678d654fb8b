package client_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// eventWait is how long a test waits for an event before failing: generous,
// since the machine is shared; the latency is logged, not asserted.
const eventWait = 5 * time.Second

type watched struct {
	t    *testing.T
	evs  chan email.WatchEvent
	done chan error
	stop context.CancelFunc
	add  func(subject string)
	n    int // probes added
}

// probeSubject marks the messages startWatch and quiet add: next skips
// their events.
const probeSubject = "probe "

// startWatch runs WatchMailbox in the background, then adds probe
// messages with add until one is reported, so that the watch loop is past
// its baseline before the test changes anything. (The watch takes its
// baseline at a moment the test cannot see, so a probe may give no
// event; the 300 ms only pace the probes.)
func startWatch(t *testing.T, w client.Watcher, mailbox string, add func(subject string)) *watched {
	ctx, cancel := context.WithCancel(context.Background())
	x := &watched{t: t, evs: make(chan email.WatchEvent, 100), done: make(chan error, 1), stop: cancel, add: add}
	go func() {
		x.done <- w.WatchMailbox(ctx, mailbox, func(ev email.WatchEvent) error {
			x.evs <- ev
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-x.done:
			assert.NoError(t, err, "a cancelled watch returns nil")
		case <-time.After(eventWait):
			t.Error("the watch did not end after its context was cancelled")
		}
	})
	deadline := time.Now().Add(3 * eventWait)
	for time.Now().Before(deadline) {
		x.probe()
		select {
		case ev := <-x.evs:
			require.Equal(t, email.EnvelopeAdded, ev.Kind)
			return x
		case <-time.After(300 * time.Millisecond):
		}
	}
	t.Fatal("the watch never reported a probe")
	return nil
}

// probe adds a probe message and returns its subject.
func (x *watched) probe() string {
	subject := fmt.Sprintf("%s%d", probeSubject, x.n)
	x.n++
	x.add(subject)
	return subject
}

func isProbe(ev email.WatchEvent) bool {
	return ev.Kind == email.EnvelopeAdded && ev.Envelope != nil && strings.HasPrefix(ev.Envelope.Subject, probeSubject)
}

// next waits for the next event that is not a probe's.
func (x *watched) next() email.WatchEvent {
	x.t.Helper()
	start := time.Now()
	for {
		select {
		case ev := <-x.evs:
			if isProbe(ev) {
				continue
			}
			x.t.Logf("%s after %v", ev.Kind, time.Since(start).Round(time.Millisecond))
			return ev
		case err := <-x.done:
			x.t.Fatalf("the watch ended: %v", err)
		case <-time.After(eventWait):
			x.t.Fatal("no event")
		}
		return email.WatchEvent{}
	}
}

// quiet checks that no event comes before a probe added now is reported:
// the watch reports changes in the order it finds them, so an event still
// due for an earlier change would come first.
func (x *watched) quiet() {
	x.t.Helper()
	subject := x.probe()
	for {
		select {
		case ev := <-x.evs:
			if isProbe(ev) {
				if ev.Envelope.Subject == subject {
					return
				}
				continue
			}
			x.t.Fatalf("unexpected event %+v", ev)
		case err := <-x.done:
			x.t.Fatalf("the watch ended: %v", err)
		case <-time.After(eventWait):
			x.t.Fatal("the probe was not reported")
		}
	}
}

func rawMsg(subject string) string {
	return "From: a@example.org\r\nSubject: " + subject + "\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n"
}

func TestWatchM2dir(t *testing.T) {
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	c := client.New().WithM2dir(m2dir.Store{Root: root})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	m := c.M2dir()
	x := startWatch(t, m, "INBOX", func(s string) {
		_, err := m.AddMessage(ctx, "INBOX", strings.NewReader(rawMsg(s)), nil)
		require.NoError(t, err)
	})
	x.quiet()

	id, err := m.AddMessage(ctx, "INBOX", strings.NewReader(rawMsg("hello")), email.ParseFlags(`\Seen`))
	require.NoError(t, err)
	ev := x.next()
	require.Equal(t, email.EnvelopeAdded, ev.Kind)
	assert.Equal(t, "INBOX", ev.Mailbox)
	assert.Equal(t, id, ev.Envelope.ID)
	assert.Equal(t, "hello", ev.Envelope.Subject)
	assert.Equal(t, []string{"$seen"}, ev.Envelope.Flags.Raw())

	require.NoError(t, m.StoreFlags(ctx, "INBOX", []string{id}, email.FlagAdd, email.ParseFlags(`\Flagged`)))
	assert.Equal(t, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: "INBOX", ID: id, Flags: email.ParseFlags("$flagged")}, x.next())

	// Another program rewrites the flags file in place.
	require.NoError(t, os.WriteFile(filepath.Join(root, "INBOX", ".meta", id+".flags"), []byte("$flagged\n"), 0o600))
	assert.Equal(t, email.WatchEvent{Kind: email.FlagsRemoved, Mailbox: "INBOX", ID: id, Flags: email.ParseFlags("$seen")}, x.next())

	require.NoError(t, m.DeleteMessages(ctx, "INBOX", []string{id}))
	assert.Equal(t, email.WatchEvent{Kind: email.EnvelopeRemoved, Mailbox: "INBOX", ID: id}, x.next())
	x.quiet()
}

func TestWatchMaildir(t *testing.T) {
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	c := client.New().WithMaildir(maildir.Store{Root: root, Layout: maildir.LayoutFS})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	m := c.Maildir()
	x := startWatch(t, m, "INBOX", func(s string) {
		_, err := m.AddMessage(ctx, "INBOX", strings.NewReader(rawMsg(s)), nil)
		require.NoError(t, err)
	})
	x.quiet()

	// A delivery into new/ by another program, then a MUA moving it to
	// cur/ as seen: an add, then a flag change.
	require.NoError(t, os.WriteFile(filepath.Join(root, "new", "1700000000.M1P1Q1.elsewhere"), []byte(rawMsg("delivered")), 0o600))
	ev := x.next()
	require.Equal(t, email.EnvelopeAdded, ev.Kind)
	assert.Equal(t, "delivered", ev.Envelope.Subject)
	require.NoError(t, os.Rename(filepath.Join(root, "new", "1700000000.M1P1Q1.elsewhere"), filepath.Join(root, "cur", "1700000000.M1P1Q1.elsewhere:2,S")))
	assert.Equal(t, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: "INBOX", ID: "1700000000.M1P1Q1.elsewhere", Flags: email.ParseFlags(`\Seen`)}, x.next())

	// mblaze re-flags it.
	if _, err := exec.LookPath("mflag"); err == nil {
		cmd := exec.Command("mflag", "-F", filepath.Join(root, "cur", "1700000000.M1P1Q1.elsewhere:2,S"))
		cmd.Env = append(os.Environ(), "MBLAZE="+t.TempDir())
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Equal(t, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: "INBOX", ID: "1700000000.M1P1Q1.elsewhere", Flags: email.ParseFlags(`\Flagged`)}, x.next())
	}

	require.NoError(t, m.DeleteMessages(ctx, "INBOX", []string{"1700000000.M1P1Q1.elsewhere"}))
	assert.Equal(t, email.WatchEvent{Kind: email.EnvelopeRemoved, Mailbox: "INBOX", ID: "1700000000.M1P1Q1.elsewhere"}, x.next())
	x.quiet()
}

func TestWatchErrors(t *testing.T) {
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	c := client.New().WithM2dir(m2dir.Store{Root: root})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	err := c.WatchMailbox(ctx, "Missing", func(email.WatchEvent) error { return nil })
	assert.ErrorIs(t, err, email.ErrNotFound)

	stop := errors.New("stop")
	cctx, cancel := context.WithTimeout(ctx, 3*eventWait)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.WatchMailbox(cctx, "INBOX", func(email.WatchEvent) error { return stop }) }()
	// Keep adding until the watch reports one and fn stops it.
	for {
		_, aerr := c.AddMessage(ctx, "INBOX", strings.NewReader(rawMsg("x")), nil)
		require.NoError(t, aerr)
		select {
		case err := <-done:
			assert.Same(t, stop, err, "fn's error is returned as is")
			return
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func TestDiffThroughClient(t *testing.T) {
	ctx := context.Background()
	for _, c := range []*client.Client{
		client.New().WithM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir())}),
		client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(t.TempDir())}),
	} {
		require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
		d, err := c.DiffEnvelopes(ctx, "INBOX", nil)
		require.NoError(t, err)
		require.True(t, d.FullListRequired)
		_, err = c.AddMessage(ctx, "INBOX", strings.NewReader(rawMsg("a")), nil)
		require.NoError(t, err)
		d, err = c.DiffEnvelopes(ctx, "INBOX", d.State)
		require.NoError(t, err)
		require.Len(t, d.New, 1)
		assert.Equal(t, "a", d.New[0].Subject)
		md, err := c.DiffMailboxes(ctx, nil)
		require.NoError(t, err)
		assert.True(t, md.FullListRequired)
		md, err = c.DiffMailboxes(ctx, md.State)
		require.NoError(t, err)
		assert.True(t, md.Unchanged())
	}
}
