package m2dir

import (
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/fnv"
)

// checksumHash computes Checksum as the bytes pass, for a message whose
// size is known before its first byte (the checksum hashes the size
// first). Its Sum is the 12 bytes Checksum encodes.
type checksumHash struct {
	size uint32
	h    hash.Hash64
}

// newChecksumHash returns the streaming form of Checksum for a message of
// size bytes; it is the Hash of the body requests (coroutine.FileCopyOut,
// coroutine.FileDigest) of this package.
func newChecksumHash(size int64) hash.Hash {
	c := &checksumHash{size: uint32(size), h: fnv.New64a()}
	c.Reset()
	return c
}

func (c *checksumHash) Write(b []byte) (int, error) { return c.h.Write(b) }
func (c *checksumHash) Size() int                   { return 12 }
func (c *checksumHash) BlockSize() int              { return c.h.BlockSize() }

func (c *checksumHash) Reset() {
	c.h.Reset()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], c.size)
	c.h.Write(b[:])
}

func (c *checksumHash) Sum(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, c.size)
	return binary.LittleEndian.AppendUint64(b, c.h.Sum64())
}

// checksumOfSum encodes a checksumHash sum as Checksum does.
func checksumOfSum(sum []byte) string { return base64.URLEncoding.EncodeToString(sum) }
