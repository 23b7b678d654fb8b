package smtp_test

import (
	"testing"

	gosasl "github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/sasl"
	"github.com/ioemail/ioemail/smtp"
)

func TestAuthRefusalMatchesErrAuthFailed(t *testing.T) {
	for _, reply := range []string{"535 5.7.8 Error: authentication failed", "535 bad", "554 5.7.8 no"} {
		err := runAuth(t, smtp.Config{}, sasl.NewPlainClient("", "alice", "secret-pw"), authEHLO+
			"C: AUTH PLAIN "+b64("\x00alice\x00secret-pw")+"\nS: "+reply+"\n")
		require.ErrorIs(t, err, email.ErrAuthFailed, reply)
		require.ErrorIs(t, err, smtp.ErrAuthFailed, reply)
		assert.NotErrorIs(t, err, email.ErrProtocol, reply)
		assert.NotContains(t, err.Error(), "secret-pw")
		assert.NotContains(t, err.Error(), b64("\x00alice\x00secret-pw"))
	}
}

func TestAuthUnexpectedChallengeIsProtocolError(t *testing.T) {
	// PLAIN has nothing to say after its initial response: go-sasl's
	// client fails with ErrUnexpectedServerChallenge, and we cancel.
	err := runAuth(t, smtp.Config{}, sasl.NewPlainClient("", "alice", "pw"), authEHLO+
		"C: AUTH PLAIN "+b64("\x00alice\x00pw")+"\nS: 334 "+b64("more?")+"\nC: *\nS: 501 5.7.0 cancelled\n")
	require.ErrorIs(t, err, gosasl.ErrUnexpectedServerChallenge)
	require.ErrorIs(t, err, email.ErrProtocol)
	assert.NotErrorIs(t, err, email.ErrAuthFailed)
}
