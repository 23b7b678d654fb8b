// Package sasl gathers the SASL client mechanisms (RFC 4422) the IMAP and
// SMTP backends authenticate with, all behind go-sasl's Client interface:
// go-sasl's PLAIN, EXTERNAL and ANONYMOUS re-exported, OAUTHBEARER wrapped
// so that a failure is acknowledged as RFC 7628 requires, and the
// mechanisms go-sasl lacks: XOAUTH2, a lenient LOGIN and SCRAM-SHA-256 /
// SCRAM-SHA-1 with server-signature verification.
//
// The mechanisms are pure functions of the server's challenges: they do no
// I/O, and the protocol machines do the base64 and the framing. No error
// returned by a mechanism of this package contains a password or a token.
//
// Two optional methods extend the interface for the protocol machines:
// Failure() error returns the server's error details that a mechanism
// (XOAUTH2, OAUTHBEARER) acknowledged with a dummy response, and
// Complete() error says whether a mechanism that authenticates the server
// (SCRAM) has verified it; a machine must treat success without it as a
// failure.
package sasl

import (
	gosasl "github.com/emersion/go-sasl"
)

// Client is a SASL client mechanism: Start returns its name and initial
// response (nil for none), Next answers each server challenge.
type Client = gosasl.Client

// The mechanism names.
const (
	Plain       = gosasl.Plain
	Login       = gosasl.Login
	External    = gosasl.External
	Anonymous   = gosasl.Anonymous
	OAuthBearer = gosasl.OAuthBearer
	XOAuth2     = "XOAUTH2"
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA1   = "SCRAM-SHA-1"
)

// NewPlainClient returns a PLAIN client (RFC 4616): identity is the
// authorization identity, usually "".
func NewPlainClient(identity, username, password string) Client {
	return gosasl.NewPlainClient(identity, username, password)
}

// NewExternalClient returns an EXTERNAL client (RFC 4422 appendix A), for
// authentication by the TLS client certificate.
func NewExternalClient(identity string) Client { return gosasl.NewExternalClient(identity) }

// NewAnonymousClient returns an ANONYMOUS client (RFC 4505) sending trace.
func NewAnonymousClient(trace string) Client { return gosasl.NewAnonymousClient(trace) }
