package client_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/smtp"
)

func smtpToken(t *testing.T) string {
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// smtpDelivered waits for the message holding tok in user's Maildir and returns
// its bytes.
func smtpDelivered(t *testing.T, env testpeers.Env, user, tok string) []byte {
	t.Helper()
	root := filepath.Join(env["PEERS_DOVECOT_MAILDIR_ROOT"], user, "Maildir")
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, sub := range []string{"new", "cur"} {
			entries, _ := os.ReadDir(filepath.Join(root, sub))
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(root, sub, e.Name()))
				if err == nil && bytes.Contains(b, []byte(tok)) {
					return b
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("message %s not smtpDelivered to %s within 20 s", tok, user)
	return nil
}

// smtpSplitMessage returns the header and body of a smtpDelivered message.
// Postfix writes Maildir files with LF line endings.
func smtpSplitMessage(b []byte) (string, string) {
	h, body, _ := strings.Cut(string(b), "\n\n")
	return h, body
}

func smtpPostfixMessage(tok string) (msg, body string) {
	body = "Hello Bob,\r\n\r\n.a line starting with a dot\r\n..and two\r\nGr\xc3\xbc\xc3\x9fe, smtpToken " + tok + "\r\n"
	msg = "From: Alice <alice@example.test>\r\n" +
		"To: Bob <bob@example.test>\r\n" +
		"Bcc: Alice\r\n <alice@example.test>\r\n" +
		"Subject: postfix test " + tok + "\r\n" +
		"Message-ID: <" + tok + "@example.test>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n" +
		"\r\n" + body
	return msg, body
}

func smtpCheckDelivered(t *testing.T, env testpeers.Env, user, tok, body string) {
	t.Helper()
	got := smtpDelivered(t, env, user, tok)
	smtpReadBackMaildir(t, env, user, tok, got)
	h, b := smtpSplitMessage(got)
	assert.Equal(t, strings.ReplaceAll(body, "\r\n", "\n"), b, "body bytes")
	for _, line := range strings.Split(h, "\n") {
		assert.False(t, strings.HasPrefix(strings.ToLower(line), "bcc:"), "Bcc header arrived: %q", line)
	}
	assert.Contains(t, h, "Subject: postfix test "+tok)
}

// smtpReadBackMaildir reads the delivered message again through our
// Maildir backend and checks it has the bytes of the file.
func smtpReadBackMaildir(t *testing.T, env testpeers.Env, user, tok string, file []byte) {
	t.Helper()
	root := filepath.Join(env["PEERS_DOVECOT_MAILDIR_ROOT"], user, "Maildir")
	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(root)})
	defer c.Close()
	envs, err := c.ListEnvelopes(smtpCtx(t), "INBOX", email.ListOptions{})
	require.NoError(t, err)
	for _, e := range envs {
		if !strings.Contains(e.Subject, tok) {
			continue
		}
		var buf bytes.Buffer
		_, err := c.GetMessage(smtpCtx(t), "INBOX", e.ID, &buf)
		require.NoError(t, err)
		assert.Equal(t, string(file), buf.String(), "bytes read through the Maildir backend")
		return
	}
	t.Fatalf("message %s not listed by the Maildir backend in %s", tok, root)
}

func TestSMTPPostfixStartTLS(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSION_ADDR")
	c := client.New()
	defer c.Close()
	err := c.ConnectSMTP(smtpCtx(t), "smtp://"+env["PEERS_SUBMISSION_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "alicepass"), SMTP: smtp.Config{Domain: "client.example.test"}})
	require.NoError(t, err)
	ext := c.SMTP().Extensions()
	assert.True(t, ext.Pipelining)
	assert.True(t, ext.Chunking)
	tok := smtpToken(t)
	msg, body := smtpPostfixMessage(tok)
	res, err := c.SendMessage(smtpCtx(t), []byte(msg), email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@example.test", "alice@example.test"}, res.Accepted)
	smtpCheckDelivered(t, env, "bob", tok, body)
	smtpCheckDelivered(t, env, "alice", tok, body)

	// A second message on the same connection, with an unknown recipient
	// refused at RCPT (partial success), sent with DATA this time.
	tok2 := smtpToken(t)
	msg2, body2 := smtpPostfixMessage(tok2)
	msg2 = strings.Replace(msg2, "To: Bob <bob@example.test>", "To: Bob <bob@example.test>, nobody@example.test", 1)
	res, err = c.SendMessage(smtpCtx(t), []byte(msg2), email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@example.test", "alice@example.test"}, res.Accepted)
	require.Len(t, res.Rejected, 1)
	assert.Equal(t, "nobody@example.test", res.Rejected[0].Address)
	assert.ErrorIs(t, res.Rejected[0].Err, email.ErrNotFound)
	smtpCheckDelivered(t, env, "bob", tok2, body2)
}

func TestSMTPPostfixImplicitTLS(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSIONS_ADDR")
	for _, noChunking := range []bool{false, true} {
		sc, err := client.DialSMTP(smtpCtx(t), "smtps://"+env["PEERS_SUBMISSIONS_ADDR"], &client.Options{
			TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "alicepass"),
			SMTP: smtp.Config{Domain: "client.example.test", NoChunking: noChunking}})
		require.NoError(t, err)
		tok := smtpToken(t)
		msg, body := smtpPostfixMessage(tok)
		_, err = sc.SendMessage(smtpCtx(t), []byte(msg), email.SendOptions{})
		require.NoError(t, err)
		smtpCheckDelivered(t, env, "bob", tok, body)
		require.NoError(t, sc.Close())
	}
}

func TestSMTPPostfixWrongPassword(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSIONS_ADDR")
	_, err := client.DialSMTP(smtpCtx(t), "smtps://"+env["PEERS_SUBMISSIONS_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "not-the-password")})
	require.ErrorIs(t, err, smtp.ErrAuthFailed)
	assert.NotContains(t, err.Error(), "not-the-password")
}

func TestSMTPPostfixRelayNeedsStartTLS(t *testing.T) {
	// The plain relay offers no STARTTLS: refused unless allowed.
	env := testpeers.Load(t, "PEERS_SMTP_RELAY_ADDR")
	_, err := client.DialSMTP(smtpCtx(t), "smtp://"+env["PEERS_SMTP_RELAY_ADDR"], nil)
	require.ErrorIs(t, err, email.ErrInsecure)
}
