package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// bigSize is the size of the large messages of the streaming tests.
const bigSize = 100 << 20

// maxExtraHeap is the most a streamed 100 MiB message may allocate.
const maxExtraHeap = 16 << 20

// bigMessage is a deterministic message of exactly size bytes, generated
// as it is read (it allocates nothing), hashing what it hands out.
type bigMessage struct {
	size, off int64
	head      []byte
	line      []byte
	sum       hash.Hash
}

func newBigMessage(size int64) *bigMessage {
	return newBigMessageWith(size, "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: big\r\n"+
		"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <big@example.org>\r\n\r\n")
}

// newBigMessageWith is newBigMessage with the given header block; its body
// lines start with a dot, for dot-stuffing.
func newBigMessageWith(size int64, head string) *bigMessage {
	line := []byte("." + strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz", 2) + "..\r\n")
	return &bigMessage{size: size, head: []byte(head), line: line, sum: sha256.New()}
}

func (b *bigMessage) Read(p []byte) (int, error) {
	if b.off >= b.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.off < b.size {
		var k int
		if b.off < int64(len(b.head)) {
			k = copy(p[n:], b.head[b.off:])
		} else {
			k = copy(p[n:], b.line[(b.off-int64(len(b.head)))%int64(len(b.line)):])
		}
		k = int(min(int64(k), b.size-b.off))
		n += k
		b.off += int64(k)
	}
	b.sum.Write(p[:n])
	return n, nil
}

// allocated runs f and returns the bytes it allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// hashSink hashes and counts what it is given.
type hashSink struct {
	h hash.Hash
	n int64
}

func (s *hashSink) Write(b []byte) (int, error) {
	s.n += int64(len(b))
	return s.h.Write(b)
}

// streamStores are the local stores under test, each on a fresh tree with
// an INBOX, sized for bigSize messages.
func streamStores(t *testing.T, limit int64) map[string]client.Storage {
	ctx := context.Background()
	md := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(filepath.Join(t.TempDir(), "Mail")), MaxMessageSize: limit}).Maildir()
	m2 := client.NewM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir()), MaxMessageSize: limit}, nil)
	out := map[string]client.Storage{"maildir": md, "m2dir": m2}
	for _, s := range out {
		require.NoError(t, s.CreateMailbox(ctx, "INBOX"))
	}
	return out
}

// TestLocalStoresStreamBigMessage adds and gets a 100 MiB message on each
// local store: the bytes come back intact and neither call allocates more
// than maxExtraHeap (the message is never held whole).
func TestLocalStoresStreamBigMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100 MiB per store")
	}
	ctx := context.Background()
	for name, s := range streamStores(t, 0) {
		t.Run(name, func(t *testing.T) {
			src := newBigMessage(bigSize)
			var id string
			var err error
			add := allocated(func() { id, err = s.AddMessage(ctx, "INBOX", src, email.ParseFlags(`\Seen`)) })
			require.NoError(t, err)
			assert.Less(t, add, uint64(maxExtraHeap), "AddMessage allocated %d bytes", add)
			if name == "maildir" {
				assert.Contains(t, id, fmt.Sprintf(",S=%d", bigSize), "the key carries the size read")
			}

			sink := &hashSink{h: sha256.New()}
			var n int64
			get := allocated(func() { n, err = s.GetMessage(ctx, "INBOX", id, sink) })
			require.NoError(t, err)
			assert.Less(t, get, uint64(maxExtraHeap), "GetMessage allocated %d bytes", get)
			assert.Equal(t, int64(bigSize), n)
			assert.Equal(t, int64(bigSize), sink.n)
			assert.Equal(t, src.sum.Sum(nil), sink.h.Sum(nil), "the bytes read back are the bytes added")
			t.Logf("%s: add allocated %d KiB, get %d KiB", name, add>>10, get>>10)
		})
	}
}

// TestLocalStoresStreamLimits checks the size limit on the stream: an add
// over it fails with email.ErrTooLarge and leaves no file, and a get of a
// message over it fails before writing a byte.
func TestLocalStoresStreamLimits(t *testing.T) {
	ctx := context.Background()
	const limit = 1 << 20
	for name, s := range streamStores(t, limit) {
		t.Run(name, func(t *testing.T) {
			_, err := s.AddMessage(ctx, "INBOX", newBigMessage(limit+1), nil)
			require.ErrorIs(t, err, email.ErrTooLarge)
			envs, err := s.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			require.NoError(t, err)
			assert.Empty(t, envs, "nothing stored")

			src := newBigMessage(limit)
			id, err := s.AddMessage(ctx, "INBOX", src, nil)
			require.NoError(t, err, "exactly the limit is accepted")
			var got bytes.Buffer
			_, err = s.GetMessage(ctx, "INBOX", id, &got)
			require.NoError(t, err)
			assert.Equal(t, src.sum.Sum(nil), sha256Of(got.Bytes()))
		})
	}
}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// TestLocalStoresStreamGetTooLarge stores a message with a large limit and
// reads it through a store with a smaller one: the refusal comes before
// the sink sees a byte.
func TestLocalStoresStreamGetTooLarge(t *testing.T) {
	ctx := context.Background()
	mdRoot := filepath.ToSlash(filepath.Join(t.TempDir(), "Mail"))
	m2Root := filepath.ToSlash(t.TempDir())
	big := map[string]client.Storage{
		"maildir": client.New().WithMaildir(maildir.Store{Root: mdRoot}).Maildir(),
		"m2dir":   client.NewM2dir(m2dir.Store{Root: m2Root}, nil),
	}
	small := map[string]client.Storage{
		"maildir": client.New().WithMaildir(maildir.Store{Root: mdRoot, MaxMessageSize: 1000}).Maildir(),
		"m2dir":   client.NewM2dir(m2dir.Store{Root: m2Root, MaxMessageSize: 1000}, nil),
	}
	for name, s := range big {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, s.CreateMailbox(ctx, "INBOX"))
			id, err := s.AddMessage(ctx, "INBOX", newBigMessage(1001), nil)
			require.NoError(t, err)
			var sink hashSink
			sink.h = sha256.New()
			_, err = small[name].GetMessage(ctx, "INBOX", id, &sink)
			require.ErrorIs(t, err, email.ErrTooLarge)
			assert.Zero(t, sink.n, "nothing written before the refusal")
		})
	}
}

// failingSink fails its first write.
type failingSink struct{}

var errSink = errors.New("sink full")

func (failingSink) Write([]byte) (int, error) { return 0, errSink }

// TestM2dirStreamChecksum damages a stored m2dir message: the streamed get
// reports a *m2dir.ChecksumError; a sink error comes back as it is.
func TestM2dirStreamChecksum(t *testing.T) {
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	s := client.NewM2dir(m2dir.Store{Root: root}, nil)
	require.NoError(t, s.CreateMailbox(ctx, "INBOX"))
	id, err := s.AddMessage(ctx, "INBOX", newBigMessage(4096), nil)
	require.NoError(t, err)

	_, err = s.GetMessage(ctx, "INBOX", id, failingSink{})
	require.ErrorIs(t, err, errSink)

	files, err := filepath.Glob(filepath.Join(root, "INBOX", "*"+id))
	require.NoError(t, err)
	require.Len(t, files, 1)
	f, err := os.OpenFile(files[0], os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("X"), 2000)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	_, err = s.GetMessage(ctx, "INBOX", id, io.Discard)
	var ce *m2dir.ChecksumError
	require.ErrorAs(t, err, &ce)
}

// fixedEntropy is a deterministic entropy source.
type fixedEntropy struct{ n byte }

func (f *fixedEntropy) Read(p []byte) (int, error) {
	for i := range p {
		f.n++
		p[i] = f.n
	}
	return len(p), nil
}

// TestStreamScriptReplay records a streamed add and get on m2dir, keeps
// the script through JSON, and replays it without any sink or source: the
// script holds the sizes, heads and checksums the machines need.
func TestStreamScriptReplay(t *testing.T) {
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	store := func() m2dir.Store {
		return m2dir.Store{Root: root, Entropy: &fixedEntropy{}, Clock: func() time.Time { return time.Unix(1700000000, 0) }}
	}
	c := client.NewM2dir(store(), nil)
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	d := client.NewFileDriver(0)
	src := newBigMessage(4 << 20)
	var sink hashSink
	sink.h = sha256.New()
	body := client.Body{Source: src, Sink: &sink}
	rec := &coroutine.Recorder{Do: func(reqs []coroutine.FileRequest) []coroutine.FileResult { return d.DoBody(ctx, reqs, body) }}
	id, err := coroutine.Run(store().AddMessageStream("INBOX", nil), rec.Perform)
	require.NoError(t, err)
	addSteps := len(rec.Steps)
	n, err := coroutine.Run(store().GetMessageStream("INBOX", id), rec.Perform)
	require.NoError(t, err)
	require.Equal(t, src.sum.Sum(nil), sink.h.Sum(nil))

	js, err := json.Marshal(rec.Steps)
	require.NoError(t, err)
	assert.Less(t, len(js), 1<<20, "the script holds the head (MaxHeadSize), not the body")
	var steps []coroutine.FileStep
	require.NoError(t, json.Unmarshal(js, &steps))
	gotID, err := coroutine.ReplayFiles(store().AddMessageStream("INBOX", nil), steps[:addSteps])
	require.NoError(t, err)
	assert.Equal(t, id, gotID)
	gotN, err := coroutine.ReplayFiles(store().GetMessageStream("INBOX", id), steps[addSteps:])
	require.NoError(t, err)
	assert.Equal(t, n, gotN)
}
