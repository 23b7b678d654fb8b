package jmap

import (
	"bytes"
	"maps"
	"testing"
)

// FuzzDecodeMembers checks the membership set stored in a JMAP diff
// state: bytes of a length that is not a multiple of 8 are refused, any
// other bytes decode to at most one member per 8 bytes, and the set
// re-encodes (sorted, so a state is canonical) to bytes that decode to
// the same set and encode again to the same bytes.
func FuzzDecodeMembers(f *testing.F) {
	ms := members{}
	for _, id := range []string{"M1", "Mf00d", "Ma-b_c"} {
		ms[idHash(id)] = struct{}{}
	}
	f.Add(ms.encode())
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Add(bytes.Repeat([]byte{7}, 16))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, ok := decodeMembers(b)
		if ok != (len(b)%8 == 0) {
			t.Fatalf("%d bytes: ok %v", len(b), ok)
		}
		if !ok {
			return
		}
		if len(ms) > len(b)/8 {
			t.Fatalf("%d members from %d bytes", len(ms), len(b))
		}
		enc := ms.encode()
		again, ok := decodeMembers(enc)
		if !ok || !maps.Equal(ms, again) || !bytes.Equal(again.encode(), enc) {
			t.Fatalf("%x: members do not survive a round trip", b)
		}
	})
}
