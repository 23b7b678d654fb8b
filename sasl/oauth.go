package sasl

import (
	"encoding/json"
	"fmt"

	gosasl "github.com/emersion/go-sasl"
)

// OAuthBearerOptions are the parameters of OAUTHBEARER.
type OAuthBearerOptions = gosasl.OAuthBearerOptions

// OAuthError is the server's JSON error status of a failed XOAUTH2 or
// OAUTHBEARER authentication (RFC 7628 section 3.2.2). It never holds the
// token.
type OAuthError struct {
	Mechanism string // "XOAUTH2" or "OAUTHBEARER"
	Status    string `json:"status"`  // the error code ("invalid_token")
	Schemes   string `json:"schemes"` // the authentication schemes the server accepts
	Scope     string `json:"scope"`   // the scope the token would need
}

// Error implements error.
func (e *OAuthError) Error() string {
	s := "sasl: " + e.Mechanism + " failed"
	if e.Status != "" {
		s += ": status " + e.Status
	}
	if e.Scope != "" {
		s += ", scope " + e.Scope
	}
	return s
}

// NewOAuthBearerClient returns an OAUTHBEARER client (RFC 7628). Unlike
// go-sasl's, it answers the server's error challenge with the dummy
// response "\x01" that the RFC requires, so the exchange ends with the
// server's failure reply; the error details are then given by Failure.
func NewOAuthBearerClient(opts OAuthBearerOptions) Client {
	return &oauthClient{mech: OAuthBearer, inner: gosasl.NewOAuthBearerClient(&opts), dummy: []byte{1}}
}

// NewXOAuth2Client returns an XOAUTH2 client (Google and Microsoft's OAuth
// 2.0 mechanism): the initial response is
// "user=<username>\x01auth=Bearer <token>\x01\x01". On failure the server
// sends a JSON error challenge; the client answers it with an empty
// response and keeps the details for Failure.
func NewXOAuth2Client(username, token string) Client {
	return &oauthClient{mech: XOAuth2, user: username, token: token, dummy: []byte{}}
}

type oauthClient struct {
	mech        string
	inner       Client
	user, token string
	dummy       []byte
	failure     error
	answered    bool
}

func (c *oauthClient) Start() (string, []byte, error) {
	if c.inner != nil {
		return c.inner.Start()
	}
	return c.mech, []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

func (c *oauthClient) Next(challenge []byte) ([]byte, error) {
	if c.answered {
		return nil, fmt.Errorf("sasl: %s: unexpected second challenge", c.mech)
	}
	c.answered = true
	e := &OAuthError{Mechanism: c.mech}
	if err := json.Unmarshal(challenge, e); err != nil {
		c.failure = fmt.Errorf("sasl: %s: server error challenge is not JSON", c.mech)
	} else {
		c.failure = e
	}
	return c.dummy, nil
}

// Failure returns the server's error details once it sent its error
// challenge, or nil.
func (c *oauthClient) Failure() error { return c.failure }
