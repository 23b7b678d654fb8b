package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/sasl"
)

// Auth is how a network client authenticates; the same value works for
// IMAP, SMTP and JMAP. Build one with Password, OAuth2, Bearer or SASL and
// put it in Options.Auth.
//
//   - Password: SASL PLAIN on IMAP (a LOGIN command when the server lacks
//     AUTH=PLAIN) and SMTP (LOGIN when the server only offers that);
//     HTTP Basic on JMAP (RFC 7617).
//   - OAuth2 / Bearer: OAUTHBEARER (RFC 7628) when the server offers it,
//     else XOAUTH2, on IMAP and SMTP; "Authorization: Bearer" on JMAP
//     (RFC 6750).
//   - SASL: any SASL client mechanism, on IMAP and SMTP only.
//
// Printing an Auth never shows its secret.
type Auth struct {
	kind     authKind
	user     string
	password string
	tokens   TokenSource
	sasl     func() sasl.Client
}

type authKind uint8

const (
	authPassword authKind = iota + 1
	authOAuth2
	authSASL
)

// TokenSource hands out OAuth 2.0 access tokens. Token is called before
// every authentication (each dial, and each redial) and, for JMAP, before
// every HTTP request, so a source that refreshes an expiring token keeps a
// long-lived client authenticated; it should cache the token while it is
// valid. A golang.org/x/oauth2 TokenSource fits in a TokenFunc:
//
//	client.TokenFunc(func(context.Context) (string, error) {
//		t, err := ts.Token()
//		if err != nil {
//			return "", err
//		}
//		return t.AccessToken, nil
//	})
type TokenSource interface {
	// Token returns a valid access token, refreshing it when needed; it
	// is called before each authentication (and each JMAP request).
	Token(ctx context.Context) (string, error)
}

// TokenFunc adapts a function to a TokenSource.
type TokenFunc func(ctx context.Context) (string, error)

// Token calls f.
func (f TokenFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// StaticToken is a TokenSource that always returns the same token.
type StaticToken string

// Token returns t.
func (t StaticToken) Token(context.Context) (string, error) { return string(t), nil }

// Password authenticates with a user name and a password.
func Password(user, password string) *Auth {
	return &Auth{kind: authPassword, user: user, password: password}
}

// OAuth2 authenticates user with the access tokens of ts (see Auth for the
// mechanisms). user is the account's user name or address; JMAP does not
// use it.
func OAuth2(user string, ts TokenSource) *Auth {
	return &Auth{kind: authOAuth2, user: user, tokens: ts}
}

// Bearer is OAuth2 with a fixed access token.
func Bearer(user, token string) *Auth { return OAuth2(user, StaticToken(token)) }

// SASL authenticates IMAP and SMTP with the mechanism newClient returns (a
// fresh client for each authentication, such as
// sasl.NewScramSHA256Client(user, pass, rand.Reader) of package
// github.com/ioemail/ioemail/sasl); JMAP refuses it with
// email.ErrUnsupported.
func SASL(newClient func() sasl.Client) *Auth {
	return &Auth{kind: authSASL, sasl: newClient}
}

// String describes a without its secret.
func (a *Auth) String() string {
	if a == nil {
		return "no auth"
	}
	switch a.kind {
	case authPassword:
		return fmt.Sprintf("password for %q", a.user)
	case authOAuth2:
		return fmt.Sprintf("OAuth 2.0 for %q", a.user)
	case authSASL:
		return "custom SASL"
	}
	return "invalid auth"
}

// GoString is String, so that %#v does not show the secret either.
func (a *Auth) GoString() string { return a.String() }

// errAuthToken wraps a failure of the token source; the token source's
// error is kept for errors.Is.
func errAuthToken(err error) error {
	return fmt.Errorf("client: getting an OAuth 2.0 token: %w", err)
}

// saslClient returns the SASL client to authenticate with. offers reports
// whether the server offers a mechanism; it is asked when the client
// starts, once the capabilities are known.
func (a *Auth) saslClient(ctx context.Context, offers func(mech string) bool) (sasl.Client, error) {
	switch a.kind {
	case authPassword:
		return &pickSASL{pick: func() sasl.Client {
			if !offers(sasl.Plain) && offers(sasl.Login) {
				return sasl.NewLoginClient(a.user, a.password)
			}
			return sasl.NewPlainClient("", a.user, a.password)
		}}, nil
	case authOAuth2:
		tok, err := a.tokens.Token(ctx)
		if err != nil {
			return nil, errAuthToken(err)
		}
		return &pickSASL{secret: tok, pick: func() sasl.Client {
			if offers(sasl.OAuthBearer) || !offers(sasl.XOAuth2) {
				return sasl.NewOAuthBearerClient(sasl.OAuthBearerOptions{Username: a.user, Token: tok})
			}
			return sasl.NewXOAuth2Client(a.user, tok)
		}}, nil
	case authSASL:
		return a.sasl(), nil
	}
	return nil, fmt.Errorf("client: invalid Auth: %w", email.ErrInvalidArgument)
}

// header returns the HTTP Authorization value for JMAP.
func (a *Auth) header(ctx context.Context) (string, error) {
	switch a.kind {
	case authPassword:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.user+":"+a.password)), nil
	case authOAuth2:
		tok, err := a.tokens.Token(ctx)
		if err != nil {
			return "", errAuthToken(err)
		}
		return "Bearer " + tok, nil
	case authSASL:
		return "", fmt.Errorf("client: JMAP has no SASL authentication: %w", email.ErrUnsupported)
	}
	return "", fmt.Errorf("client: invalid Auth: %w", email.ErrInvalidArgument)
}

// pickSASL chooses its mechanism when it starts, which the IMAP and SMTP
// machines do once the server's capabilities are known. It passes the
// optional Failure and Complete methods of package sasl through.
type pickSASL struct {
	pick  func() sasl.Client
	inner sasl.Client
	// secret is the token sent, for scrubbing error texts.
	secret string
}

// sentToken returns the token c sends, if c is a pickSASL with one.
func sentToken(c sasl.Client) string {
	if p, ok := c.(*pickSASL); ok {
		return p.secret
	}
	return ""
}

func (p *pickSASL) Start() (string, []byte, error) {
	p.inner = p.pick()
	return p.inner.Start()
}

func (p *pickSASL) Next(challenge []byte) ([]byte, error) {
	if p.inner == nil {
		return nil, errors.New("client: SASL challenge before start")
	}
	return p.inner.Next(challenge)
}

// Failure returns the server's error details kept by the mechanism.
func (p *pickSASL) Failure() error {
	if f, ok := p.inner.(interface{ Failure() error }); ok {
		return f.Failure()
	}
	return nil
}

// Complete says whether a mechanism that authenticates the server has
// verified it (nil for mechanisms that do not).
func (p *pickSASL) Complete() error {
	if c, ok := p.inner.(interface{ Complete() error }); ok {
		return c.Complete()
	}
	return nil
}

// scrub returns err with every occurrence of a's secret (password or
// token) in its text replaced by "<redacted>", for a server that echoes
// the command it refused. errors.Is and errors.As still see err's chain.
func (a *Auth) scrub(err error, token string) error {
	if err == nil || a == nil {
		return err
	}
	msg := err.Error()
	out := msg
	for _, secret := range []string{a.password, token} {
		if len(secret) >= 3 {
			out = strings.ReplaceAll(out, secret, redacted)
		}
	}
	if out == msg {
		return err
	}
	return &scrubbedError{msg: out, err: err}
}

// scrubbedError is an error whose text had a credential removed.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
