package client_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

// TestJMAPCyrusOverNetStream runs the sans-I/O HTTP/1.1 path against Cyrus
// on one socket (client.RunNetBody): a 100 MiB message uploaded from the
// source (chunked) and downloaded to the sink, byte for byte, with less
// than maxExtraHeap allocated for both.
func TestJMAPCyrusOverNetStream(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 100 MiB through Cyrus")
	}
	ctx := context.Background()
	_, jc, box := cyrus(t)
	mid, err := jc.MailboxID(ctx, box)
	require.NoError(t, err)
	const origin = "http://127.0.0.1:18080"
	conn, err := client.Dial(ctx, "127.0.0.1:18080", &client.Options{AllowPlaintext: true}, false)
	require.NoError(t, err)
	defer conn.Close()

	src := bigJMAP(bigSize, "overnet")
	sink := &hashSink{h: sha256.New()}
	m := coroutine.Then(jmap.Discover(origin+"/.well-known/jmap", "Basic YWxpY2U6YWxpY2VwYXNz"), func(s *jmap.Session) jmap.Machine[int64] {
		return coroutine.Then(jmap.AddMessageStream(s, mid, 0, email.ParseFlags(`\Seen`)), func(id string) jmap.Machine[int64] {
			return jmap.GetMessageStream(s, mid, id, 0)
		})
	})
	var n int64
	heap := allocated(func() {
		n, err = client.RunNetBody(ctx, conn, jmap.OverNet(m, origin), nil, client.Body{Source: src, Sink: sink})
	})
	require.NoError(t, err)
	assert.Equal(t, int64(bigSize), n)
	assert.Equal(t, src.sum.Sum(nil), sink.h.Sum(nil), "the bytes read back are the bytes added")
	assert.Less(t, heap, uint64(maxExtraHeap), "add and get over one socket allocated %d bytes", heap)
	t.Logf("100 MiB up and down over OverNet: %d KiB allocated", heap>>10)
}
