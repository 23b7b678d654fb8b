package jmap

import (
	"bytes"
	"testing"
)

// canonicalSplit runs raw through a Canonicalizer cut at the offsets of
// cuts (taken in order, each modulo what is left).
func canonicalSplit(raw []byte, cuts []byte) []byte {
	var c Canonicalizer
	var out []byte
	for _, k := range cuts {
		if len(raw) == 0 {
			break
		}
		n := int(k) % (len(raw) + 1)
		out = c.Append(out, raw[:n])
		raw = raw[n:]
	}
	out = c.Append(out, raw)
	return c.Flush(out)
}

func TestCanonicalizer(t *testing.T) {
	for _, in := range []string{
		"", "F", "From", "From ", "From x", "Fro\n", "From x\nA\nB", "From x\r\nA\r\n",
		"From: a@b\n\nx", "a\rb\n", "\n", "\r\n", "a\r", "a\r\r\n\n", "FFrom x\n",
	} {
		want := CanonicalMessage([]byte(in))
		for i := 0; i <= len(in); i++ {
			for j := i; j <= len(in); j++ {
				// Three pieces: [0,i) [i,j) [j,end).
				got := canonicalSplit([]byte(in), []byte{byte(i), byte(j - i)})
				if !bytes.Equal(got, want) {
					t.Fatalf("%q cut at %d, %d: %q, want %q", in, i, j, got, want)
				}
			}
		}
	}
}

// FuzzCanonicalizer checks that the stream transform gives what
// CanonicalMessage gives on the whole input, whatever the chunks it is fed
// (cuts gives the chunk sizes).
func FuzzCanonicalizer(f *testing.F) {
	f.Add([]byte("From alice@jmap.test Mon Jan  1 10:00:00 2024\nFrom: a@b\nSubject: s\n\nbody\n"), []byte{3, 1, 7})
	f.Add([]byte("a\r\nb\nc\r\r\n\n"), []byte{2, 1, 1})
	f.Add([]byte("From x"), []byte{4})
	f.Add([]byte("Fro"), []byte{1, 1})
	f.Fuzz(func(t *testing.T, raw, cuts []byte) {
		want := CanonicalMessage(append([]byte(nil), raw...))
		if got := canonicalSplit(raw, cuts); !bytes.Equal(got, want) {
			t.Fatalf("%q in pieces %v: %q, want %q", raw, cuts, got, want)
		}
		for i := 0; i <= len(raw) && i < 64; i++ {
			if got := canonicalSplit(raw, []byte{byte(i)}); !bytes.Equal(got, want) {
				t.Fatalf("%q cut at %d: %q, want %q", raw, i, got, want)
			}
		}
	})
}
