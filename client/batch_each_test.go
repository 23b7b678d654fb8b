package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// The local stores stream their listings themselves.
var (
	_ client.EnvelopeStreamer = (*client.MaildirClient)(nil)
	_ client.EnvelopeStreamer = (*client.M2dirClient)(nil)
)

// corpusTrees returns a Maildir and an m2dir store whose INBOX holds every
// message of testdata/corpus, with flags and keywords, plus messages whose
// header is longer than a head read, in more than one chunk.
func corpusTrees(t *testing.T) map[string]client.Storage {
	t.Helper()
	ctx := context.Background()
	stores := map[string]client.Storage{
		"maildir": client.NewMaildir(maildir.Store{Root: filepath.ToSlash(filepath.Join(t.TempDir(), "Mail"))}, nil),
		"m2dir":   client.NewM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir())}, nil),
	}
	corpus := readTableCorpus(t, "each")
	long := "From: long@example.org\r\nSubject: long header\r\nX-Pad: " + strings.Repeat("p", 20000) + "\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n"
	flagSets := []email.Flags{nil, email.ParseFlags(`\Seen`), email.ParseFlags(`\Seen`, `\Flagged`, "Work"), email.ParseFlags("$Junk")}
	for _, s := range stores {
		require.NoError(t, s.CreateMailbox(ctx, "INBOX"))
		i := 0
		add := func(raw string) {
			_, err := s.AddMessage(ctx, "INBOX", strings.NewReader(raw), flagSets[i%len(flagSets)])
			require.NoError(t, err)
			i++
		}
		for _, m := range corpus {
			add(string(m.raw))
		}
		add(long)
		// Enough small ones for two chunks.
		for k := range maildir.EachChunk + 10 {
			add(fmt.Sprintf("From: n%d@example.org\r\nSubject: filler %d\r\n\r\nx\r\n", k, k))
		}
	}
	return stores
}

// TestLocalEachEnvelope checks that EachEnvelope on each local store
// yields exactly the envelopes ListEnvelopes lists, field for field, and
// that fn's error stops it and comes back as is.
func TestLocalEachEnvelope(t *testing.T) {
	ctx := context.Background()
	for name, s := range corpusTrees(t) {
		t.Run(name, func(t *testing.T) {
			want, err := s.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			require.NoError(t, err)
			var got []email.Envelope
			require.NoError(t, s.(client.EnvelopeStreamer).EachEnvelope(ctx, "INBOX", func(e email.Envelope) error {
				got = append(got, e)
				return nil
			}))
			require.Len(t, got, len(want))
			assert.ElementsMatch(t, want, got)

			stop := fmt.Errorf("stop")
			n := 0
			err = s.(client.EnvelopeStreamer).EachEnvelope(ctx, "INBOX", func(email.Envelope) error {
				n++
				return stop
			})
			assert.Equal(t, stop, err)
			assert.Equal(t, 1, n)

			err = s.(client.EnvelopeStreamer).EachEnvelope(ctx, "Nowhere", func(email.Envelope) error { return nil })
			require.ErrorIs(t, err, email.ErrNotFound)

			// Through the dispatcher's iterator.
			c := client.New().WithStorage(client.PriorityIMAP, s)
			k := 0
			for e, err := range c.Envelopes(ctx, "INBOX") {
				require.NoError(t, err)
				assert.NotEmpty(t, e.ID)
				k++
			}
			assert.Equal(t, len(want), k)
		})
	}
}

// bigTree writes n small messages straight into a new INBOX of each local
// store (valid names, no sync: only the listing is under test).
func bigTree(t *testing.T, n int) map[string]client.Storage {
	t.Helper()
	ctx := context.Background()
	mdRoot := filepath.Join(t.TempDir(), "Mail")
	m2Root := t.TempDir()
	stores := map[string]client.Storage{
		"maildir": client.NewMaildir(maildir.Store{Root: filepath.ToSlash(mdRoot)}, nil),
		"m2dir":   client.NewM2dir(m2dir.Store{Root: filepath.ToSlash(m2Root)}, nil),
	}
	for _, s := range stores {
		require.NoError(t, s.CreateMailbox(ctx, "INBOX"))
	}
	mdCur := filepath.Join(mdRoot, "cur")
	if _, err := os.Stat(mdCur); err != nil {
		mdCur = filepath.Join(mdRoot, "INBOX", "cur")
	}
	_, err := os.Stat(mdCur)
	require.NoError(t, err, "the maildir INBOX's cur/")
	for i := range n {
		raw := fmt.Sprintf("From: Sender %d <s%d@example.org>\r\nTo: r@example.org\r\nSubject: message number %d of the big tree\r\n"+
			"Date: Mon, 1 Jan 2024 %02d:%02d:%02d +0000\r\nMessage-ID: <%d@example.org>\r\n\r\n%s", i, i, i, i/3600%24, i/60%60, i%60, i, strings.Repeat("body\r\n", 100))
		key := fmt.Sprintf("1700000000.M%dP1Q1.host,S=%d", i, len(raw))
		require.NoError(t, os.WriteFile(filepath.Join(mdCur, key+":2,S"), []byte(raw), 0o600))
		name := fmt.Sprintf("2024-01-01_000000,%s.n%d", m2dir.Checksum([]byte(raw)), i)
		require.NoError(t, os.WriteFile(filepath.Join(m2Root, "INBOX", name), []byte(raw), 0o600))
	}
	return stores
}

// liveHeap returns the heap in use after a collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestLocalEachEnvelopeMemory lists 20,000 messages of each local store:
// EachEnvelope yields them all while the live heap it adds stays under a
// bound (8 MiB) and well below what ListEnvelopes holds for the same mailbox.
func TestLocalEachEnvelopeMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 40,000 files")
	}
	const n = 20000
	const bound = 8 << 20
	ctx := context.Background()
	for name, s := range bigTree(t, n) {
		t.Run(name, func(t *testing.T) {
			base := liveHeap()
			var peak uint64
			count := 0
			require.NoError(t, s.(client.EnvelopeStreamer).EachEnvelope(ctx, "INBOX", func(e email.Envelope) error {
				count++
				if count%2500 == 0 {
					peak = max(peak, liveHeap())
				}
				return nil
			}))
			assert.Equal(t, n, count)
			each := int64(peak) - int64(base)

			base = liveHeap()
			envs, err := s.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			require.NoError(t, err)
			held := int64(liveHeap()) - int64(base)
			require.Len(t, envs, n)
			runtime.KeepAlive(envs)
			t.Logf("%s: EachEnvelope adds %.1f MiB live at most, ListEnvelopes holds %.1f MiB", name, float64(each)/(1<<20), float64(held)/(1<<20))
			assert.Less(t, each, int64(bound), "EachEnvelope's live heap")
			assert.Less(t, each, held*2/3, "EachEnvelope holds well under what the whole listing does")
		})
	}
}
