package mailsync

import (
	"context"

	"github.com/ioemail/ioemail/client"
)

// checkpoint returns the state to keep if the run stops now: the state the
// run started from, plus a pair for every upload made or about to be made
// (the intent), so that a run after a crash finds an upload that went
// through (by the id recorded, or by Message-ID and size) rather than
// sending it again. Everything else the run did is found again from the
// views, as the package documentation says.
func (r *run) checkpoint() *state {
	st := newState()
	st.Stores = [2]string{r.e.st[A].Name(), r.e.st[B].Name()}
	for k, bs := range r.old.Boxes {
		c := *bs
		st.Boxes[k] = &c
	}
	for i, b := range r.plan.Boxes {
		n := len(b.Copies[A]) + len(b.Copies[B])
		if n == 0 {
			continue
		}
		extra := make([]Pair, 0, n)
		for s := range Side(2) {
			for _, c := range b.Copies[s] {
				extra = append(extra, b.Pairs[c.Pair])
			}
		}
		key := r.keys[i]
		bs := st.Boxes[key]
		if bs == nil {
			bs = &boxState{Name: b.Name}
			st.Boxes[key] = bs
		} else {
			c := *bs
			bs = &c
			st.Boxes[key] = bs
		}
		// An intent the old state recorded for the source of one of
		// these copies is the same upload, replaced by its pair here
		// (kept too, the old intent would make the next run upload the
		// message again, then delete this run's copy).
		pairs := make([]Pair, 0, len(bs.Pairs)+len(extra))
		var sources *[2]map[string]bool
		for _, p := range bs.Pairs {
			if isIntent(p) {
				if sources == nil {
					sources = r.copySources(i)
				}
				if isIntentOf(p, sources) {
					continue
				}
			}
			pairs = append(pairs, p)
		}
		bs.Pairs = append(pairs, extra...)
	}
	return st
}

// isIntent reports whether p records an upload not yet made (to either
// side).
func isIntent(p Pair) bool {
	return (p.ID[A] == "" && !p.Gone[A]) || (p.ID[B] == "" && !p.Gone[B])
}

// copySources returns, per target side, the ids of the sources of box i's
// copies (made once a run, for its checkpoints).
func (r *run) copySources(i int) *[2]map[string]bool {
	if r.sources == nil {
		r.sources = make(map[int]*[2]map[string]bool)
	}
	if src := r.sources[i]; src != nil {
		return src
	}
	src := &[2]map[string]bool{}
	b := &r.plan.Boxes[i]
	for s := range Side(2) {
		src[s] = make(map[string]bool, len(b.Copies[s]))
		for _, c := range b.Copies[s] {
			src[s][c.From.ID] = true
		}
	}
	r.sources[i] = src
	return src
}

// isIntentOf reports whether p records an upload to a side s, not yet
// made, of a message in sources[s] (by its id on the other side).
func isIntentOf(p Pair, sources *[2]map[string]bool) bool {
	for s := range Side(2) {
		o := s.Other()
		if p.ID[s] == "" && !p.Gone[s] && p.ID[o] != "" && sources[s][p.ID[o]] {
			return true
		}
	}
	return false
}

// refresh takes one more diff of every mailbox the run changed, so that the
// next run does not see this run's own changes again, and records for each
// side whose view is now current (untouched or refreshed) in r.current.
func (r *run) refresh(ctx context.Context) {
	r.current = make([][2]bool, len(r.plan.Boxes))
	for i, b := range r.plan.Boxes {
		for s := range Side(2) {
			bs := r.boxes[i]
			if b.Create[s] && !b.Remove[s] {
				r.baseline(ctx, i, s)
				continue
			}
			if !r.touched(i, s) {
				r.current[i][s] = true
				continue
			}
			if bs.Diff[s] == nil {
				continue
			}
			d, ok := r.e.st[s].(client.EnvelopeDiffer)
			if !ok {
				continue
			}
			res, err := d.DiffEnvelopes(ctx, b.Name[s], bs.Diff[s])
			if err != nil || res.FullListRequired {
				continue
			}
			bs.View[s], bs.Diff[s] = applyDiff(bs.View[s], res), res.State
			r.current[i][s] = true
		}
	}
}

// baseline takes the first diff state and view of box i, created on side
// s by the run.
func (r *run) baseline(ctx context.Context, i int, s Side) {
	d, ok := r.e.st[s].(client.EnvelopeDiffer)
	if !ok {
		return
	}
	name := r.plan.Boxes[i].Name[s]
	res, err := d.DiffEnvelopes(ctx, name, nil)
	if err != nil || res.State == nil {
		return
	}
	v, err := listAll(ctx, r.e.st[s], name)
	if err != nil {
		return
	}
	bs := r.boxes[i]
	bs.View[s], bs.Diff[s] = v, res.State
	r.current[i][s] = true
}

// touched reports whether the run changed box i on side s.
func (r *run) touched(i int, s Side) bool {
	b := r.plan.Boxes[i]
	if len(b.Copies[s]) > 0 || len(b.Flags[s]) > 0 || len(b.Deletes[s]) > 0 || len(b.Moves[s]) > 0 {
		return true
	}
	for _, o := range r.plan.Boxes {
		for _, m := range o.Moves[s] {
			if m.To == i {
				return true
			}
		}
	}
	return false
}

// final returns the state after a complete run.
func (r *run) final() *state {
	st := newState()
	st.saved = r.old.saved
	st.Stores = [2]string{r.e.st[A].Name(), r.e.st[B].Name()}
	for k, bs := range r.old.Boxes {
		if !selected(r.e.opts, k) {
			st.Boxes[k] = bs // outside this run's selection: kept as is
		}
	}
	for i, b := range r.plan.Boxes {
		if b.Forget || (b.Remove[A] || b.Remove[B]) {
			continue
		}
		bs := r.boxes[i]
		bs.Pairs = b.Pairs
		r.settle(i, bs)
		st.Boxes[r.keys[i]] = bs
	}
	return st
}

// settle takes, for the pairs whose flags the run changed, the flags now in
// a current view as their base, so that a change made after the run is not
// mistaken for the run's own.
func (r *run) settle(i int, bs *boxState) {
	for s := range Side(2) {
		if !r.current[i][s] {
			continue
		}
		byID := make(map[string]int, len(bs.View[s]))
		for j, m := range bs.View[s] {
			byID[m.ID] = j
		}
		for k := range bs.Pairs {
			p := &bs.Pairs[k]
			if p.Known[s] || p.ID[s] == "" {
				continue
			}
			if j, ok := byID[p.ID[s]]; ok {
				p.Base[s], p.Known[s] = bs.View[s][j].Flags, true
			}
		}
	}
}
