package mailsync

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// Run syncs once, then watches both sides and syncs on every change until
// ctx is done (returns nil then), surviving reconnects; each run's result
// goes to onRun (which may be nil).
//
// A burst of changes is synced once, when it has been quiet for
// Options.Quiet. A run that fails is reported to onRun and tried again at
// the next change or poll; only a corrupt state file (ErrCorruptState)
// ends Run with that error. A watch that fails is started again after the
// next run; meanwhile the side is polled every Options.PollInterval.
func (e *Engine) Run(ctx context.Context, onRun func(Summary, error)) error {
	poll, quiet := e.opts.PollInterval, e.opts.Quiet
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	if quiet <= 0 {
		quiet = DefaultQuiet
	}
	kick := make(chan struct{}, 1)
	var ws watchSet
	defer ws.stop()
	for {
		sm, err := e.Once(ctx)
		if ctx.Err() != nil {
			return nil
		}
		started := ws.update(ctx, e, kick)
		if onRun != nil {
			onRun(sm, err)
		}
		if errors.Is(err, ErrCorruptState) {
			return err
		}
		next := poll
		if started {
			// A change made while a new watch was starting is not
			// reported by it: a catch-up run soon finds it.
			next = min(poll, catchUp)
		}
		if !wait(ctx, kick, next, quiet) {
			return nil
		}
	}
}

// catchUp is when Run syncs again after starting watches.
const catchUp = 2 * time.Second

// wait blocks until a change burst has been quiet for quiet (true), poll
// has passed without a change (true), or ctx is done (false).
func wait(ctx context.Context, kick <-chan struct{}, poll, quiet time.Duration) bool {
	t := time.NewTimer(poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	case <-kick:
	}
	deadline := time.NewTimer(10 * quiet)
	defer deadline.Stop()
	for {
		q := time.NewTimer(quiet)
		select {
		case <-ctx.Done():
			q.Stop()
			return false
		case <-kick:
			q.Stop()
		case <-q.C:
			return true
		case <-deadline.C:
			q.Stop()
			return true
		}
	}
}

// watchSet is the watches Run keeps: one goroutine per side and mailbox.
type watchSet struct {
	mu      sync.Mutex
	watches map[watchKey]*watch
	wg      sync.WaitGroup
}

type watchKey struct {
	side Side
	name string
}

type watch struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// watcher returns what watches side s, or nil when the side is polled.
func (e *Engine) watcher(s Side) client.Watcher {
	if w := e.opts.Watch[s]; w != nil {
		return w
	}
	if _, isIMAP := e.st[s].(*client.IMAPClient); isIMAP {
		return nil
	}
	w, _ := e.st[s].(client.Watcher)
	return w
}

// update starts the watches of the mailboxes synced now and stops the
// others; a watch that ended (failed) is started again. It reports whether
// it started any.
func (ws *watchSet) update(ctx context.Context, e *Engine, kick chan<- struct{}) bool {
	want := map[watchKey]bool{}
	st, err := loadState(e.path)
	if err != nil {
		return false
	}
	started := false
	for key, bs := range st.Boxes {
		if !selected(e.opts, key) {
			continue
		}
		if e.opts.WatchMailboxes != nil && !slices.ContainsFunc(e.opts.WatchMailboxes, func(p string) bool { return Match(p, key) }) {
			continue
		}
		for s := range Side(2) {
			if e.watcher(s) != nil {
				want[watchKey{s, bs.Name[s]}] = true
			}
		}
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.watches == nil {
		ws.watches = map[watchKey]*watch{}
	}
	for k, w := range ws.watches {
		select {
		case <-w.done:
			delete(ws.watches, k)
			continue
		default:
		}
		if !want[k] {
			w.cancel()
			delete(ws.watches, k)
		}
	}
	for k := range want {
		if ws.watches[k] != nil {
			continue
		}
		started = true
		wctx, cancel := context.WithCancel(ctx)
		w := &watch{cancel: cancel, done: make(chan struct{})}
		ws.watches[k] = w
		ws.wg.Add(1)
		go func() {
			defer ws.wg.Done()
			defer close(w.done)
			err := e.watcher(k.side).WatchMailbox(wctx, k.name, func(ev email.WatchEvent) error {
				if ev.Kind != email.KeepAlive {
					select {
					case kick <- struct{}{}:
					default:
					}
				}
				return nil
			})
			if err != nil && wctx.Err() == nil {
				e.log.Warn("mailsync: watch ended", "side", k.side.String(), "mailbox", k.name, "err", err)
			}
		}()
	}
	return started
}

// stop ends every watch and waits for them.
func (ws *watchSet) stop() {
	ws.mu.Lock()
	for _, w := range ws.watches {
		w.cancel()
	}
	ws.mu.Unlock()
	ws.wg.Wait()
}
