package jmap

import "bytes"

// Canonicalizer is CanonicalMessage as a sans-I/O stream transform: the
// bytes of a message go in chunk by chunk (Append), the canonical bytes
// come out, and Flush ends the stream. It carries its state across chunk
// boundaries (a CR ending one chunk before the LF that starts the next; a
// "From " split across chunks), so the concatenated output equals
// CanonicalMessage of the concatenated input whatever the split. It holds
// at most four bytes of its own (a possible "From " not yet complete). The
// zero value is ready to use; a Canonicalizer is single use.
type Canonicalizer struct {
	head   [4]byte // the first bytes, while they may still start "From "
	nhead  int
	st     canonState
	prevCR bool
}

type canonState uint8

const (
	canonStart canonState = iota // the first bytes: "From " or not
	canonFrom                    // dropping the mbox "From " line
	canonBody                    // everything else
)

var mboxFrom = [5]byte{'F', 'r', 'o', 'm', ' '}

// Append appends the canonical form of chunk, the next bytes of the
// message, to dst and returns the extended slice. Bytes it cannot decide
// on yet (at most four, at the very start) are kept for the next call.
func (c *Canonicalizer) Append(dst, chunk []byte) []byte {
	for len(chunk) > 0 {
		switch c.st {
		case canonStart:
			b := chunk[0]
			if b != mboxFrom[c.nhead] {
				// Not an mbox line: what was held is ordinary text.
				c.st = canonBody
				held := c.nhead
				c.nhead = 0
				dst = c.body(dst, c.head[:held])
				continue
			}
			chunk = chunk[1:]
			if c.nhead == len(c.head) {
				c.nhead, c.st = 0, canonFrom
				continue
			}
			c.head[c.nhead] = b
			c.nhead++
		case canonFrom:
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				return dst
			}
			chunk = chunk[i+1:]
			c.st = canonBody
		case canonBody:
			return c.body(dst, chunk)
		}
	}
	return dst
}

// Flush appends what the Canonicalizer still holds at the end of the
// message to dst: the start of a message shorter than "From ".
func (c *Canonicalizer) Flush(dst []byte) []byte {
	if c.st == canonStart {
		held := c.nhead
		c.nhead, c.st = 0, canonBody
		dst = c.body(dst, c.head[:held])
	}
	return dst
}

// body appends b with every LF not preceded by CR turned into CRLF.
func (c *Canonicalizer) body(dst, b []byte) []byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			c.prevCR = b[len(b)-1] == '\r'
			return append(dst, b...)
		}
		cr := c.prevCR
		if i > 0 {
			cr = b[i-1] == '\r'
		}
		dst = append(dst, b[:i]...)
		if !cr {
			dst = append(dst, '\r')
		}
		dst = append(dst, '\n')
		c.prevCR = false
		b = b[i+1:]
	}
	return dst
}
