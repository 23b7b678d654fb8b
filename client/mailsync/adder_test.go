package mailsync

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// adderStore is a memStore that also stores batches
// (client.MessagesAdder), recording the size of each batch and how many
// messages came one at a time.
type adderStore struct {
	*memStore
	mu      sync.Mutex
	batches []int
	singles int
	// failAt, when positive, makes the failAt-th AddMessages store the
	// first half of its batch and fail.
	failAt int
}

func (a *adderStore) AddMessages(ctx context.Context, mailbox string, msgs []client.NewMessage) ([]string, error) {
	a.mu.Lock()
	a.batches = append(a.batches, len(msgs))
	failing := len(a.batches) == a.failAt
	a.mu.Unlock()
	if failing {
		msgs = msgs[:(len(msgs)+1)/2]
	}
	a.memStore.mu.Lock()
	defer a.memStore.mu.Unlock()
	a.memStore.calls++
	b, err := a.box(mailbox)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = a.add(b, &memMsg{raw: m.Raw, flags: email.NewFlags(m.Flags...), received: m.Received})
	}
	if failing {
		return nil, errInjected
	}
	return ids, nil
}

func (a *adderStore) AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error) {
	a.mu.Lock()
	a.singles++
	a.mu.Unlock()
	return a.memStore.AddMessage(ctx, mailbox, r, flags, opts...)
}

// faultAdder is a faultStore whose store takes batches: a kill that lands
// on a batch stores all of it (at an even call) or its first half (at an
// odd one), then loses the answer with the process.
type faultAdder struct{ faultStore }

func (w faultAdder) AddMessages(ctx context.Context, mb string, msgs []client.NewMessage) ([]string, error) {
	if err := w.f.hit(ctx); err != nil {
		return nil, err
	}
	ad := w.s.(client.MessagesAdder)
	w.f.mu.Lock()
	dying := w.f.kill && w.f.at == w.f.n+1
	w.f.mu.Unlock()
	if dying {
		part := msgs
		if w.f.at%2 == 1 {
			part = msgs[:(len(msgs)+1)/2]
		}
		ad.AddMessages(ctx, mb, part)
		w.f.hit(ctx)
		return nil, errInjected
	}
	return ad.AddMessages(ctx, mb, msgs)
}

// A copy into a store that takes batches goes in batches of 1, 2, 4, ...
// up to addBatchMax messages; a message larger than addBufferMax is
// streamed on its own; the result is the same as one at a time, and the
// next run changes nothing.
func TestCopyInBatches(t *testing.T) {
	a, b := newMemStore("a"), &adderStore{memStore: newMemStore("b")}
	const n = 300
	for i := range n {
		fl := []email.Flag{}
		if i%3 == 0 {
			fl = append(fl, email.FlagSeen)
		}
		a.put("INBOX", fmt.Sprintf("m%d@x", i), fl...)
	}
	big := "Message-ID: <big@x>\r\nSubject: big\r\n\r\n" + strings.Repeat("x", addBufferMax+10) + "\r\n"
	_, err := a.AddMessage(tctx(t), "INBOX", strings.NewReader(big), nil)
	require.NoError(t, err)
	e, err := New(a, b, statePath(t), Options{})
	require.NoError(t, err)
	sum := once(t, e)
	assert.Equal(t, n+1, sum.B.Copied)
	assert.Equal(t, a.content(), b.content())
	assert.Equal(t, 1, b.singles, "the large message alone")
	total := 0
	for _, k := range b.batches {
		assert.LessOrEqual(t, k, addBatchMax)
		total += k
	}
	assert.Equal(t, n, total)
	require.GreaterOrEqual(t, len(b.batches), 4)
	assert.Equal(t, []int{1, 2, 4, 8}, b.batches[:4], "each batch twice the one before")
	assert.Contains(t, b.batches, addBatchMax)
	assert.Zero(t, changes(once(t, e)))
}

// A failed batch fails the run after the batches before it were recorded
// (half of the failed one was stored anyway); the next run copies the
// rest, finds the stored half again, and duplicates nothing.
func TestCopyBatchFails(t *testing.T) {
	a, b := newMemStore("a"), &adderStore{memStore: newMemStore("b"), failAt: 4}
	for i := range 100 {
		a.put("INBOX", fmt.Sprintf("m%d@x", i))
	}
	path := statePath(t)
	e, err := New(a, b, path, Options{})
	require.NoError(t, err)
	_, err = e.Once(tctx(t))
	require.ErrorIs(t, err, errInjected)
	assert.Len(t, b.content()["INBOX"], 1+2+4+4, "three batches and half of the fourth")
	st, err := loadState(path)
	require.NoError(t, err)
	recorded := 0
	for _, p := range st.Boxes["INBOX"].Pairs {
		if p.ID[B] != "" {
			recorded++
		}
	}
	assert.Equal(t, 1+2+4, recorded, "the ids of the batches that were durable, not of the failed one")
	b.failAt = 0
	e2, err := New(a, b, path, Options{})
	require.NoError(t, err)
	sum := once(t, e2)
	assert.Equal(t, 100-(1+2+4+4), sum.B.Copied)
	assert.Equal(t, a.content(), b.content())
	noDuplicates(t, b.memStore)
	assert.Zero(t, changes(once(t, e2)))
}
