package mailsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// Engine syncs one pair of stores, keeping its state in one file. An Engine
// runs one sync at a time; Once and Run must not be called concurrently.
type Engine struct {
	st   [2]client.Storage
	path string
	opts Options
	log  *slog.Logger
	// cached is the state last read or written, while the file is
	// cachedInfo.
	cached     *state
	cachedInfo os.FileInfo
}

// New returns an engine for the pair a, b with its state in statePath
// (created on the first run; written crash-safely).
func New(a, b client.Storage, statePath string, opts Options) (*Engine, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("mailsync: a nil store: %w", email.ErrInvalidArgument)
	}
	if statePath == "" {
		return nil, fmt.Errorf("mailsync: no state path: %w", email.ErrInvalidArgument)
	}
	if opts.Direction < Both || opts.Direction > BToA || opts.FlagConflict < A || opts.FlagConflict > B {
		return nil, fmt.Errorf("mailsync: direction %d or conflict side %d: %w", opts.Direction, opts.FlagConflict, email.ErrInvalidArgument)
	}
	if opts.Names == nil {
		opts.Names = DefaultNames()
	}
	lg := opts.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Engine{st: [2]client.Storage{a, b}, path: statePath, opts: opts, log: lg}, nil
}

func (e *Engine) rules() Rules {
	return Rules{Direction: e.opts.Direction, FlagConflict: e.opts.FlagConflict, MaxSize: e.opts.MaxSize}
}

// run is one sync in progress.
type run struct {
	e     *Engine
	old   *state
	keys  []string    // A names of the candidate mailboxes, sorted
	boxes []*boxState // per key: the state as the run found it (views, diff states now)
	in    []BoxInput
	plan  Plan
	sum   Summary
	done  [][2][]bool // per box, side: copies done
	// current holds, per box and side, whether the view is current
	// after the run (refresh).
	current [][2]bool
	trash   [2]string // Options.Trash on each side
	// trashed says deletions were moved to a trash mailbox.
	trashed bool
	// changed says a view or diff state differs from the saved one.
	changed bool
	// sources caches copySources, by box.
	sources map[int]*[2]map[string]bool
}

// Once makes the two sides equal, as far as Options say, and returns what it
// did.
func (e *Engine) Once(ctx context.Context) (Summary, error) {
	sum, trashed, err := e.once(ctx)
	if err != nil || !trashed {
		return sum, err
	}
	// Deletions moved to a trash mailbox that is itself synced: sync it
	// now, so that the run ends with the sides equal.
	more, _, err := e.once(ctx)
	sum.add(more)
	return sum, err
}

// once is one pass of Once; it reports whether it moved messages to a
// synced trash mailbox.
func (e *Engine) once(ctx context.Context) (Summary, bool, error) {
	old, err := e.load()
	if err != nil {
		return Summary{}, false, err
	}
	if names := [2]string{e.st[A].Name(), e.st[B].Name()}; old.Stores != [2]string{} && old.Stores != names {
		// Another pair's ids would read as deletions.
		return Summary{}, false, fmt.Errorf("mailsync: state %s is of a %s/%s pair, not %s/%s: %w", e.path, old.Stores[A], old.Stores[B], names[A], names[B], email.ErrInvalidArgument)
	}
	r := &run{e: e, old: old}
	if e.opts.Trash != "" {
		r.trash[A] = e.opts.Trash
		if n, ok := e.opts.Names.ToB(e.opts.Trash); ok {
			r.trash[B] = n
		}
	}
	if err := r.scan(ctx); err != nil {
		return Summary{}, false, err
	}
	r.plan = MakePlan(r.in, e.rules())
	r.count()
	if e.opts.DryRun {
		r.sum.DryRun = true
		return r.sum, false, nil
	}
	if !r.changed && r.plan.Empty() && len(r.in) == len(r.old.Boxes) && !r.old.migrated {
		// nothing changed anywhere: the state file stays as it is
		return r.sum, false, nil
	}
	err = r.apply(ctx)
	if err != nil {
		if serr := e.save(r.checkpoint()); serr != nil {
			err = errors.Join(err, serr)
		}
		return r.sum, false, err
	}
	r.refresh(ctx)
	if err := e.save(r.final()); err != nil {
		return r.sum, false, err
	}
	e.log.Info("mailsync: run done", "mailboxes", r.sum.Mailboxes, "copied_a", r.sum.A.Copied, "copied_b", r.sum.B.Copied,
		"flags_a", r.sum.A.FlagsChanged, "flags_b", r.sum.B.FlagsChanged, "deleted_a", r.sum.A.Deleted, "deleted_b", r.sum.B.Deleted)
	return r.sum, r.trashed && selected(e.opts, e.opts.Trash), nil
}

// scan lists the mailboxes of both sides and reads each selected one's
// view (by diff where it can).
func (r *run) scan(ctx context.Context) error {
	e := r.e
	type cand struct {
		name   [2]string
		exists [2]bool
	}
	cands := map[string]*cand{}
	get := func(key string) *cand {
		c := cands[key]
		if c == nil {
			c = &cand{}
			cands[key] = c
		}
		return c
	}
	for s := range Side(2) {
		e.progress("", "scan", int(s), 2)
		mbs, err := e.st[s].ListMailboxes(ctx, email.ListMailboxesOptions{})
		if err != nil {
			return fmt.Errorf("mailsync: list mailboxes of %s: %w", s, err)
		}
		for _, mb := range mbs {
			key, other, ok := mb.ID, "", true
			if s == A {
				other, ok = e.opts.Names.ToB(mb.ID)
			} else {
				key, ok = e.opts.Names.ToA(mb.ID)
				other = key
			}
			if !ok || !selected(e.opts, key) {
				continue
			}
			c := get(key)
			c.name[s], c.exists[s] = mb.ID, true
			if c.name[s.Other()] == "" {
				c.name[s.Other()] = other
			}
		}
	}
	for key, bs := range r.old.Boxes {
		if !selected(e.opts, key) {
			continue
		}
		c := get(key)
		for s := range 2 {
			if !c.exists[s] {
				c.name[s] = bs.Name[s]
			}
		}
	}
	for key := range cands {
		r.keys = append(r.keys, key)
	}
	sort.Strings(r.keys)
	for i, key := range r.keys {
		c := cands[key]
		old := r.old.Boxes[key]
		bs := &boxState{Name: c.name}
		in := BoxInput{Name: c.name, Exists: c.exists, Known: old != nil}
		if old != nil {
			in.Pairs = old.Pairs
		}
		for s := range Side(2) {
			if !c.exists[s] {
				continue
			}
			e.progress(key, "scan", i, len(r.keys))
			v, st, reset, err := r.view(ctx, s, c.name[s], old)
			if err != nil {
				return fmt.Errorf("mailsync: scan %s of %s: %w", c.name[s], s, err)
			}
			bs.View[s], bs.Diff[s], in.View[s], in.Reset[s] = v, st, v, reset
		}
		r.boxes = append(r.boxes, bs)
		r.in = append(r.in, in)
	}
	return nil
}

// view returns the side's messages in the mailbox now, the diff state
// they match, and whether the ids may have changed since old.
func (r *run) view(ctx context.Context, s Side, name string, old *boxState) ([]Msg, email.State, bool, error) {
	st := r.e.st[s]
	var prev email.State
	if old != nil && old.Name[s] == name {
		prev = old.Diff[s]
	}
	var next email.State
	reset := false
	if d, ok := st.(client.EnvelopeDiffer); ok {
		res, err := d.DiffEnvelopes(ctx, name, prev)
		switch {
		case err == nil && !res.FullListRequired && prev != nil:
			if res.Empty() && bytes.Equal(res.State, prev) {
				return old.View[s], prev, false, nil
			}
			r.changed = true
			return applyDiff(old.View[s], res), res.State, false, nil
		case err == nil:
			next, reset = res.State, prev != nil
		case !errors.Is(err, email.ErrUnsupported):
			return nil, nil, false, err
		}
	}
	r.changed = true
	v, err := listAll(ctx, st, name)
	return v, next, reset, err
}

// count fills the summary with what the plan does.
func (r *run) count() {
	sm := &r.sum
	r.done = make([][2][]bool, len(r.plan.Boxes))
	for i, b := range r.plan.Boxes {
		if !b.Forget {
			sm.Mailboxes++
		}
		sm.Skipped += b.Skipped
		sm.Conflicts += b.Conflicts
		for s := range Side(2) {
			c := sm.side(s)
			c.FlagsChanged += len(b.Flags[s])
			c.Deleted += len(b.Deletes[s])
			c.Moved += len(b.Moves[s])
			if b.Create[s] {
				c.MailboxesCreated++
			}
			if b.Remove[s] {
				c.MailboxesDeleted++
			}
			if r.e.opts.DryRun {
				c.Copied += len(b.Copies[s])
				for _, cp := range b.Copies[s] {
					c.Bytes += cp.From.Size
				}
			}
			r.done[i][s] = make([]bool, len(b.Copies[s]))
		}
	}
}

func (e *Engine) progress(mailbox, phase string, done, total int) {
	if e.opts.Progress != nil {
		e.opts.Progress(Progress{Mailbox: mailbox, Phase: phase, Done: done, Total: total})
	}
}
