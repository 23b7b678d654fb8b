package mailsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// checkpointEvery is how many uploads are recorded as intended in the
// state file before they are made.
const checkpointEvery = 200

// apply does the plan: mailboxes, flags, moves, copies, deletions, then
// mailbox removals.
func (r *run) apply(ctx context.Context) error {
	e := r.e
	for i := range r.plan.Boxes {
		b := &r.plan.Boxes[i]
		for s := range Side(2) {
			if b.Create[s] {
				e.progress(r.keys[i], "folders", i, len(r.plan.Boxes))
				if err := e.st[s].CreateMailbox(ctx, b.Name[s]); err != nil && !errors.Is(err, email.ErrExists) {
					return fmt.Errorf("mailsync: create %s on %s: %w", b.Name[s], s, err)
				}
			}
		}
	}
	for i := range r.plan.Boxes {
		if err := r.flags(ctx, i); err != nil {
			return err
		}
	}
	for i := range r.plan.Boxes {
		if err := r.moves(ctx, i); err != nil {
			return err
		}
	}
	if err := r.copies(ctx); err != nil {
		return err
	}
	for i := range r.plan.Boxes {
		if err := r.deletes(ctx, i); err != nil {
			return err
		}
	}
	for i := len(r.plan.Boxes) - 1; i >= 0; i-- {
		b := &r.plan.Boxes[i]
		for s := range Side(2) {
			if b.Remove[s] {
				e.progress(r.keys[i], "folders", i, len(r.plan.Boxes))
				if err := e.st[s].DeleteMailbox(ctx, b.Name[s]); err != nil && !errors.Is(err, email.ErrNotFound) {
					return fmt.Errorf("mailsync: delete mailbox %s on %s: %w", b.Name[s], s, err)
				}
			}
		}
	}
	return nil
}

// moves moves messages out of box i on each side, filling in the ids at
// the destinations.
func (r *run) moves(ctx context.Context, i int) error {
	b := &r.plan.Boxes[i]
	for s := range Side(2) {
		byTo := map[int][]Move{}
		var order []int
		for _, m := range b.Moves[s] {
			if byTo[m.To] == nil {
				order = append(order, m.To)
			}
			byTo[m.To] = append(byTo[m.To], m)
		}
		for _, to := range order {
			ms := byTo[to]
			ids := make([]string, len(ms))
			for k, m := range ms {
				ids[k] = m.ID
			}
			dst := &r.plan.Boxes[to]
			r.e.progress(r.keys[i], "copy", 0, len(ids))
			nids, err := r.e.st[s].MoveMessages(ctx, b.Name[s], dst.Name[s], ids)
			if err != nil {
				return fmt.Errorf("mailsync: move %d messages from %s to %s on %s: %w", len(ids), b.Name[s], dst.Name[s], s, err)
			}
			for k, m := range ms {
				if k < len(nids) {
					dst.Pairs[m.Pair].ID[s] = nids[k]
				}
			}
		}
	}
	return nil
}

// copies uploads every planned copy, recording each batch as intended in
// the state file first (for a target taking batches, the whole mailbox's
// copies, then the ids made every checkpointEvery copies).
func (r *run) copies(ctx context.Context) error {
	total, n := 0, 0
	for _, b := range r.plan.Boxes {
		total += len(b.Copies[A]) + len(b.Copies[B])
	}
	if total == 0 {
		return nil
	}
	for i := range r.plan.Boxes {
		b := &r.plan.Boxes[i]
		for s := range Side(2) {
			cs := b.Copies[s]
			if _, ok := r.e.st[s].(client.MessagesAdder); ok && len(cs) > 0 {
				// One stream of batches, checkpointed as it goes.
				if err := r.e.save(r.checkpoint()); err != nil {
					return err
				}
				if err := r.copyBatch(ctx, i, s, 0, len(cs), &n, total); err != nil {
					return err
				}
				continue
			}
			for start := 0; start < len(cs); start += checkpointEvery {
				end := min(start+checkpointEvery, len(cs))
				if err := r.e.save(r.checkpoint()); err != nil {
					return err
				}
				if err := r.copyBatch(ctx, i, s, start, end, &n, total); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// copyWorkers is how many copies run at once when the source streams one
// message per call: a store that serialises its calls (IMAP) queues them,
// so the fetch of one message overlaps the write of another.
const copyWorkers = 4

// copyBatch copies b.Copies[s][start:end] of box i from the other side.
func (r *run) copyBatch(ctx context.Context, i int, s Side, start, end int, n *int, total int) error {
	e := r.e
	b := &r.plan.Boxes[i]
	o := s.Other()
	var mu sync.Mutex // guards r.done, r.sum, b.Pairs and *n
	isDone := func(k int) bool {
		mu.Lock()
		defer mu.Unlock()
		return r.done[i][s][k]
	}
	// record takes copy k as made, under the id nid, with size bytes.
	record := func(k int, nid string, size int64) {
		mu.Lock()
		defer mu.Unlock()
		b.Pairs[b.Copies[s][k].Pair].ID[s] = nid
		r.done[i][s][k] = true
		sc := r.sum.side(s)
		sc.Copied++
		sc.Bytes += size
		*n++
		if e.opts.Progress != nil {
			e.opts.Progress(Progress{Mailbox: r.keys[i], Phase: "copy", Done: *n, Total: total, Bytes: r.sum.A.Bytes + r.sum.B.Bytes})
		}
	}
	one := func(k int, body io.Reader) error {
		if isDone(k) {
			return nil
		}
		nid, size, err := r.addOne(ctx, i, s, k, body)
		if err != nil {
			return err
		}
		record(k, nid, size)
		return nil
	}
	var err error
	if ad, ok := e.st[s].(client.MessagesAdder); ok {
		snapshot := func() *state {
			mu.Lock()
			defer mu.Unlock()
			return r.checkpoint()
		}
		err = r.copyAdded(ctx, i, s, start, end, ad, copyFuncs{isDone, one, record, snapshot})
	} else if _, ok := e.st[o].(batchGetter); ok {
		ids, byID := copySources(b, s, start, end)
		err = fetchEach(ctx, e.st[o], b.Name[o], ids, func(id string, body io.Reader) error {
			k, ok := byID[id]
			if !ok {
				return nil
			}
			return one(k, body)
		})
	} else {
		err = r.copyParallel(ctx, b.Name[o], e.st[o], b.Copies[s][start:end], start, one)
	}
	if err != nil {
		return err
	}
	for k := start; k < end; k++ {
		if !r.done[i][s][k] {
			return fmt.Errorf("mailsync: copy %s/%s from %s: the backend did not return it: %w", b.Name[o], b.Copies[s][k].From.ID, o, email.ErrNotFound)
		}
	}
	return nil
}

// addOne stores copy k of box i on side s from body with AddMessage,
// returning the new id and the bytes read.
func (r *run) addOne(ctx context.Context, i int, s Side, k int, body io.Reader) (string, int64, error) {
	b := &r.plan.Boxes[i]
	c := b.Copies[s][k]
	cr := &countReader{r: body}
	nid, err := r.e.st[s].AddMessage(ctx, b.Name[s], cr, email.Flags(c.From.Flags), email.WithReceived(c.From.receivedTime()))
	if err != nil {
		return "", 0, fmt.Errorf("mailsync: copy %s/%s from %s to %s: %w", b.Name[s.Other()], c.From.ID, s.Other(), s, err)
	}
	return nid, cr.n, nil
}

// copyParallel runs one for each copy with copyWorkers workers, each
// streaming its message from src; it returns the first error, after which
// no new copy starts.
func (r *run) copyParallel(ctx context.Context, mailbox string, src client.Storage, cs []Copy, base int, one func(int, io.Reader) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range min(copyWorkers, len(cs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				err := fetchOne(ctx, src, mailbox, cs[k].From.ID, func(body io.Reader) error { return one(base+k, body) })
				if err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for k := range cs {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// flags stores the planned flag changes of box i, one StoreFlags per
// distinct change.
func (r *run) flags(ctx context.Context, i int) error {
	b := &r.plan.Boxes[i]
	for s := range Side(2) {
		type group struct {
			op    email.FlagOp
			flags email.Flags
			ids   []string
		}
		groups := map[string]*group{}
		var order []string
		add := func(op email.FlagOp, fs email.Flags, id string) {
			if len(fs) == 0 {
				return
			}
			k := op.String() + ":" + strings.Join(fs.Raw(), " ")
			g := groups[k]
			if g == nil {
				g = &group{op: op, flags: fs}
				groups[k] = g
				order = append(order, k)
			}
			g.ids = append(g.ids, id)
		}
		for _, fc := range b.Flags[s] {
			add(email.FlagAdd, fc.Add, fc.ID)
			add(email.FlagRemove, fc.Remove, fc.ID)
		}
		for _, k := range order {
			g := groups[k]
			r.e.progress(r.keys[i], "flags", 0, len(g.ids))
			if err := r.e.st[s].StoreFlags(ctx, b.Name[s], g.ids, g.op, g.flags); err != nil {
				return fmt.Errorf("mailsync: %s flags %s on %d messages of %s on %s: %w", g.op, k, len(g.ids), b.Name[s], s, err)
			}
		}
	}
	return nil
}

// deletes deletes the planned messages of box i, or moves them to the
// trash mailbox when Options.Trash is set.
func (r *run) deletes(ctx context.Context, i int) error {
	b := &r.plan.Boxes[i]
	for s := range Side(2) {
		ids := b.Deletes[s]
		if len(ids) == 0 {
			continue
		}
		r.e.progress(r.keys[i], "delete", 0, len(ids))
		st := r.e.st[s]
		if t := r.trash[s]; t != "" && t != b.Name[s] {
			if err := st.CreateMailbox(ctx, t); err != nil && !errors.Is(err, email.ErrExists) {
				return fmt.Errorf("mailsync: create trash %s on %s: %w", t, s, err)
			}
			if _, err := st.MoveMessages(ctx, b.Name[s], t, ids); err != nil {
				return fmt.Errorf("mailsync: move %d messages of %s to %s on %s: %w", len(ids), b.Name[s], t, s, err)
			}
			r.trashed = true
			continue
		}
		if err := st.DeleteMessages(ctx, b.Name[s], ids); err != nil && !errors.Is(err, email.ErrNotFound) {
			return fmt.Errorf("mailsync: delete %d messages of %s on %s: %w", len(ids), b.Name[s], s, err)
		}
	}
	return nil
}
