package imap

import (
	"testing"

	gosasl "github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/sasl"
)

// A refused login matches email.ErrAuthFailed whether it went through
// LOGIN or AUTHENTICATE, with or without a response code.
func TestOpenRefusedLoginMatchesErrAuthFailed(t *testing.T) {
	cases := map[string][]string{
		"LOGIN NO [AUTHENTICATIONFAILED]": {"* OK [CAPABILITY IMAP4rev1] hi\r\n", "A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
		"LOGIN BAD":                       {"* OK [CAPABILITY IMAP4rev1] hi\r\n", "A1 BAD what\r\n"},
		"AUTHENTICATE NO":                 {"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n", "A1 NO go away\r\n"},
		"AUTHENTICATE NO [EXPIRED]":       {"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n", "A1 NO [EXPIRED] password expired\r\n"},
	}
	for name, server := range cases {
		s := NewSession(true, Limits{})
		_, written, err := hostileDrive(Open(s, OpenOptions{Auth: sasl.NewPlainClient("", "alice", "wrong-secret")}), server, 0)
		require.ErrorIs(t, err, email.ErrAuthFailed, name)
		var ce *CommandError
		require.ErrorAs(t, err, &ce, name)
		assert.NotContains(t, err.Error(), "wrong-secret", name)
		assert.NotEqual(t, StateAuthenticated, s.State, name)
		assert.Contains(t, string(written), "A1 ", name)
	}
}

// A NO to another command is no authentication failure.
func TestCommandErrorAuthFailedOnlyForLogin(t *testing.T) {
	assert.NotErrorIs(t, &CommandError{Command: "SELECT", Type: "NO", Text: "no"}, email.ErrAuthFailed)
	assert.ErrorIs(t, &CommandError{Command: "SELECT", Type: "NO", Code: "AUTHORIZATIONFAILED"}, email.ErrAuthFailed)
	// RFC 5530: UNAVAILABLE is the server's trouble, PRIVACYREQUIRED asks
	// for TLS; neither says the credentials are wrong.
	unavailable := &CommandError{Command: "LOGIN", Type: "NO", Code: "UNAVAILABLE", Text: "try later"}
	assert.NotErrorIs(t, unavailable, email.ErrAuthFailed)
	privacy := &CommandError{Command: "AUTHENTICATE", Type: "NO", Code: "PRIVACYREQUIRED"}
	assert.NotErrorIs(t, privacy, email.ErrAuthFailed)
	assert.ErrorIs(t, privacy, email.ErrInsecure)
}

// PLAIN has nothing to say after its initial response: go-sasl fails with
// ErrUnexpectedServerChallenge, Open cancels, and the error is the
// server's breach of the mechanism, not a refused password.
func TestOpenUnexpectedChallengeIsProtocolError(t *testing.T) {
	s := NewSession(true, Limits{})
	server := []string{
		"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n",
		"+ bW9yZT8=\r\n",
		"A1 BAD cancelled\r\n",
	}
	_, written, err := hostileDrive(Open(s, OpenOptions{Auth: sasl.NewPlainClient("", "alice", "pw")}), server, 0)
	require.ErrorIs(t, err, gosasl.ErrUnexpectedServerChallenge)
	require.ErrorIs(t, err, email.ErrProtocol)
	assert.NotErrorIs(t, err, email.ErrAuthFailed)
	assert.Contains(t, string(written), "\r\n*\r\n", "the exchange is cancelled")
}
