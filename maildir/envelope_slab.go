package maildir

import (
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// envelopeSlab builds the envelopes of a listing with few allocations: the
// flag set of each distinct info string is worked out once (a folder holds
// a handful of them) and copied into a slab shared by the batch, and the
// HasAttachment values point into a slab of bools. Each envelope still owns
// its Flags and *HasAttachment: the slabs are cut with their capacity
// clipped, so appending to one envelope's Flags never writes into
// another's.
type envelopeSlab struct {
	kw    *Keywords
	sets  map[string]email.Flags // by Name.Flags, under kw
	flags []email.Flag
	bools []bool
}

// slabChunk bounds the envelopes one slab serves, so that a listing does
// not hold a slab far larger than what it returns.
const slabChunk = 4096

// flagSet returns n's flags under kw, in its own clipped stretch of the
// slab.
func (b *envelopeSlab) flagSet(n Name, kw *Keywords) email.Flags {
	if b.sets == nil || kw != b.kw {
		b.sets, b.kw = make(map[string]email.Flags), kw
	}
	set, ok := b.sets[n.Flags]
	if !ok {
		set = n.FlagSet(kw)
		b.sets[strings.Clone(n.Flags)] = set
	}
	if len(set) == 0 {
		return email.Flags{}
	}
	if cap(b.flags)-len(b.flags) < len(set) {
		b.flags = make([]email.Flag, 0, max(len(set), 2*slabChunk))
	}
	start := len(b.flags)
	b.flags = append(b.flags, set...)
	return email.Flags(b.flags[start:len(b.flags):len(b.flags)])
}

// hasAttachment returns a pointer to a fresh bool holding v.
func (b *envelopeSlab) hasAttachment(v bool) *bool {
	if len(b.bools) == cap(b.bools) {
		b.bools = make([]bool, 0, slabChunk)
	}
	b.bools = append(b.bools, v)
	return &b.bools[len(b.bools)-1]
}

// envelope is envelope (the function) with the flags of e's name under kw
// and the HasAttachment value taken from the slabs.
func (b *envelopeSlab) envelope(e Entry, sum header.Summary, r coroutine.FileResult, kw *Keywords) email.Envelope {
	env := sum.Envelope()
	size := e.Name.Size
	if size < 0 {
		size = r.Size
	}
	env.ID, env.Size, env.Received = e.Name.Key, size, r.ModTime
	env.Flags = b.flagSet(e.Name, kw)
	env.HasAttachment = b.hasAttachment(sum.HasAttachment)
	return env
}
