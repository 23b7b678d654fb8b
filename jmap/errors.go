package jmap

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ioemail/ioemail/email"
)

// Errors of the JMAP layer. Each matches an email sentinel as well, through
// errors.Is, where one applies.
var (
	// ErrRedirectLoop is returned when an exchange is redirected more than
	// MaxRedirects times. It matches email.ErrProtocol.
	ErrRedirectLoop = fmt.Errorf("jmap: too many redirects: %w", email.ErrProtocol)
	// ErrNoAccount is returned when the session names no account with the
	// mail capability. It matches email.ErrUnsupported.
	ErrNoAccount = fmt.Errorf("jmap: session has no mail account: %w", email.ErrUnsupported)
	// ErrTransport is matched by every failure below HTTP that a driver
	// reports for an exchange: the connection refused, reset or closed
	// before the response ended, or a reply that is not HTTP. The error
	// also matches the underlying error (io.EOF, io.ErrUnexpectedEOF,
	// syscall.ECONNRESET, ...) through errors.Is, and, when the reply was
	// not well-formed HTTP, email.ErrProtocol. ErrTransport itself matches
	// no email sentinel: a reset is not the peer breaking the protocol.
	ErrTransport = errors.New("jmap: HTTP transport failed")
)

// TransportError returns the error of an exchange that failed below HTTP
// with err: it matches ErrTransport and err, and email.ErrProtocol as well
// when malformed says the reply was not well-formed HTTP. Drivers use it
// so that both drivers of this package report the same errors.
func TransportError(err error, malformed bool) error {
	if malformed {
		return fmt.Errorf("%w: %w: %w", ErrTransport, email.ErrProtocol, err)
	}
	return fmt.Errorf("%w: %w", ErrTransport, err)
}

// MethodError is a method-level error: the server answered one method call
// with an "error" response (RFC 8620 section 3.6.2). Type is the JMAP error
// type ("serverFail", "cannotCalculateChanges", "invalidArguments", ...).
type MethodError struct {
	Method      string // the method that failed ("Email/get")
	Type        string // the JMAP error type
	Description string // the server's description, may be empty
}

// Error implements error.
func (e *MethodError) Error() string {
	s := "jmap: " + e.Method + ": " + e.Type
	if e.Description != "" {
		s += ": " + strconv.Quote(e.Description)
	}
	return s
}

// Is matches the email sentinels: accountNotFound and notFound match
// email.ErrNotFound, unknownMethod and accountNotSupportedByMethod
// email.ErrUnsupported, requestTooLarge email.ErrTooLarge, invalidArguments
// email.ErrInvalidArgument, and the other types email.ErrProtocol.
func (e *MethodError) Is(target error) bool {
	switch e.Type {
	case "accountNotFound", "notFound":
		return target == email.ErrNotFound
	case "unknownMethod", "accountNotSupportedByMethod", "unsupportedFilter", "unsupportedSort":
		return target == email.ErrUnsupported
	case "requestTooLarge", "tooManyChanges":
		return target == email.ErrTooLarge
	case "invalidArguments", "invalidResultReference", "anchorNotFound":
		return target == email.ErrInvalidArgument
	}
	return target == email.ErrProtocol
}

// SetError is the failure of one object in a /set, /import or /copy call
// (RFC 8620 section 5.3): notFound, forbidden, invalidProperties,
// mailboxHasChild, overQuota, alreadyExists, ...
type SetError struct {
	Method      string   // "Email/set", "Mailbox/set", "Email/import", ...
	ID          string   // the object id or creation id
	Type        string   // the SetError type
	Description string   // the server's description, may be empty
	Properties  []string // for invalidProperties
}

// Error implements error.
func (e *SetError) Error() string {
	s := "jmap: " + e.Method + " " + strconv.Quote(e.ID) + ": " + e.Type
	if e.Description != "" {
		s += ": " + strconv.Quote(e.Description)
	}
	if len(e.Properties) > 0 {
		s += fmt.Sprintf(" %q", e.Properties)
	}
	return s
}

// Is matches notFound to email.ErrNotFound, alreadyExists to
// email.ErrExists, mailboxHasChild and mailboxHasEmail to email.ErrRefused,
// tooLarge and overQuota to email.ErrTooLarge, invalidProperties and
// invalidPatch to email.ErrInvalidArgument, and everything else to
// email.ErrProtocol.
func (e *SetError) Is(target error) bool {
	switch e.Type {
	case "notFound", "blobNotFound":
		return target == email.ErrNotFound
	case "alreadyExists":
		return target == email.ErrExists
	case "mailboxHasChild", "mailboxHasEmail", "forbidden", "forbiddenFrom", "forbiddenToSend", "invalidRecipients", "noRecipients", "forbiddenMailFrom":
		return target == email.ErrRefused
	case "tooLarge", "overQuota", "tooManyKeywords", "tooManyMailboxes", "tooManyRecipients":
		return target == email.ErrTooLarge
	case "invalidProperties", "invalidPatch", "invalidEmail", "singleton":
		return target == email.ErrInvalidArgument
	}
	return target == email.ErrProtocol
}

// HTTPError is a failed exchange: a status outside 2xx where the machine
// needed success. For a request-level JMAP error (RFC 8620 section 3.6.1)
// Type holds the problem type ("urn:ietf:params:jmap:error:limit").
// The body is never quoted whole, and no request header is ever part of
// the message.
type HTTPError struct {
	Status int    // the HTTP status code
	Type   string // the RFC 7807 problem type, when the body had one
	Detail string // the problem detail, cut to 200 bytes
	// RetryAfter is the delay the server asked for with Retry-After (RFC
	// 9110 section 10.2.3), for a 429 or 503 that Fetch did not retry
	// (the delay over MaxRetryAfter, or MaxRetries used up); zero when the
	// server gave none or gave one that cannot be read.
	RetryAfter time.Duration
}

// Error implements error.
func (e *HTTPError) Error() string {
	s := "jmap: HTTP status " + strconv.Itoa(e.Status)
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Detail != "" {
		s += ": " + strconv.Quote(e.Detail)
	}
	if e.RetryAfter > 0 {
		s += " (retry after " + e.RetryAfter.String() + ")"
	}
	return s
}

// Is matches 401 to email.ErrAuthFailed (the credentials were refused,
// RFC 8620 section 3.6.1 via RFC 9110 section 15.5.2) and to
// email.ErrRefused, 403 to email.ErrRefused, 404 to email.ErrNotFound, 413
// to email.ErrTooLarge, and every other status to email.ErrProtocol.
func (e *HTTPError) Is(target error) bool {
	switch e.Status {
	case 401:
		return target == email.ErrAuthFailed || target == email.ErrRefused
	case 403:
		return target == email.ErrRefused
	case 404:
		return target == email.ErrNotFound
	case 413:
		return target == email.ErrTooLarge
	}
	return target == email.ErrProtocol
}

// Unauthorized reports whether the server refused the credentials.
func (e *HTTPError) Unauthorized() bool { return e.Status == 401 }

// Temporary reports whether retrying later may succeed (429, 502, 503,
// 504).
func (e *HTTPError) Temporary() bool {
	switch e.Status {
	case 429, 502, 503, 504:
		return true
	}
	return false
}

// DecodeError reports a response body that is not the JSON a machine
// expects. It matches email.ErrProtocol.
type DecodeError struct {
	What string // what was being decoded ("session", "Email/get")
	Err  error  // the JSON error, which Unwrap returns
}

// Error implements error.
func (e *DecodeError) Error() string { return "jmap: decoding " + e.What + ": " + e.Err.Error() }

// Unwrap returns the JSON error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches email.ErrProtocol.
func (e *DecodeError) Is(target error) bool { return target == email.ErrProtocol }

// protocolError returns an error matching email.ErrProtocol with text.
func protocolError(text string) error {
	return fmt.Errorf("jmap: %s: %w", text, email.ErrProtocol)
}
