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
