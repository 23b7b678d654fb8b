package client

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// A wrong password (Dovecot and Cyrus over IMAP, Postfix, Cyrus JMAP)
// fails with an error matching email.ErrAuthFailed on every network
// backend, and the error never quotes the password.
func requireAuthFailed(t *testing.T, err error, password string) {
	t.Helper()
	require.ErrorIs(t, err, email.ErrAuthFailed)
	assert.NotErrorIs(t, err, email.ErrProtocol)
	assert.NotContains(t, err.Error(), password)
}

func TestAuthFailedIMAPMemServer(t *testing.T) {
	_, err := DialIMAP(tctx(t), "imap://"+memIMAP(t), &Options{AllowPlaintext: true, Auth: Password("alice", "wrong-mem-pass")})
	requireAuthFailed(t, err, "wrong-mem-pass")
}

func TestAuthFailedIMAPPeers(t *testing.T) {
	for _, p := range []struct{ key, scheme string }{{"PEERS_IMAP_ADDR", "imap://"}, {"PEERS_CYRUS_IMAPS_ADDR", "imaps://"}} {
		t.Run(p.key, func(t *testing.T) {
			env := testpeers.Load(t, p.key)
			_, err := DialIMAP(tctx(t), p.scheme+env[p.key], &Options{TLSConfig: env.TLSConfig(t), Auth: Password("alice", "wrong-imap-pass")})
			requireAuthFailed(t, err, "wrong-imap-pass")
		})
	}
}

func TestAuthFailedSMTPPostfix(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSIONS_ADDR")
	_, err := DialSMTP(tctx(t), "smtps://"+env["PEERS_SUBMISSIONS_ADDR"], &Options{TLSConfig: env.TLSConfig(t), Auth: Password("alice", "wrong-postfix-pass")})
	requireAuthFailed(t, err, "wrong-postfix-pass")
}

func TestAuthFailedJMAPCyrus(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	_, err := DialJMAP(tctx(t), env["PEERS_JMAP_SESSION_URL"], &Options{Auth: Password("alice", "wrong-jmap-pass")})
	requireAuthFailed(t, err, "wrong-jmap-pass")
	assert.NotContains(t, err.Error(), base64.StdEncoding.EncodeToString([]byte("alice:wrong-jmap-pass")))
}
