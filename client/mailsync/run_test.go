package mailsync

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
)

// runRecorder starts Run in a goroutine and hands each run's summary to
// the test.
type runRecorder struct {
	runs   chan Summary
	errs   chan error
	cancel context.CancelFunc
	done   chan error
}

func startRun(t *testing.T, e *Engine) *runRecorder {
	ctx, cancel := context.WithCancel(context.Background())
	r := &runRecorder{runs: make(chan Summary, 100), errs: make(chan error, 100), cancel: cancel, done: make(chan error, 1)}
	go func() {
		r.done <- e.Run(ctx, func(sm Summary, err error) {
			if err != nil {
				r.errs <- err
				return
			}
			r.runs <- sm
		})
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-r.done)
	})
	return r
}

// waitFor waits for a run whose summary satisfies ok, failing after a
// generous time (the run is signalled, not timed).
func (r *runRecorder) waitFor(t *testing.T, what string, ok func(Summary) bool) Summary {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case sm := <-r.runs:
			if ok(sm) {
				return sm
			}
		case err := <-r.errs:
			t.Logf("run failed (Run goes on): %v", err)
		case <-timeout:
			t.Fatalf("no run %s", what)
		}
	}
}

func TestRunMaildirM2dir(t *testing.T) {
	a, b := newMaildir(t, t.TempDir()), newM2dir(t, t.TempDir())
	require.NoError(t, a.CreateMailbox(tctx(t), "INBOX"))
	require.NoError(t, b.CreateMailbox(tctx(t), "INBOX"))
	add(t, a, "INBOX", "first@run")
	e, err := New(a, b, statePath(t), Options{PollInterval: time.Hour})
	require.NoError(t, err)
	r := startRun(t, e)
	r.waitFor(t, "copying the first message", func(sm Summary) bool { return sm.B.Copied == 1 })
	// Both sides watched: each new message appears on the other side.
	for i, s := range []client.Storage{a, b, a} {
		id := []string{"w1@run", "w2@run", "w3@run"}[i]
		add(t, s, "INBOX", id)
		r.waitFor(t, "copying "+id, func(sm Summary) bool { return sm.A.Copied+sm.B.Copied == 1 })
		require.Equal(t, storeContent(t, a, []string{"INBOX"}, nil), storeContent(t, b, []string{"INBOX"}, nil))
	}
}
