package jmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPrefixedTransform: the head comes first, canonicalised with the
// stream, even when the stream is empty.
func TestPrefixedTransform(t *testing.T) {
	p := &prefixed{head: []byte("From x\nSubject: s\n\n"), inner: new(Canonicalizer)}
	assert.Equal(t, "Subject: s\r\n\r\n", string(p.Flush(nil)))
	p = &prefixed{head: []byte("Subject: s\n\n"), inner: new(Canonicalizer)}
	out := p.Append(nil, []byte("a\n"))
	out = p.Append(out, []byte("b\r"))
	out = p.Flush(p.Append(out, []byte("\nc")))
	assert.Equal(t, "Subject: s\r\n\r\na\r\nb\r\nc", string(out))
}
