package client_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/jmap"
	"github.com/ioemail/ioemail/sasl"
	"github.com/ioemail/ioemail/smtp"
)

// alicepassSecrets are the forms alice's password takes on the wire: as
// is, in PLAIN's initial response, alone in base64 (LOGIN), and in HTTP
// Basic.
var alicepassSecrets = []string{"alicepass", "AGFsaWNlAGFsaWNlcGFzcw", "YWxpY2VwYXNz", "YWxpY2U6YWxpY2VwYXNz"}

// recordReplay runs the machine build returns on a connection to addr
// through a NetRecorder, checks the written transcript holds no secret,
// then replays it (in 5-byte reads) to a fresh machine, built with
// another password: the redacted lines accept it. It returns the text.
func recordReplay[R any](t *testing.T, addr string, cfg *tls.Config, build func(pass string) coroutine.NetMachine[R]) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, addr, &client.Options{TLSConfig: cfg}, false)
	require.NoError(t, err)
	defer c.Close()
	rec := &coroutine.NetRecorder{Do: func(r coroutine.NetRequest) coroutine.NetReply { return c.Do(ctx, r) }}
	_, err = coroutine.Run(build("alicepass"), rec.Perform)
	require.NoError(t, err)
	text := coroutine.FormatTranscript(rec.Turns())
	for _, s := range alicepassSecrets {
		require.NotContains(t, text, s)
	}
	turns, err := coroutine.ParseTranscript(text)
	require.NoError(t, err)
	_, err = coroutine.ReplayNet(build("another password"), &coroutine.NetScript{Turns: turns, Chunk: 5})
	require.NoError(t, err, text)
	return text
}

func TestNetRecorderDovecot(t *testing.T) {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	for _, mech := range []string{"PLAIN", "LOGIN"} {
		text := recordReplay(t, env["PEERS_IMAP_ADDR"], env.TLSConfig(t), func(pass string) coroutine.NetMachine[[]email.Mailbox] {
			auth := sasl.NewPlainClient("", "alice", pass)
			if mech == "LOGIN" {
				auth = sasl.NewLoginClient("alice", pass)
			}
			s := imap.NewSession(false, imap.Limits{})
			return coroutine.Bracket(imap.Open(s, imap.OpenOptions{StartTLS: imap.StartTLSRequired, Auth: auth}),
				imap.ListMailboxes(s, email.ListMailboxesOptions{}), imap.Logout(s))
		})
		assert.Contains(t, text, "\nTLS\n")
		assert.Contains(t, text, "C* A3 AUTHENTICATE "+mech)
	}
}

func TestNetRecorderPostfix(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSION_ADDR")
	text := recordReplay(t, env["PEERS_SUBMISSION_ADDR"], env.TLSConfig(t), func(pass string) coroutine.NetMachine[smtp.Extensions] {
		s := smtp.NewSession(smtp.Config{Domain: "client.example.test"}, false)
		return s.Connect(smtp.ConnectOptions{Auth: sasl.NewLoginClient("alice", pass)})
	})
	assert.Contains(t, text, "C* AUTH LOGIN")
}

func TestNetRecorderCyrusJMAP(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	url := env["PEERS_JMAP_SESSION_URL"]
	origin := url[:strings.Index(url[len("http://"):], "/")+len("http://")]
	text := recordReplay(t, origin[len("http://"):], nil, func(pass string) coroutine.NetMachine[[]email.Mailbox] {
		auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+pass))
		m := coroutine.Then(jmap.Discover(url, auth), func(s *jmap.Session) jmap.Machine[[]email.Mailbox] {
			return jmap.ListMailboxes(s, email.ListMailboxesOptions{})
		})
		return jmap.OverNet(m, origin)
	})
	assert.Contains(t, text, "C* Authorization:")
}
