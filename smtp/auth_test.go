package smtp_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/sasl"
	"github.com/ioemail/ioemail/smtp"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

const authEHLO = "S: 220 mx\nC: EHLO client.example.test\nS: 250-mx\nS: 250 AUTH PLAIN LOGIN ECHO\n"

func runAuth(t *testing.T, cfg smtp.Config, c sasl.Client, text string) error {
	t.Helper()
	cfg.Domain = "client.example.test"
	s := smtp.NewSession(cfg, true)
	turns, err := coroutine.ParseTranscript(text)
	require.NoError(t, err)
	m := coroutine.Then(s.Connect(smtp.ConnectOptions{}), func(smtp.Extensions) coroutine.NetMachine[struct{}] { return s.Auth(c, false) })
	_, err = coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns, Chunk: 3})
	return err
}

func TestAuthWithoutInitialResponse(t *testing.T) {
	err := runAuth(t, smtp.Config{NoInitialResponse: true}, sasl.NewPlainClient("", "alice", "pw"), authEHLO+
		"C: AUTH PLAIN\nS: 334 \nC: "+b64("\x00alice\x00pw")+"\nS: 235 2.7.0 ok\nC: EHLO client.example.test\nS: 250 mx\n")
	require.NoError(t, err)
}

func TestAuthEmptyInitialResponse(t *testing.T) {
	err := runAuth(t, smtp.Config{}, sasl.NewExternalClient(""), authEHLO[:len(authEHLO)-1]+" EXTERNAL\n"+
		"C: AUTH EXTERNAL =\nS: 235 ok\nC: EHLO client.example.test\nS: 250 mx\n")
	require.NoError(t, err)
}

// echo is a mechanism that answers every challenge, to test the bound on
// challenges.
type echo struct{}

func (echo) Start() (string, []byte, error) { return "ECHO", nil, nil }
func (echo) Next(c []byte) ([]byte, error)  { return c, nil }

func TestAuthTooManyChallenges(t *testing.T) {
	text := authEHLO + "C: AUTH ECHO\n"
	for i := 0; i < 4; i++ {
		text += "S: 334 " + b64("x") + "\nC: " + b64("x") + "\n"
	}
	text += "S: 334 " + b64("x") + "\nC: *\nS: 501 cancelled\n"
	err := runAuth(t, smtp.Config{MaxAuthSteps: 4}, echo{}, text)
	require.ErrorIs(t, err, email.ErrTooLarge)
	require.ErrorIs(t, err, email.ErrProtocol)
}

func TestAuthScramUnverifiedSuccess(t *testing.T) {
	// A server that says 235 without proving it knows the password (no
	// server-final message) is not trusted.
	c := sasl.NewScramSHA256Client("alice", "pw", zeros{})
	_, ir, _ := c.Start()
	c = sasl.NewScramSHA256Client("alice", "pw", zeros{})
	text := "S: 220 mx\nC: EHLO client.example.test\nS: 250-mx\nS: 250 AUTH SCRAM-SHA-256\n" +
		"C: AUTH SCRAM-SHA-256 " + base64.StdEncoding.EncodeToString(ir) + "\nS: 235 welcome, whoever you are\n"
	err := runAuth(t, smtp.Config{}, c, text)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not verified")
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
