package imap

import (
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// A server whose capabilities name neither IMAP4rev1 nor IMAP4rev2 is
// refused before any credential goes out, whether the capabilities came
// with the greeting or from CAPABILITY.
func TestHostileNotIMAP(t *testing.T) {
	for _, server := range [][]string{
		{"* OK [CAPABILITY AUTH=PLAIN SASL-IR] hi\r\n"},
		{"* OK hi\r\n", "* CAPABILITY X-ONLY AUTH=PLAIN\r\nA1 OK\r\n"},
		{"* OK [CAPABILITY IMAP4 AUTH=PLAIN] old\r\n"},
	} {
		_, written, err := hostileDrive(Open(NewSession(true, Limits{}), OpenOptions{Auth: alice}), server, 0)
		require.ErrorIs(t, err, email.ErrProtocol, "%q", server)
		var pe *ProtocolError
		require.ErrorAs(t, err, &pe)
		assert.NotContains(t, string(written), "AUTHENTICATE")
		assert.NotContains(t, string(written), "LOGIN")
	}
	// IMAP4rev2 alone is fine.
	_, _, err := hostileDrive(Open(NewSession(true, Limits{}), OpenOptions{Auth: alice}),
		[]string{"* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] hi\r\n", "+ \r\n", "A1 OK [CAPABILITY IMAP4rev2] in\r\n"}, 0)
	require.NoError(t, err)
}

// Without SASL-IR, PLAIN waits for the server's first continuation: when
// it is not base64, the client cancels with "*" and never sends the
// credentials.
func TestHostileAuthenticateNoIR(t *testing.T) {
	_, written, err := hostileDrive(Open(NewSession(true, Limits{}), OpenOptions{Auth: alice}),
		[]string{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n", "+ !!!not base64\r\n", "A1 BAD cancelled\r\n"}, 0)
	require.ErrorIs(t, err, email.ErrProtocol)
	var pe *ProtocolError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "A1 AUTHENTICATE PLAIN\r\n*\r\n", string(written))
}

// A server that echoes what it refused does not get the password into
// the error text.
func TestHostileEchoedCredentials(t *testing.T) {
	pass := `s3cr"t\pw`
	plain := sasl.NewPlainClient("", "alice", pass)
	ir := "AGFsaWNlAHMzY3IidFxwdw==" // base64 of "\x00alice\x00" + pass
	for _, c := range []struct {
		name   string
		server []string
	}{
		{"LOGIN echoed", []string{"* OK [CAPABILITY IMAP4rev1] hi\r\n", `A1 NO LOGIN alice "s3cr\"t\\pw" rejected` + "\r\n"}},
		{"LOGIN echoed raw", []string{"* OK [CAPABILITY IMAP4rev1] hi\r\n", "A1 NO bad password " + pass + "\r\n"}},
		{"AUTHENTICATE initial response echoed", []string{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n", "A1 NO AUTHENTICATE PLAIN " + ir + " failed\r\n"}},
		{"AUTHENTICATE response echoed", []string{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n", "+ \r\n", "A1 NO [AUTHENTICATIONFAILED] got " + ir + "\r\n"}},
		{"LOGIN echoed in BYE", []string{"* OK [CAPABILITY IMAP4rev1] hi\r\n", "* BYE no " + pass + " here\r\n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, written, err := hostileDrive(Open(NewSession(true, Limits{}), OpenOptions{Auth: plain}), c.server, 0)
			require.Error(t, err)
			require.True(t, strings.Contains(string(written), ir) || strings.Contains(string(written), "LOGIN"), "credentials went out: %q", written)
			for _, leak := range []string{pass, `s3cr\"t\\pw`, ir, "s3cr"} {
				assert.NotContains(t, err.Error(), leak)
			}
			assert.Contains(t, err.Error(), "[redacted]")
		})
	}
}
