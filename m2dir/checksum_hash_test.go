package m2dir

import (
	"bytes"
	"testing"
)

// TestChecksumHash checks the streaming checksum against Checksum, fed in
// pieces and after a Reset.
func TestChecksumHash(t *testing.T) {
	for _, n := range []int{0, 1, 255, 4096, 1<<16 + 3} {
		data := bytes.Repeat([]byte("ab\r\n"), n/4+1)[:n]
		h := newChecksumHash(int64(n))
		h.Write([]byte("garbage"))
		h.Reset()
		for i := 0; i < n; i += 1000 {
			h.Write(data[i:min(n, i+1000)])
		}
		if got, want := checksumOfSum(h.Sum(nil)), Checksum(data); got != want {
			t.Errorf("size %d: streaming checksum %s, Checksum %s", n, got, want)
		}
	}
}
