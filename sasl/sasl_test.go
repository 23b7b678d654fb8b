package sasl

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The SCRAM-SHA-256 example exchange of RFC 7677 section 3.
const (
	rfcNonce       = "rOprNGfwEbeRWgbNEkqO"
	rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
)

func rfcClient() *scramClient {
	c := NewScramSHA256Client("user", "pencil", nil).(*scramClient)
	c.nonce = rfcNonce
	return c
}

func TestScramSHA256RFC7677(t *testing.T) {
	c := rfcClient()
	mech, ir, err := c.Start()
	require.NoError(t, err)
	assert.Equal(t, "SCRAM-SHA-256", mech)
	assert.Equal(t, "n,,n=user,r="+rfcNonce, string(ir))
	resp, err := c.Next([]byte(rfcServerFirst))
	require.NoError(t, err)
	assert.Equal(t, rfcClientFinal, string(resp))
	require.Error(t, c.Complete(), "not verified before server-final")
	resp, err = c.Next([]byte(rfcServerFinal))
	require.NoError(t, err)
	assert.Empty(t, resp)
	assert.NoError(t, c.Complete())
}

func TestScramWrongServerSignature(t *testing.T) {
	c := rfcClient()
	c.Start()
	_, err := c.Next([]byte(rfcServerFirst))
	require.NoError(t, err)
	bad := "v=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	_, err = c.Next([]byte(bad))
	require.ErrorContains(t, err, "wrong server signature")
	assert.Error(t, c.Complete())
	assert.NotContains(t, err.Error(), "pencil")
}

func TestScramHostileServerFirst(t *testing.T) {
	for _, sf := range []string{
		"r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",       // nonce not extended
		"r=" + rfcNonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // nonce not extended
		"r=" + rfcNonce + "x,s=!!,i=4096",                       // bad salt
		"r=" + rfcNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",    // bad count
		"r=" + rfcNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1e99", // bad count
		"r=" + rfcNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=999999999",
		"m=ext,r=" + rfcNonce + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1",
		"e=other-error",
		"garbage",
	} {
		c := rfcClient()
		c.Start()
		_, err := c.Next([]byte(sf))
		require.Error(t, err, sf)
		assert.NotContains(t, err.Error(), "pencil")
	}
	c := rfcClient()
	c.Start()
	c.Next([]byte(rfcServerFirst))
	_, err := c.Next([]byte("e=invalid-proof"))
	require.ErrorContains(t, err, "invalid-proof")
}

func TestScramNonceFromRandom(t *testing.T) {
	c := NewScramSHA256Client("us=er,x", "p", bytes.NewReader(bytes.Repeat([]byte{0xAB}, 24)))
	_, ir, err := c.Start()
	require.NoError(t, err)
	assert.Equal(t, "n,,n=us=3Der=2Cx,r="+base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{0xAB}, 24)), string(ir))
	_, _, err = NewScramSHA1Client("u", "p", bytes.NewReader(nil)).Start()
	require.Error(t, err, "short random source")
}

func TestSaslprep(t *testing.T) {
	s, err := saslprep("I\u00ADX")
	require.NoError(t, err)
	assert.Equal(t, "IX", s)
	s, err = saslprep("a\u00A0b")
	require.NoError(t, err)
	assert.Equal(t, "a b", s)
	_, err = saslprep("a\u0007b")
	require.Error(t, err)
	_, err = saslprep("\xff")
	require.Error(t, err)
}

func TestLogin(t *testing.T) {
	for _, prompts := range [][2]string{
		{"Username:", "Password:"},
		{"username:", "password:"},
		{"User Name\x00", "Passwort"},
		{"", ""},
		{"Who are you?", "And your secret?"},
	} {
		c := NewLoginClient("alice", "s3cret")
		mech, ir, err := c.Start()
		require.NoError(t, err)
		assert.Equal(t, "LOGIN", mech)
		assert.Nil(t, ir)
		r1, err := c.Next([]byte(prompts[0]))
		require.NoError(t, err)
		r2, err := c.Next([]byte(prompts[1]))
		require.NoError(t, err)
		assert.Equal(t, []string{"alice", "s3cret"}, []string{string(r1), string(r2)}, prompts)
		_, err = c.Next([]byte("Password:"))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cret")
	}
	// The password prompt first is answered with the password.
	c := NewLoginClient("alice", "s3cret")
	r, _ := c.Next([]byte("Password:"))
	assert.Equal(t, "s3cret", string(r))
	r, _ = c.Next([]byte("Username:"))
	assert.Equal(t, "alice", string(r))
}

func TestXOAuth2(t *testing.T) {
	c := NewXOAuth2Client("alice@example.test", "ya29.token")
	mech, ir, err := c.Start()
	require.NoError(t, err)
	assert.Equal(t, "XOAUTH2", mech)
	assert.Equal(t, "user=alice@example.test\x01auth=Bearer ya29.token\x01\x01", string(ir))
	f := c.(interface{ Failure() error })
	assert.NoError(t, f.Failure())
	resp, err := c.Next([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`))
	require.NoError(t, err)
	assert.Empty(t, resp)
	require.Error(t, f.Failure())
	assert.Contains(t, f.Failure().Error(), "401")
	assert.NotContains(t, f.Failure().Error(), "ya29")
	_, err = c.Next([]byte("again"))
	require.Error(t, err)
}

func TestOAuthBearer(t *testing.T) {
	c := NewOAuthBearerClient(OAuthBearerOptions{Username: "alice", Token: "tok", Host: "mx", Port: 587})
	mech, ir, err := c.Start()
	require.NoError(t, err)
	assert.Equal(t, "OAUTHBEARER", mech)
	assert.Equal(t, "n,a=alice,\x01host=mx\x01port=587\x01auth=Bearer tok\x01\x01", string(ir))
	resp, err := c.Next([]byte(`{"status":"invalid_token"}`))
	require.NoError(t, err)
	assert.Equal(t, []byte{1}, resp, "RFC 7628 dummy response")
	assert.ErrorContains(t, c.(interface{ Failure() error }).Failure(), "invalid_token")
	c = NewOAuthBearerClient(OAuthBearerOptions{Token: "tok"})
	c.Start()
	c.Next([]byte("not json"))
	assert.NotContains(t, c.(interface{ Failure() error }).Failure().Error(), "tok")
}

func TestReexports(t *testing.T) {
	for _, c := range []Client{NewPlainClient("", "u", "p"), NewExternalClient(""), NewAnonymousClient("trace")} {
		mech, _, err := c.Start()
		require.NoError(t, err)
		assert.True(t, strings.Contains("PLAIN EXTERNAL ANONYMOUS", mech))
	}
}
