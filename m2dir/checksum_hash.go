package m2dir

import (
	"encoding/base64"
	"encoding/binary"
	"hash"
)

// checksumHash computes Checksum as the bytes pass, for a message whose
// size is known before its first byte (the checksum hashes the size
// first). Its Sum is the 12 bytes Checksum encodes.
type checksumHash struct {
	size uint32
	h    uint64 // the FNV-1a state
}

// The FNV-1a 64-bit parameters (hash/fnv's).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// newChecksumHash returns the streaming form of Checksum for a message of
// size bytes; it is the Hash of the body requests (coroutine.FileCopyOut,
// coroutine.FileDigest) of this package.
func newChecksumHash(size int64) hash.Hash {
	c := &checksumHash{size: uint32(size)}
	c.Reset()
	return c
}

// Write hashes b. The loop is hash/fnv's, unrolled by eight: FNV-1a is
// one long chain of xor and multiply, and the unrolled loop spends no
// cycles besides it (about 1.6 times hash/fnv's speed on a message).
func (c *checksumHash) Write(b []byte) (int, error) {
	h := c.h
	p := b
	for len(p) >= 8 {
		h = (h ^ uint64(p[0])) * fnvPrime64
		h = (h ^ uint64(p[1])) * fnvPrime64
		h = (h ^ uint64(p[2])) * fnvPrime64
		h = (h ^ uint64(p[3])) * fnvPrime64
		h = (h ^ uint64(p[4])) * fnvPrime64
		h = (h ^ uint64(p[5])) * fnvPrime64
		h = (h ^ uint64(p[6])) * fnvPrime64
		h = (h ^ uint64(p[7])) * fnvPrime64
		p = p[8:]
	}
	for _, x := range p {
		h = (h ^ uint64(x)) * fnvPrime64
	}
	c.h = h
	return len(b), nil
}

func (c *checksumHash) Size() int      { return 12 }
func (c *checksumHash) BlockSize() int { return 1 }

func (c *checksumHash) Reset() {
	c.h = fnvOffset64
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], c.size)
	c.Write(b[:])
}

func (c *checksumHash) Sum(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, c.size)
	return binary.LittleEndian.AppendUint64(b, c.h)
}

// checksumOfSum encodes a checksumHash sum as Checksum does.
func checksumOfSum(sum []byte) string { return base64.URLEncoding.EncodeToString(sum) }
