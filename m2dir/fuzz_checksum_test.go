package m2dir

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// checksumSpec computes the m2dir checksum from its description, without
// hash/fnv: the length as a little-endian uint32, then the FNV-1a-64 hash
// of those 4 bytes and the message, base64url.
func checksumSpec(msg []byte) string {
	var b [12]byte
	binary.LittleEndian.PutUint32(b[:4], uint32(len(msg)))
	h := uint64(0xcbf29ce484222325)
	for _, c := range append(b[:4:4], msg...) {
		h ^= uint64(c)
		h *= 0x100000001b3
	}
	binary.LittleEndian.PutUint64(b[4:], h)
	return base64.URLEncoding.EncodeToString(b[:])
}

// FuzzChecksum checks the m2dir checksum against message content: it is
// ChecksumLen base64url characters that ParseID accepts, it is what the
// format describes, verify accepts the message under its own id, and
// verify refuses it (with ErrChecksum) once any one byte changes or a
// byte is added: FNV-1a maps a one-byte change to a different hash, and
// the length is part of the checksum. Seeds: the messages of the handmade
// m2dir tree.
func FuzzChecksum(f *testing.F) {
	files, _ := filepath.Glob("../testdata/m2dir/handmade/*/*,*")
	more, _ := filepath.Glob("../testdata/m2dir/handmade/*/*/*,*")
	for _, name := range append(files, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(len(b)/2), uint8(1))
	}
	f.Add([]byte{}, uint16(0), uint8(0))
	f.Fuzz(func(t *testing.T, msg []byte, at uint16, flip uint8) {
		sum := Checksum(msg)
		if len(sum) != ChecksumLen || sum != checksumSpec(msg) {
			t.Fatalf("Checksum %q, the format says %q", sum, checksumSpec(msg))
		}
		id := sum + ".bm9uY2U="
		if c, _, ok := ParseID(id); !ok || c != sum {
			t.Fatalf("ParseID(%q) = %q, %v", id, c, ok)
		}
		if err := verify("INBOX", id, msg); err != nil {
			t.Fatalf("own checksum refused: %v", err)
		}
		if err := verify("INBOX", id, append(msg[:len(msg):len(msg)], 'x')); !errors.Is(err, ErrChecksum) {
			t.Fatalf("a byte added, verify says %v", err)
		}
		if len(msg) == 0 || flip == 0 {
			return
		}
		changed := append([]byte(nil), msg...)
		changed[int(at)%len(msg)] ^= flip
		if err := verify("INBOX", id, changed); !errors.Is(err, ErrChecksum) {
			t.Fatalf("byte %d changed, verify says %v", int(at)%len(msg), err)
		}
	})
}
