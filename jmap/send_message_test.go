package jmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestStripField(t *testing.T) {
	raw := "From: a@x\r\nBcc: b@x,\r\n c@x\r\nTo: d@x\r\nbcc: e@x\r\n\r\nBcc: body stays\r\n"
	assert.Equal(t, "From: a@x\r\nTo: d@x\r\n\r\nBcc: body stays\r\n", string(stripField([]byte(raw), "Bcc")))
	assert.Equal(t, raw, string(stripField([]byte(raw), "Cc")))
	lf := "Bcc: x@y\nSubject: s\n\nbody"
	assert.Equal(t, "Subject: s\n\nbody", string(stripField([]byte(lf), "Bcc")))
}

func TestDeriveEnvelope(t *testing.T) {
	raw := []byte("From: Alice <alice@x>\r\nTo: b@x, \"C\" <c@x>\r\nCc: B@x\r\nBcc: d@x\r\nSubject: s\r\n\r\nhi")
	env, err := deriveEnvelope(raw, email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, "alice@x", env.from)
	assert.Equal(t, []string{"b@x", "c@x", "d@x"}, env.to, "deduplicated, Bcc included")
	env, err = deriveEnvelope(raw, email.SendOptions{From: "s@x", To: []string{"z@x"}})
	require.NoError(t, err)
	assert.Equal(t, envelope{from: "s@x", to: []string{"z@x"}}, env)
	resent := []byte("Resent-From: r@x\r\nResent-To: rr@x\r\nFrom: a@x\r\nTo: b@x\r\n\r\n")
	env, err = deriveEnvelope(resent, email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, envelope{from: "r@x", to: []string{"rr@x"}}, env)
	_, err = deriveEnvelope([]byte("To: b@x\r\n\r\n"), email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	_, err = deriveEnvelope([]byte("From: a@x\r\n\r\n"), email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	_, err = deriveEnvelope([]byte("From: a@x\r\n\r\n"), email.SendOptions{To: []string{"bad"}})
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
}
