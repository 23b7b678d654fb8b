package imap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/sasl"
)

// A server that answers a SCRAM exchange with OK before sending its
// signature has not proved it knows the password: the login fails.
func TestOpenScramUnverifiedServer(t *testing.T) {
	s := NewSession(true, Limits{})
	m := Open(s, OpenOptions{Auth: sasl.NewScramSHA256Client("alice", "secret", strings.NewReader(strings.Repeat("n", 64)))})
	server := []string{
		"* OK [CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256 SASL-IR] hi\r\n",
		"A1 OK [CAPABILITY IMAP4rev1] in, no server proof\r\n",
	}
	_, written, err := hostileDrive(m, server, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "without proving itself")
	assert.NotContains(t, err.Error(), "secret")
	assert.Contains(t, string(written), "AUTHENTICATE SCRAM-SHA-256")
}
