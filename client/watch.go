package client

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Debouncing of FileWatch: a burst of changes is reported once, when the
// directories have been quiet for watchQuiet, or after watchMaxDelay at the
// latest.
const (
	watchQuiet    = 75 * time.Millisecond
	watchMaxDelay = 500 * time.Millisecond
	// watchPoll is the Wait of the watch loops: they rescan at least this
	// often even without a notification, which also catches what a file
	// system watch misses (network file systems).
	watchPoll = 30 * time.Second
)

// dirWatcher serves FileWatch batches with fsnotify. It keeps watching
// between batches, so a change that happens while the caller is busy
// (rescanning, handling events) is reported by the next batch rather than
// lost.
type dirWatcher struct {
	w      *fsnotify.Watcher
	mu     sync.Mutex
	dirs   map[string]bool // watched directories
	dirty  map[string]bool // directories changed since last reported
	failed bool            // the watcher reported an error (overflow...)
	kick   chan struct{}   // signalled on every change
	done   chan struct{}
}

func newDirWatcher() (*dirWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	d := &dirWatcher{w: w, dirs: map[string]bool{}, dirty: map[string]bool{}, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go d.loop()
	return d, nil
}

func (d *dirWatcher) loop() {
	defer close(d.done)
	for {
		select {
		case ev, ok := <-d.w.Events:
			if !ok {
				return
			}
			d.mu.Lock()
			for _, p := range []string{ev.Name, filepath.Dir(ev.Name)} {
				if d.dirs[p] {
					d.dirty[p] = true
				}
			}
			d.mu.Unlock()
			d.signal()
		case _, ok := <-d.w.Errors:
			if !ok {
				return
			}
			d.mu.Lock()
			d.failed = true
			d.mu.Unlock()
			d.signal()
		}
	}
}

func (d *dirWatcher) signal() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

func (d *dirWatcher) close() {
	d.w.Close()
	<-d.done
}

// add starts watching dirs; it returns the error of each.
func (d *dirWatcher) add(dirs []string) []error {
	errs := make([]error, len(dirs))
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, p := range dirs {
		if d.dirs[p] {
			continue
		}
		if err := d.w.Add(p); err != nil {
			errs[i] = err
			continue
		}
		d.dirs[p] = true
	}
	return errs
}

// take reports and clears which of dirs changed; after a watcher error
// every one counts as changed.
func (d *dirWatcher) take(dirs []string) (changed []bool, any bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	changed = make([]bool, len(dirs))
	for i, p := range dirs {
		if d.dirty[p] || d.failed {
			changed[i], any = true, true
			delete(d.dirty, p)
		}
	}
	d.failed = false
	return changed, any
}

// watch performs a FileWatch batch: it waits until one of the batch's
// directories changes (then until they are quiet, debounced), the shortest
// Wait of the batch elapses (nothing changed), or ctx ends.
func (d *dirWatcher) watch(ctx context.Context, reqs []coroutine.FileRequest) []coroutine.FileResult {
	out := make([]coroutine.FileResult, len(reqs))
	dirs := make([]string, len(reqs))
	var wait time.Duration
	for i, r := range reqs {
		dirs[i] = filepath.Clean(filepath.FromSlash(r.Path))
		if r.Wait > 0 && (wait == 0 || r.Wait < wait) {
			wait = r.Wait
		}
	}
	failed := false
	for i, err := range d.add(dirs) {
		if err != nil {
			out[i].Err, failed = err, true
		}
	}
	if failed {
		return out
	}
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		if _, any := d.peek(dirs); any {
			d.settle(ctx)
			changed, _ := d.take(dirs)
			for i := range out {
				out[i].Changed = changed[i]
			}
			return out
		}
		select {
		case <-ctx.Done():
			for i := range out {
				out[i].Err = ctx.Err()
			}
			return out
		case <-timeout:
			return out
		case <-d.kick:
		}
	}
}

// peek reports whether one of dirs changed, without clearing it.
func (d *dirWatcher) peek(dirs []string) (int, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, p := range dirs {
		if d.dirty[p] || d.failed {
			return i, true
		}
	}
	return 0, false
}

// settle waits until no change arrived for watchQuiet, or watchMaxDelay
// passed, so that a burst (a message and its flags file, a batch of
// renames) is reported once.
func (d *dirWatcher) settle(ctx context.Context) {
	limit := time.NewTimer(watchMaxDelay)
	defer limit.Stop()
	quiet := time.NewTimer(watchQuiet)
	defer quiet.Stop()
	for {
		select {
		case <-d.kick:
			if !quiet.Stop() {
				select {
				case <-quiet.C:
				default:
				}
			}
			quiet.Reset(watchQuiet)
		case <-quiet.C:
			return
		case <-limit.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// watchOnce serves a FileWatch batch with a watcher of its own, for drivers
// used outside a watch loop. Changes between two such batches are not
// seen; the watch loops of this package use a persistent watcher.
func watchOnce(ctx context.Context, reqs []coroutine.FileRequest) []coroutine.FileResult {
	d, err := newDirWatcher()
	if err != nil {
		out := make([]coroutine.FileResult, len(reqs))
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	defer d.close()
	return d.watch(ctx, reqs)
}

// runWatch is the loop behind the WatchMailbox methods of the local
// stores: it runs one watch machine per wake (step builds it from the
// previous state, nil first), hands the events of each to fn, and ends
// when ctx is done (nil), fn fails (its error as is), or a machine fails
// (an *email.OpError of backend). dirs
// are watched before the first machine runs, so a change made while the
// baseline is taken is seen.
func runWatch[S comparable, R any](ctx context.Context, backend string, files *FileDriver, dirs []string,
	step func(prev S) coroutine.FileMachine[R], split func(R) (S, []email.WatchEvent),
	fn func(email.WatchEvent) error) error {
	w, err := newDirWatcher()
	if err != nil {
		return err
	}
	defer w.close()
	clean := make([]string, len(dirs))
	for i, p := range dirs {
		clean[i] = filepath.Clean(filepath.FromSlash(p))
	}
	w.add(clean) // failures show again in the machine's own requests
	d := &FileDriver{workers: files.workers, watch: w.watch}
	var prev S
	for {
		r, err := RunFiles(ctx, d, step(prev))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if _, ok := err.(*email.OpError); !ok {
				err = &email.OpError{Backend: backend, Op: "watch_mailbox", Err: err}
			}
			return err
		}
		next, evs := split(r)
		for _, ev := range evs {
			if err := fn(ev); err != nil {
				return err
			}
		}
		prev = next
		if ctx.Err() != nil {
			return nil
		}
	}
}
