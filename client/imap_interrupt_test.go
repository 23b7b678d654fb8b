package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// interruptTrials cuts IMAP calls off with random deadlines of 0.1 to 4 ms
// and checks that each interrupted call leaves a known state: the next
// call succeeds, or fails with ErrConnBroken (and so does the one after);
// never with an I/O timeout or an out-of-step reply. dial makes a fresh
// client when the last one broke. It returns the number of calls that
// were interrupted and of clients that broke.
func interruptTrials(t *testing.T, trials int, budget time.Duration, dial func() *IMAPClient) (interrupted, broke int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	ic := dial()
	defer func() { ic.Close() }()
	call := func(ctx context.Context, i int) error {
		if i%2 == 0 {
			_, err := ic.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: i%4 == 0})
			return err
		}
		_, err := ic.ListEnvelopes(ctx, "INBOX", email.ListOptions{PageSize: 20})
		return err
	}
	end := time.Now().Add(budget)
	for i := 0; i < trials && time.Now().Before(end); i++ {
		d := time.Duration(100+rng.IntN(3900)) * time.Microsecond
		ctx, cancel := context.WithTimeout(context.Background(), d)
		err := call(ctx, i)
		cancel()
		if err == nil {
			continue
		}
		require.ErrorIs(t, err, context.DeadlineExceeded, "trial %d (%v): the cut-off call reports its deadline", i, d)
		interrupted++
		err = call(tctx(t), i+1)
		if err == nil {
			continue
		}
		require.ErrorIs(t, err, ErrConnBroken, "trial %d: after an interrupted call, the next one succeeds or fails with ErrConnBroken", i)
		require.NotErrorIs(t, err, context.DeadlineExceeded, "a later call does not claim its own deadline passed")
		err = call(tctx(t), i)
		require.ErrorIs(t, err, ErrConnBroken, "trial %d: and so do all later calls", i)
		broke++
		ic.Close()
		ic = dial()
	}
	return interrupted, broke
}

func TestIMAPInterruptedCallsMemserver(t *testing.T) {
	addr := memIMAP(t)
	dial := func() *IMAPClient {
		ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice()})
		require.NoError(t, err)
		return ic
	}
	seed := dial()
	for range 30 {
		_, err := seed.AddMessage(tctx(t), "INBOX", strings.NewReader("From: a@example.test\r\nSubject: s\r\n\r\nbody\r\n"), nil)
		require.NoError(t, err)
	}
	seed.Close()
	interrupted, broke := interruptTrials(t, 300, 20*time.Second, dial)
	t.Logf("memserver: %d interrupted calls, %d broken connections", interrupted, broke)
	assert.Positive(t, interrupted, "some calls were cut off")
}

func TestIMAPInterruptedCallsDovecot(t *testing.T) {
	dovecotClient(t).Close() // skips without the peer
	interrupted, broke := interruptTrials(t, 200, 30*time.Second, func() *IMAPClient { return dovecotClient(t) })
	t.Logf("dovecot: %d interrupted calls, %d broken connections", interrupted, broke)
	assert.Positive(t, interrupted, "some calls were cut off")
}

func TestIMAPCancelBeforeSendKeepsConnection(t *testing.T) {
	ic := memClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ic.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.NoError(t, err, "nothing was sent: the connection stays usable")
}

func TestIMAPClosedErrors(t *testing.T) {
	ic := memClient(t)
	require.NoError(t, ic.Close())
	_, err := ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, err, net.ErrClosed)
	require.NotErrorIs(t, err, ErrConnBroken)
	var oe *email.OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "list_mailboxes", oe.Op)
	require.NoError(t, ic.Close(), "a second Close is a no-op")

	// Close while a call waits on a server that never answers: the call
	// ends at once with ErrClosed.
	got := make(chan string, 8)
	addr, _ := scriptedIMAP(t, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi", func(tag, rest string) []string {
		if strings.HasPrefix(rest, "LIST") {
			got <- rest
			return []string{} // no answer
		}
		return []string{tag + " OK [CAPABILITY IMAP4rev1] done"}
	})
	ic, err = DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice()})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := ic.ListMailboxes(context.Background(), email.ListMailboxesOptions{})
		done <- err
	}()
	<-got // the LIST is on the wire
	require.NoError(t, ic.Close())
	err = <-done
	require.ErrorIs(t, err, ErrClosed)
	_, err = ic.ListMailboxes(tctx(t), email.ListMailboxesOptions{})
	require.ErrorIs(t, err, ErrClosed)
	assert.False(t, errors.Is(err, ErrConnBroken))
}
