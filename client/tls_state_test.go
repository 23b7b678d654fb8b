package client_test

import (
	"crypto/tls"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/smtp"
)

func TestIMAPConnectionState(t *testing.T) {
	dc := client.SearchTableDovecot(t)
	assert.Contains(t, dc.Open.Caps, "IDLE", "OpenResult.Caps as plain strings")
	st, ok := dc.ConnectionState()
	require.True(t, ok, "Dovecot over STARTTLS is encrypted")
	assert.True(t, st.HandshakeComplete)
	assert.GreaterOrEqual(t, st.Version, uint16(tls.VersionTLS12))
	assert.NotEmpty(t, st.PeerCertificates)

	mem := client.SearchTableMem(t)
	_, ok = mem.ConnectionState()
	assert.False(t, ok, "the plaintext imapmemserver link is not encrypted")
	require.NoError(t, mem.Close())
	_, ok = mem.ConnectionState()
	assert.False(t, ok, "a closed client")
}

func TestSMTPConnectionState(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSION_ADDR")
	sc, err := client.DialSMTP(smtpCtx(t), "smtp://"+env["PEERS_SUBMISSION_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t),
		Auth: client.Password("alice", "alicepass"), SMTP: smtp.Config{Domain: "client.example.test"}})
	require.NoError(t, err)
	st, ok := sc.ConnectionState()
	require.True(t, ok, "Postfix after STARTTLS is encrypted")
	assert.True(t, st.HandshakeComplete)
	require.NoError(t, sc.Close())
	_, ok = sc.ConnectionState()
	assert.False(t, ok)
}
