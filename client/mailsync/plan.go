package mailsync

import (
	"slices"

	"github.com/ioemail/ioemail/email"
)

// BoxInput is what the planner knows of one mailbox pair: the state saved
// by the last run and what each side holds now.
type BoxInput struct {
	// Name is the mailbox's name on each side.
	Name [2]string
	// Exists says whether the mailbox exists on the side now.
	Exists [2]bool
	// Known says whether the pair of mailboxes was synced before.
	Known bool
	// View holds the side's messages now (none where the mailbox does not
	// exist).
	View [2][]Msg
	// Reset says the side's ids may have changed since the last run (the
	// store's diff asked for a full list: an IMAP UIDVALIDITY change, lost
	// history): the pairs keep an id only where it names the same message
	// and are found again by Message-ID and size otherwise, and their
	// flags are merged as a new pair's (the union).
	Reset [2]bool
	// Pairs are the messages known in sync at the last run.
	Pairs []Pair
}

// Rules are the options that steer the planner.
type Rules struct {
	// Direction says which side's changes are made on which.
	Direction Direction
	// FlagConflict wins a two-way flag conflict.
	FlagConflict Side
	// MaxSize leaves out larger messages; 0 is no limit.
	MaxSize int64
}

// source reports whether changes seen on s are made on the other side.
func (r Rules) source(s Side) bool {
	return r.Direction == Both || (r.Direction == AToB) == (s == A)
}

// writable reports whether the planner may change side s.
func (r Rules) writable(s Side) bool { return r.source(s.Other()) }

// Plan is what to do on both sides so that they are equal again.
type Plan struct {
	// Boxes holds one BoxPlan per BoxInput, in the same order.
	Boxes []BoxPlan
}

// BoxPlan is what to do for one mailbox pair. The engine does it in this
// order: create the mailboxes, store flags, move, copy, delete messages,
// remove the mailboxes.
type BoxPlan struct {
	// Name is the mailbox's name on each side.
	Name [2]string
	// Create asks to create the mailbox on the side.
	Create [2]bool
	// Remove asks to delete the mailbox on the side, once its messages
	// are handled.
	Remove [2]bool
	// Copies lists the messages to add to each side, from the other.
	Copies [2][]Copy
	// Moves lists the messages to move on each side out of this mailbox.
	Moves [2][]Move
	// Flags lists the flag changes to make on each side.
	Flags [2][]FlagChange
	// Deletes lists the ids to delete on each side (or move to the trash).
	Deletes [2][]string
	// Pairs are the pairs once the plan is done; copies and moves fill in
	// the ids they create.
	Pairs []Pair
	// Forget says the mailbox pair is no longer synced.
	Forget bool
	// Skipped counts the messages left out by MaxSize.
	Skipped int
	// Conflicts counts the flags both sides changed differently.
	Conflicts int
}

// Copy is one message to copy to a side.
type Copy struct {
	// From is the message on the other side.
	From Msg
	// Pair is the index in BoxPlan.Pairs of the pair whose id on the
	// target the copy fills in.
	Pair int
}

// Move is one message to move to another mailbox of the same side.
type Move struct {
	// ID is the message's id in this mailbox.
	ID string
	// To is the index in Plan.Boxes of the destination mailbox.
	To int
	// Pair is the index in the destination's Pairs of the pair whose id
	// the move fills in.
	Pair int
}

// FlagChange is a flag change on one message.
type FlagChange struct {
	// ID is the message's id.
	ID string
	// Add and Remove are the flags to add and remove.
	Add, Remove email.Flags
}

// Empty reports whether the plan changes nothing on either side.
func (p Plan) Empty() bool {
	for _, b := range p.Boxes {
		for s := range 2 {
			if b.Create[s] || b.Remove[s] || len(b.Copies[s]) > 0 || len(b.Moves[s]) > 0 || len(b.Flags[s]) > 0 || len(b.Deletes[s]) > 0 {
				return false
			}
		}
	}
	return true
}

// boxWork is the planner's scratch for one mailbox.
type boxWork struct {
	in      BoxInput
	out     *BoxPlan
	active  bool
	byID    [2]map[string]int // id -> index in in.View
	claimed [2][]bool         // per view entry: bound to a pair
	pairs   []Pair
	present [][2]bool
	movedIn []movedIn // pairs arriving by a move from another mailbox
}

// movedIn is a pair that a move brings into a mailbox, and the Move that
// brings it (box index, side, index in Moves).
type movedIn struct {
	pair      Pair
	src, side int
	k         int
}

// MakePlan computes the plan for the mailboxes in, by the rules of the
// package documentation. It does no I/O and depends on nothing but its
// arguments.
func MakePlan(in []BoxInput, r Rules) Plan {
	p := Plan{Boxes: make([]BoxPlan, len(in))}
	ws := make([]*boxWork, len(in))
	for i, b := range in {
		ws[i] = &boxWork{in: b, out: &p.Boxes[i]}
		ws[i].out.Name = b.Name
		ws[i].decideBox(r)
	}
	for _, w := range ws {
		if w.active {
			w.bind()
		}
	}
	planMoves(ws, r)
	planCrossedMoves(ws, r)
	for _, w := range ws {
		if w.active {
			w.finish(ws, r)
		}
	}
	return p
}

// decideBox applies the mailbox rules: which mailboxes are synced, created
// or removed.
func (w *boxWork) decideBox(r Rules) {
	b, out := w.in, w.out
	switch {
	case b.Exists[A] && b.Exists[B]:
		w.active = true
		if !b.Known {
			w.in.Pairs = nil
		}
	case !b.Exists[A] && !b.Exists[B]:
		out.Forget = true
	default:
		s := A
		if b.Exists[B] {
			s = B
		}
		o := s.Other()
		switch {
		case !b.Known && r.source(s) && r.writable(o):
			out.Create[o] = true
			w.active = true
		case !b.Known:
			out.Forget = true
		case r.source(o) && r.writable(s) && !email.IsInbox(b.Name[s]) && w.allPaired(s):
			// Deleted on o: its messages go as deletions (or moves, for a
			// rename), then the mailbox.
			out.Remove[s] = true
			w.active = true
		case r.writable(o):
			// Deleted on o but not propagated (new mail on s, the inbox,
			// or o is a one-way target): made again, with everything.
			out.Create[o] = true
			w.in.Pairs = nil
			w.active = true
		default:
			out.Forget = true
		}
	}
}

// allPaired reports whether every message of side s is in a pair that
// knows its other side: nothing arrived on s since the last run.
func (w *boxWork) allPaired(s Side) bool {
	ids := map[string]bool{}
	for _, p := range w.in.Pairs {
		if p.ID[s] != "" {
			ids[p.ID[s]] = true
		}
	}
	for _, m := range w.in.View[s] {
		if !ids[m.ID] {
			return false
		}
	}
	return true
}

// bind finds each pair's messages in the views: by id, then by identity
// where the id is void (Reset) or unknown (an unrecorded upload, a file
// renamed by another program).
func (w *boxWork) bind() {
	for s := range 2 {
		w.byID[s] = make(map[string]int, len(w.in.View[s]))
		for i, m := range w.in.View[s] {
			w.byID[s][m.ID] = i
		}
		w.claimed[s] = make([]bool, len(w.in.View[s]))
	}
	w.pairs = slices.Clone(w.in.Pairs)
	w.present = make([][2]bool, len(w.pairs))
	if w.in.Reset[A] || w.in.Reset[B] {
		// The flags last seen on a reset side say nothing of what
		// changed there: merged as a new pair's.
		for i := range w.pairs {
			w.pairs[i].Known = [2]bool{}
		}
	}
	for i := range w.pairs {
		p := &w.pairs[i]
		for s := range 2 {
			if p.Gone[s] || p.ID[s] == "" {
				continue
			}
			j, ok := w.byID[s][p.ID[s]]
			if ok && !w.claimed[s][j] && (!w.in.Reset[s] || w.in.View[s][j].key() == p.key()) {
				w.present[i][s] = true
				w.claimed[s][j] = true
			}
		}
	}
	idx := [2]map[string][]int{w.unclaimedByKey(A), w.unclaimedByKey(B)}
	for i := range w.pairs {
		p := &w.pairs[i]
		for s := range 2 {
			if w.present[i][s] || p.Gone[s] {
				continue
			}
			if j, ok := takeMatch(idx[s], w.in.View[s], w.claimed[s], p.key(), p.Size); ok {
				if p.ID[s] != "" {
					// Found again under a new id: its flags there say
					// nothing of what changed; merged as a new pair's.
					p.Known = [2]bool{}
				}
				p.ID[s] = w.in.View[s][j].ID
				w.present[i][s] = true
			}
		}
	}
}

// unclaimedByKey indexes the unclaimed messages of side s by identity.
func (w *boxWork) unclaimedByKey(s Side) map[string][]int {
	idx := map[string][]int{}
	for j, m := range w.in.View[s] {
		if !w.claimed[s][j] {
			idx[m.key()] = append(idx[m.key()], j)
		}
	}
	return idx
}

// takeMatch claims an unclaimed message of identity key, preferring one
// of the given size, and returns its index in view.
func takeMatch(idx map[string][]int, view []Msg, claimed []bool, key string, size int64) (int, bool) {
	best := -1
	for _, j := range idx[key] {
		if claimed[j] {
			continue
		}
		if view[j].Size == size {
			best = j
			break
		}
		if best < 0 {
			best = j
		}
	}
	if best < 0 {
		return 0, false
	}
	claimed[best] = true
	return best, true
}

// planMoves finds messages that vanished from one mailbox of a side and
// appeared in another mailbox of the same side (same Message-ID and size),
// and moves them likewise on the other side.
func planMoves(ws []*boxWork, r Rules) {
	type loc struct{ box, j int }
	for s := range Side(2) {
		o := s.Other()
		if !r.source(s) || !r.writable(o) {
			continue
		}
		news := map[string][]loc{}
		for bi, w := range ws {
			if !w.active || !(w.in.Exists[o] || w.out.Create[o]) {
				continue
			}
			for j, m := range w.in.View[s] {
				if !w.claimed[s][j] {
					news[m.key()] = append(news[m.key()], loc{bi, j})
				}
			}
		}
		if len(news) == 0 {
			continue
		}
		for bi, w := range ws {
			if !w.active {
				continue
			}
			for i := range w.pairs {
				p := &w.pairs[i]
				if w.present[i][s] || !w.present[i][o] || p.Gone[s] {
					continue
				}
				cands := news[p.key()]
				k := slices.IndexFunc(cands, func(l loc) bool { return l.box != bi && !ws[l.box].claimed[s][l.j] })
				if k < 0 {
					continue
				}
				l := cands[k]
				dst := ws[l.box]
				dst.claimed[s][l.j] = true
				np := *p
				np.ID[s] = dst.in.View[s][l.j].ID
				// Flags are stored before the moves: o's change goes
				// to the message where it is now.
				var cur [2]flagList
				cur[s] = dst.in.View[s][l.j].Flags
				cur[o] = w.in.View[o][w.byID[o][p.ID[o]]].Flags
				var to [2]*[]FlagChange
				to[s], to[o] = &dst.out.Flags[s], &w.out.Flags[o]
				dst.merge(&np, cur, r, to)
				np.ID[o] = ""
				w.out.Moves[o] = append(w.out.Moves[o], Move{ID: p.ID[o], To: l.box, Pair: -1})
				dst.movedIn = append(dst.movedIn, movedIn{pair: np, src: bi, side: int(o), k: len(w.out.Moves[o]) - 1})
				w.present[i] = [2]bool{}
				p.Gone = [2]bool{true, true} // handled: dropped by finish
			}
		}
	}
}

// planCrossedMoves handles a message moved on both sides since the last
// run, to different mailboxes: the side that wins flag conflicts keeps its
// destination, and the other side moves its copy there too.
func planCrossedMoves(ws []*boxWork, r Rules) {
	if r.Direction != Both {
		return
	}
	win := r.FlagConflict
	lose := win.Other()
	type loc struct{ box, j int }
	var news [2]map[string][]loc
	for s := range Side(2) {
		news[s] = map[string][]loc{}
		for bi, w := range ws {
			if !w.active {
				continue
			}
			for j, m := range w.in.View[s] {
				if !w.claimed[s][j] {
					news[s][m.key()] = append(news[s][m.key()], loc{bi, j})
				}
			}
		}
	}
	first := func(s Side, key string, not int) (loc, bool) {
		for _, l := range news[s][key] {
			if l.box != not && !ws[l.box].claimed[s][l.j] {
				return l, true
			}
		}
		return loc{}, false
	}
	for bi, w := range ws {
		if !w.active {
			continue
		}
		for i := range w.pairs {
			p := &w.pairs[i]
			if w.present[i][A] || w.present[i][B] || p.Gone[A] || p.Gone[B] {
				continue
			}
			lw, ok1 := first(win, p.key(), bi)
			if !ok1 {
				continue
			}
			dst := ws[lw.box]
			if !(dst.in.Exists[lose] || dst.out.Create[lose]) {
				continue
			}
			ll, ok2 := first(lose, p.key(), lw.box)
			if !ok2 {
				continue
			}
			srcw := ws[ll.box]
			dst.claimed[win][lw.j], srcw.claimed[lose][ll.j] = true, true
			np := *p
			np.ID[win] = dst.in.View[win][lw.j].ID
			var cur [2]flagList
			cur[win], cur[lose] = dst.in.View[win][lw.j].Flags, srcw.in.View[lose][ll.j].Flags
			np.ID[lose] = srcw.in.View[lose][ll.j].ID
			var to [2]*[]FlagChange
			to[win], to[lose] = &dst.out.Flags[win], &srcw.out.Flags[lose]
			dst.merge(&np, cur, r, to)
			np.ID[lose] = ""
			srcw.out.Moves[lose] = append(srcw.out.Moves[lose], Move{ID: srcw.in.View[lose][ll.j].ID, To: lw.box, Pair: -1})
			dst.movedIn = append(dst.movedIn, movedIn{pair: np, src: ll.box, side: int(lose), k: len(srcw.out.Moves[lose]) - 1})
			p.Gone = [2]bool{true, true} // handled: dropped by finish
		}
	}
}

// finish plans the flags, deletions, matches and copies of one mailbox and
// writes its resulting pairs.
func (w *boxWork) finish(ws []*boxWork, r Rules) {
	out := w.out
	var keep []Pair
	for _, m := range w.movedIn {
		ws[m.src].out.Moves[m.side][m.k].Pair = len(keep)
		keep = append(keep, m.pair)
	}
	for i, p := range w.pairs {
		pr := w.present[i]
		switch {
		case p.Gone[A] && p.Gone[B]:
			// moved away (planMoves) or otherwise finished
		case pr[A] && pr[B]:
			w.mergeFlags(&p, r)
			keep = append(keep, p)
		case pr[A] || pr[B]:
			s := A // the side it vanished from
			if pr[A] {
				s = B
			}
			o := s.Other()
			switch {
			case p.Gone[s]:
				keep = append(keep, p) // a one-way tombstone, source still there
			case p.ID[s] == "" && r.writable(s):
				// An upload recorded as intended but not found: made again.
				m := w.in.View[o][w.byID[o][p.ID[o]]]
				out.Copies[s] = append(out.Copies[s], Copy{From: m, Pair: len(keep)})
				keep = append(keep, p)
			case p.ID[s] == "":
				keep = append(keep, p)
			case r.source(s) && r.writable(o):
				out.Deletes[o] = append(out.Deletes[o], p.ID[o])
			default:
				p.ID[s], p.Gone[s] = "", true
				keep = append(keep, p)
			}
		}
	}
	// New on both sides with the same identity: the same message.
	idx := w.unclaimedByKey(B)
	for j, m := range w.in.View[A] {
		if w.claimed[A][j] {
			continue
		}
		k, ok := takeMatch(idx, w.in.View[B], w.claimed[B], m.key(), m.Size)
		if !ok {
			continue
		}
		w.claimed[A][j] = true
		p := pairOf(m)
		p.ID = [2]string{m.ID, w.in.View[B][k].ID}
		w.mergeFresh(&p, [2]flagList{m.Flags, w.in.View[B][k].Flags}, r, [2]*[]FlagChange{&w.out.Flags[A], &w.out.Flags[B]})
		keep = append(keep, p)
	}
	// The rest is new on one side: copied to the other.
	for s := range Side(2) {
		for j, m := range w.in.View[s] {
			if w.claimed[s][j] {
				continue
			}
			o := s.Other()
			if r.MaxSize > 0 && m.Size > r.MaxSize {
				out.Skipped++
				continue
			}
			if !r.source(s) || !r.writable(o) {
				continue
			}
			p := pairOf(m)
			p.ID[s] = m.ID
			p.Base[s], p.Known[s] = m.Flags, true
			p.Base[o] = m.Flags
			out.Copies[o] = append(out.Copies[o], Copy{From: m, Pair: len(keep)})
			keep = append(keep, p)
		}
	}
	out.Pairs = keep
}

// current returns the flags the pair's messages have now.
func (w *boxWork) current(p *Pair) [2]flagList {
	var cur [2]flagList
	for s := range 2 {
		cur[s] = w.in.View[s][w.byID[s][p.ID[s]]].Flags
	}
	return cur
}

// mergeFlags merges, flag by flag, the changes each side made since the
// pair was last in sync.
func (w *boxWork) mergeFlags(p *Pair, r Rules) {
	w.merge(p, w.current(p), r, [2]*[]FlagChange{&w.out.Flags[A], &w.out.Flags[B]})
}

// merge plans, into the lists to, the flag changes of a pair whose
// messages have the flags cur.
func (w *boxWork) merge(p *Pair, cur [2]flagList, r Rules, to [2]*[]FlagChange) {
	if !p.Known[A] && !p.Known[B] {
		w.mergeFresh(p, cur, r, to)
		return
	}
	want := map[string]bool{}
	all := map[string]email.Flag{}
	collect := func(fs flagList) {
		for _, f := range fs {
			all[f.Key()] = f
		}
	}
	collect(cur[A])
	collect(cur[B])
	for s := range 2 {
		if p.Known[s] {
			collect(p.Base[s])
		}
	}
	winner := r.FlagConflict
	if r.Direction == AToB {
		winner = A
	} else if r.Direction == BToA {
		winner = B
	}
	for k := range all {
		in := [2]bool{cur[A].has(k), cur[B].has(k)}
		var ch [2]bool
		for s := range 2 {
			ch[s] = p.Known[s] && in[s] != p.Base[s].has(k)
		}
		switch {
		case ch[A] && ch[B] && in[A] != in[B]:
			w.out.Conflicts++
			want[k] = in[winner]
		case ch[A]:
			want[k] = in[A]
		case ch[B]:
			want[k] = in[B]
		}
	}
	w.apply(p, cur, want, all, r, to)
}

// mergeFresh merges the flags of a newly found pair: each side gets the
// union.
func (w *boxWork) mergeFresh(p *Pair, cur [2]flagList, r Rules, to [2]*[]FlagChange) {
	want := map[string]bool{}
	all := map[string]email.Flag{}
	for s := range 2 {
		for _, f := range cur[s] {
			all[f.Key()] = f
			want[f.Key()] = true
		}
	}
	w.apply(p, cur, want, all, r, to)
}

// apply plans the flag changes that give each writable side the wanted
// flags, and sets the pair's bases.
func (w *boxWork) apply(p *Pair, cur [2]flagList, want map[string]bool, all map[string]email.Flag, r Rules, to [2]*[]FlagChange) {
	for s := range Side(2) {
		var add, rm []email.Flag
		if r.writable(s) {
			for k, v := range want {
				if v && !cur[s].has(k) {
					add = append(add, all[k])
				} else if !v && cur[s].has(k) {
					rm = append(rm, all[k])
				}
			}
		}
		if len(add) == 0 && len(rm) == 0 {
			p.Base[s], p.Known[s] = cur[s], true
			continue
		}
		fc := FlagChange{ID: p.ID[s], Add: email.NewFlags(add...), Remove: email.NewFlags(rm...)}
		*to[s] = append(*to[s], fc)
		p.Base[s] = flagList(email.Flags(cur[s]).Union(fc.Add).Minus(fc.Remove))
		p.Known[s] = false
	}
}
