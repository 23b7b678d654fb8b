// Package changes holds what the local stores (Maildir, m2dir) share to
// track changes without a server: the compact, versioned State that
// DiffEnvelopes and DiffMailboxes hand out, the comparison of two
// snapshots of a folder, and the watch events that comparison yields.
//
// A state is opaque to callers. Its bytes are a magic prefix naming the
// format version and the backend, then a DEFLATE stream of records sorted
// by key. A state that does not decode (another backend's, a newer
// version, damaged bytes) is treated as no state at all: the caller gets a
// fresh baseline, never an error.
package changes

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/fnv"
	"io"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Item is what a snapshot knows of one message.
type Item struct {
	// Hash identifies the message's flag set (FlagsHash).
	Hash uint64
	// Stamp fingerprints where the flags are stored (an m2dir flags
	// file's time and size), 0 when the backend needs none.
	Stamp uint64
	// Flags is the flag set itself, kept by watchers (which report flag
	// deltas) and absent in decoded states.
	Flags email.Flags
	// Known says Flags holds the real set.
	Known bool
}

// Snapshot is the state of one folder: its messages by id.
type Snapshot map[string]Item

// FlagsHash returns a hash equal for two sets exactly when they hold the
// same logical flags (up to hash collisions), whatever their spellings.
func FlagsHash(fs email.Flags) uint64 {
	keys := make([]string, 0, len(fs))
	for _, f := range email.NewFlags(fs...) {
		keys = append(keys, f.Key())
	}
	slices.Sort(keys)
	h := fnv.New64a()
	h.Write([]byte(strings.Join(keys, "\n")))
	return h.Sum64()
}

const magic = "ioe"

// version is the format of the records.
const version = 1

// maxState bounds the decompressed size of a state, against hostile input.
const maxState = 512 << 20

// Encode returns the state of a snapshot for the backend kind ('m', '2')
// and scope (the folder's directory): a state is only ever read back for
// the same kind and scope, so one handed to the wrong mailbox gives a
// baseline rather than a bogus diff. Flags are not kept; only hashes and
// stamps.
func Encode(kind byte, scope string, snap Snapshot) email.State {
	ids := make([]string, 0, len(snap))
	for id := range snap {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var raw bytes.Buffer
	var tmp [binary.MaxVarintLen64]byte
	put := func(v uint64) { raw.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	put(uint64(len(ids)))
	prev := ""
	for _, id := range ids {
		// Front coding: sorted ids share prefixes.
		p := commonPrefix(prev, id)
		put(uint64(p))
		put(uint64(len(id) - p))
		raw.WriteString(id[p:])
		it := snap[id]
		binary.LittleEndian.PutUint64(tmp[:8], it.Hash)
		raw.Write(tmp[:8])
		put(it.Stamp)
		prev = id
	}
	return pack(kind, scope, raw.Bytes())
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func scopeHash(scope string) []byte {
	h := fnv.New64a()
	h.Write([]byte(scope))
	return h.Sum(nil)
}

func pack(kind byte, scope string, raw []byte) email.State {
	var out bytes.Buffer
	out.WriteString(magic)
	out.WriteByte(kind)
	out.WriteByte(version)
	out.Write(scopeHash(scope))
	w, _ := flate.NewWriter(&out, flate.BestSpeed)
	w.Write(raw)
	w.Close()
	return out.Bytes()
}

func unpack(kind byte, scope string, st email.State) ([]byte, bool) {
	const head = len(magic) + 2 + 8
	if len(st) < head || string(st[:len(magic)]) != magic || st[len(magic)] != kind || st[len(magic)+1] != version ||
		!bytes.Equal(st[len(magic)+2:head], scopeHash(scope)) {
		return nil, false
	}
	r := flate.NewReader(bytes.NewReader(st[head:]))
	defer r.Close()
	raw, err := io.ReadAll(io.LimitReader(r, maxState+1))
	if err != nil || len(raw) > maxState {
		return nil, false
	}
	return raw, true
}

// reader decodes varints and bytes, remembering the first failure.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

// Decode returns the snapshot a state of the backend kind and scope holds,
// or false when st is nil or not such a state.
func Decode(kind byte, scope string, st email.State) (Snapshot, bool) {
	raw, ok := unpack(kind, scope, st)
	if !ok {
		return nil, false
	}
	r := &reader{b: raw}
	n := r.uvarint()
	if n > uint64(len(raw)) {
		return nil, false
	}
	snap := make(Snapshot, n)
	prev := ""
	for range n {
		p := r.uvarint()
		l := r.uvarint()
		if p > uint64(len(prev)) {
			return nil, false
		}
		id := prev[:p] + string(r.bytes(l))
		h := r.bytes(8)
		stamp := r.uvarint()
		if r.bad {
			return nil, false
		}
		snap[id] = Item{Hash: binary.LittleEndian.Uint64(h), Stamp: stamp}
		prev = id
	}
	if len(r.b) != 0 {
		return nil, false
	}
	return snap, true
}

// Delta is what changed between two snapshots of a folder.
type Delta struct {
	Added    []string // ids only in the new snapshot, sorted
	Vanished []string // ids only in the old one, sorted
	Changed  []string // ids in both whose flags hash differs, sorted
}

// Compare returns the delta from old to cur.
func Compare(old, cur Snapshot) Delta {
	var d Delta
	for id, it := range cur {
		o, ok := old[id]
		switch {
		case !ok:
			d.Added = append(d.Added, id)
		case o.Hash != it.Hash:
			d.Changed = append(d.Changed, id)
		}
	}
	for id := range old {
		if _, ok := cur[id]; !ok {
			d.Vanished = append(d.Vanished, id)
		}
	}
	slices.Sort(d.Added)
	slices.Sort(d.Vanished)
	slices.Sort(d.Changed)
	return d
}

// Events turns a delta into watch events for mailbox: EnvelopeRemoved for
// each vanished id, FlagsAdded and FlagsRemoved with only the flags that
// changed, and EnvelopeAdded with the envelope from added (in its order).
// old and cur must hold the flags (Known) of the changed messages.
func Events(mailbox string, d Delta, old, cur Snapshot, added []email.Envelope) []email.WatchEvent {
	var evs []email.WatchEvent
	for _, id := range d.Vanished {
		evs = append(evs, email.WatchEvent{Kind: email.EnvelopeRemoved, Mailbox: mailbox, ID: id})
	}
	for _, id := range d.Changed {
		o, c := old[id].Flags, cur[id].Flags
		if plus := c.Minus(o); len(plus) > 0 {
			evs = append(evs, email.WatchEvent{Kind: email.FlagsAdded, Mailbox: mailbox, ID: id, Flags: plus})
		}
		if minus := o.Minus(c); len(minus) > 0 {
			evs = append(evs, email.WatchEvent{Kind: email.FlagsRemoved, Mailbox: mailbox, ID: id, Flags: minus})
		}
	}
	for i := range added {
		env := added[i]
		evs = append(evs, email.WatchEvent{Kind: email.EnvelopeAdded, Mailbox: mailbox, ID: env.ID, Envelope: &env})
	}
	return evs
}

// Folder is one mailbox in a mailbox-list state: its name and a stamp that
// changes whenever its content may have (directory times, counts).
type Folder struct {
	Name  string
	Stamp uint64
}

// EncodeFolders returns the state of a mailbox list for the backend kind
// and scope (the store's root).
func EncodeFolders(kind byte, scope string, fs []Folder) email.State {
	snap := make(Snapshot, len(fs))
	for _, f := range fs {
		snap[f.Name] = Item{Stamp: f.Stamp}
	}
	return Encode(kind|0x80, scope, snap)
}

// DiffFolders compares a mailbox-list state with the current folders. It
// reports false when the state does not decode.
func DiffFolders(kind byte, scope string, st email.State, cur []Folder) (d email.MailboxDiff, ok bool) {
	old, ok := Decode(kind|0x80, scope, st)
	if !ok {
		return email.MailboxDiff{}, false
	}
	seen := make(map[string]bool, len(cur))
	for _, f := range cur {
		seen[f.Name] = true
		o, had := old[f.Name]
		switch {
		case !had:
			d.Created = append(d.Created, f.Name)
		case o.Stamp != f.Stamp:
			d.Updated = append(d.Updated, f.Name)
		}
	}
	for name := range old {
		if !seen[name] {
			d.Deleted = append(d.Deleted, name)
		}
	}
	slices.Sort(d.Created)
	slices.Sort(d.Updated)
	slices.Sort(d.Deleted)
	return d, true
}

// Stamp mixes numbers (times in nanoseconds, sizes, counts) into a stamp.
func Stamp(vs ...int64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range vs {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	s := h.Sum64()
	if s == 0 {
		s = 1
	}
	return s
}
