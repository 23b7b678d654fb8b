package client_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/smtp"
)

// TestSMTPTraceRedacts: with Options.Trace the SMTP wire is logged, the
// AUTH exchange without its credentials.
func TestSMTPTraceRedacts(t *testing.T) {
	be := &smtpRecorder{users: map[string]string{"alice": "s3cret-pass"}}
	addr := startSMTPServer(t, be, smtpServerOpts{})
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sc, err := client.DialSMTP(smtpCtx(t), "smtp://"+addr, &client.Options{AllowPlaintext: true,
		Auth: client.Password("alice", "s3cret-pass"), Logger: logger, Trace: true,
		SMTP: smtp.Config{Domain: "trace.example.test"}})
	require.NoError(t, err)
	defer sc.Close()
	_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
	require.NoError(t, err)
	out := log.String()
	assert.Contains(t, out, "EHLO trace.example.test")
	assert.Contains(t, out, "AUTH PLAIN <redacted>")
	assert.Contains(t, out, "MAIL FROM")
	assert.NotContains(t, out, "s3cret-pass")
	assert.NotContains(t, out, base64.StdEncoding.EncodeToString([]byte("\x00alice\x00s3cret-pass")))
}

func TestSMTPStartTLSCertificateFailure(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSION_ADDR")
	_, err := client.DialSMTP(smtpCtx(t), "smtp://"+env["PEERS_SUBMISSION_ADDR"], &client.Options{Auth: client.Password("alice", "alicepass")})
	var oe *email.OpError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "connect", oe.Op)
	var cv *tls.CertificateVerificationError
	require.ErrorAs(t, err, &cv)
	assert.NotContains(t, err.Error(), "alicepass")
}

func TestSMTPConnectionState(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSION_ADDR")
	sc, err := client.DialSMTP(smtpCtx(t), "smtp://"+env["PEERS_SUBMISSION_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	defer sc.Close()
	st, ok := sc.ConnectionState()
	require.True(t, ok, "STARTTLS encrypted the link")
	assert.True(t, st.HandshakeComplete)
}
