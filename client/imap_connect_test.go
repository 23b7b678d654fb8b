package client

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

func TestConnectIMAPDovecot(t *testing.T) {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	ctx := tctx(t)
	// Implicit TLS, registered in the dispatcher.
	c := New()
	defer c.Close()
	require.NoError(t, c.ConnectIMAP(ctx, "imaps://"+env["PEERS_IMAPS_ADDR"], &Options{TLSConfig: env.TLSConfig(t), Auth: Password("alice", "alicepass")}))
	require.NotNil(t, c.IMAP())
	assert.True(t, c.IMAP().Session().Secure)
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	roles := map[email.Role]bool{}
	for _, b := range boxes {
		roles[b.Role] = true
	}
	assert.True(t, roles[email.RoleInbox])
	assert.True(t, roles[email.RoleSent], "special-use from Dovecot")
	assert.True(t, roles[email.RoleTrash])

	// Wrong password: a typed error without the password in it.
	_, err = DialIMAP(ctx, "imaps://"+env["PEERS_IMAPS_ADDR"], &Options{TLSConfig: env.TLSConfig(t), Auth: Password("alice", "wrong-secret")})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "wrong-secret")

	// An untrusted certificate is refused by default.
	_, err = DialIMAP(ctx, "imaps://"+env["PEERS_IMAPS_ADDR"], &Options{Auth: Password("alice", "alicepass")})
	require.Error(t, err)

	// SASL LOGIN through AUTHENTICATE works too.
	ic, err := DialIMAP(ctx, "imap://"+env["PEERS_IMAP_ADDR"], &Options{TLSConfig: env.TLSConfig(t), Auth: SASL(func() sasl.Client { return sasl.NewLoginClient("alice", "alicepass") })})
	require.NoError(t, err)
	ic.Close()
}

func TestConnectIMAPInsecure(t *testing.T) {
	addr := memIMAP(t)
	ctx := tctx(t)
	// imap:// without STARTTLS on offer and without AllowPlaintext: refused.
	_, err := DialIMAP(ctx, "imap://"+addr, &Options{Auth: Password("alice", "alicepass")})
	require.ErrorIs(t, err, email.ErrInsecure)
	_, err = DialIMAP(ctx, "pop3://"+addr, nil)
	require.ErrorIs(t, err, email.ErrInvalidArgument)
	_, err = DialIMAP(ctx, "imap://", nil)
	require.ErrorIs(t, err, email.ErrInvalidArgument)
}

func TestIMAPSilentServer(t *testing.T) {
	// A server that greets, then never answers: the context deadline ends
	// the call promptly, and the connection is closed for good.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR SORT] hi\r\n"))
			buf := make([]byte, 1024)
			c.Read(buf)
			c.Write([]byte("A1 OK [CAPABILITY IMAP4rev1 SORT] in\r\n"))
			for {
				if _, err := c.Read(buf); err != nil {
					c.Close()
					return
				}
			}
		}
	}()
	// NoReconnect: the server serves one connection; the last call must
	// meet the cut-off one, not dial again.
	ic, err := DialIMAP(tctx(t), "imap://"+ln.Addr().String(), &Options{AllowPlaintext: true, Auth: Password("alice", "alicepass"), Reconnect: &NoReconnect})
	require.NoError(t, err)
	defer ic.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = ic.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	_, err = ic.ListEnvelopes(tctx(t), "INBOX", email.ListOptions{})
	require.ErrorIs(t, err, ErrConnBroken, "the cut-off connection is not reused")
}

func TestIMAPStartTLSCertificateFailure(t *testing.T) {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	// Dovecot's certificate is signed by the peers' own CA, which the
	// default configuration does not trust.
	_, err := DialIMAP(tctx(t), "imap://"+env["PEERS_IMAP_ADDR"], &Options{Auth: plainAlice()})
	require.Error(t, err)
	var oe *email.OpError
	require.ErrorAs(t, err, &oe, "a typed error, not a bare one")
	assert.Equal(t, "imap", oe.Backend)
	assert.Equal(t, "connect", oe.Op)
	var cv *tls.CertificateVerificationError
	require.ErrorAs(t, err, &cv, "the certificate failure is kept")
	assert.NotContains(t, err.Error(), "alicepass")
}

func TestIMAPConnectionState(t *testing.T) {
	st, ok := dovecotClient(t).ConnectionState()
	require.True(t, ok, "STARTTLS encrypted the link")
	assert.True(t, st.HandshakeComplete)
	assert.GreaterOrEqual(t, st.Version, uint16(tls.VersionTLS12))
	assert.NotEmpty(t, st.PeerCertificates)
	_, ok = memClient(t).ConnectionState()
	assert.False(t, ok, "plain loopback link")
}
