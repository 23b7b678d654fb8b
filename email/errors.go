package email

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error an operation returns for one of these
// conditions matches it with errors.Is, whatever the backend.
var (
	// ErrNotFound: the mailbox or message does not exist.
	ErrNotFound = errors.New("email: not found")
	// ErrExists: the mailbox or file to create already exists.
	ErrExists = errors.New("email: already exists")
	// ErrUnsupported: the backend does not implement the operation.
	ErrUnsupported = errors.New("email: operation not supported by this backend")
	// ErrNoBackend: no registered backend can serve the operation.
	ErrNoBackend = errors.New("email: no backend registered")
	// ErrInvalidName: a mailbox name is empty, unsafe or not representable.
	ErrInvalidName = errors.New("email: invalid mailbox name")
	// ErrInvalidID: a message id is malformed for the backend.
	ErrInvalidID = errors.New("email: invalid message id")
	// ErrInvalidArgument: some other argument is out of range or malformed.
	ErrInvalidArgument = errors.New("email: invalid argument")
	// ErrTooLarge: input or a peer's reply exceeds a configured limit.
	ErrTooLarge = errors.New("email: too large")
	// ErrProtocol: the peer broke the protocol or sent data we cannot parse.
	ErrProtocol = errors.New("email: protocol error")
	// ErrRefused: the operation would destroy data it must not (the root
	// mailbox, a mailbox with children) and was refused.
	ErrRefused = errors.New("email: refused")
	// ErrMachineDone: a step machine was resumed after it finished.
	ErrMachineDone = errors.New("email: step machine resumed after done")
	// ErrUnexpectedReply: a step machine got a reply of the wrong shape.
	ErrUnexpectedReply = errors.New("email: unexpected reply to step machine request")
	// ErrInsecure: the operation would expose credentials or mail on an
	// unprotected link and the caller did not allow it.
	ErrInsecure = errors.New("email: insecure connection refused")
	// ErrAuthFailed: the server refused the credentials. Every backend's
	// authentication failure matches it: an IMAP NO or BAD to LOGIN or
	// AUTHENTICATE, or an [AUTHENTICATIONFAILED] response code (RFC 5530
	// section 3); an SMTP 535 or enhanced code 5.7.8 (RFC 4954 section 6);
	// a JMAP HTTP 401 on the session or API resource (RFC 8620 section
	// 3.6.1). The error never carries the credentials.
	ErrAuthFailed = errors.New("email: authentication failed")
)

// NameError reports a mailbox name that cannot be used.
type NameError struct {
	Name   string // the name as given (quoted when printed)
	Reason string // why it is refused
}

// Error implements error.
func (e *NameError) Error() string {
	return "email: invalid mailbox name " + strconv.Quote(e.Name) + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalidName) true.
func (e *NameError) Is(target error) bool { return target == ErrInvalidName }

// NotFoundError reports a missing mailbox or message.
type NotFoundError struct {
	Mailbox string // the mailbox name or id
	ID      string // the message id, "" when the mailbox itself is missing
}

// Error implements error.
func (e *NotFoundError) Error() string {
	if e.ID == "" {
		return "email: mailbox " + strconv.Quote(e.Mailbox) + " not found"
	}
	return "email: message " + strconv.Quote(e.ID) + " not found in " + strconv.Quote(e.Mailbox)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// OpError wraps an error with the backend and operation it came from.
type OpError struct {
	Backend string // "maildir", "imap", ...
	Op      string // "list_envelopes", ...
	Err     error  // the underlying error, which Unwrap returns
}

// Error implements error.
func (e *OpError) Error() string { return e.Backend + " " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *OpError) Unwrap() error { return e.Err }
