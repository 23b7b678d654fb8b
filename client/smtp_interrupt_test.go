package client_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// TestSMTPInterruptedSends cuts sends off with random deadlines of 0.1 to
// 4 ms: the next call succeeds or fails with ErrConnBroken, never with an
// I/O timeout or a reply out of step.
func TestSMTPInterruptedSends(t *testing.T) {
	be := &smtpRecorder{}
	addr := startSMTPServer(t, be, smtpServerOpts{})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	sc := smtpConnect(t, addr, nil)
	interrupted := 0
	end := time.Now().Add(15 * time.Second)
	for i := 0; i < 200 && time.Now().Before(end); i++ {
		d := time.Duration(100+rng.IntN(3900)) * time.Microsecond
		ctx, cancel := context.WithTimeout(context.Background(), d)
		_, err := sc.SendMessage(ctx, []byte(smtpSampleNoBcc), email.SendOptions{})
		cancel()
		if err == nil {
			continue
		}
		require.ErrorIs(t, err, context.DeadlineExceeded, "trial %d (%v)", i, d)
		interrupted++
		_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
		if err == nil {
			continue
		}
		require.ErrorIs(t, err, client.ErrConnBroken, "trial %d", i)
		require.ErrorIs(t, sc.Noop(smtpCtx(t)), client.ErrConnBroken)
		sc = smtpConnect(t, addr, nil)
	}
	t.Logf("%d interrupted sends", interrupted)
	assert.Positive(t, interrupted)
}

// TestSMTPCloseDuringSend: Close cuts a send in flight off; it and every
// later call fail with ErrClosed, not as if the server had failed.
func TestSMTPCloseDuringSend(t *testing.T) {
	be := &smtpRecorder{hang: make(chan struct{}), inData: make(chan struct{}, 1)}
	defer close(be.hang)
	sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{}), nil)
	done := make(chan error, 1)
	go func() {
		_, err := sc.SendMessage(context.Background(), []byte(smtpSampleNoBcc), email.SendOptions{})
		done <- err
	}()
	<-be.inData // the message is on the wire, the server holds its reply
	require.NoError(t, sc.Close())
	err := <-done
	require.ErrorIs(t, err, client.ErrClosed)
	require.NotErrorIs(t, err, client.ErrConnBroken)
	require.ErrorIs(t, sc.Noop(smtpCtx(t)), client.ErrClosed)
}
