package client

import (
	"errors"
	"fmt"
	"net"

	"github.com/ioemail/ioemail/email"
)

// ErrAuthRequired is returned by DialIMAP when the server needs
// authentication (it did not greet with PREAUTH) and Options.Auth is nil
// and Options.Unauthenticated is not set. It matches
// email.ErrInvalidArgument.
var ErrAuthRequired = fmt.Errorf("client: the server requires authentication and no Options.Auth was given: %w", email.ErrInvalidArgument)

// ErrConnBroken is matched (errors.Is) by the error of every call on an
// IMAP or SMTP client whose connection was left unusable by an earlier
// call: one interrupted in the middle of an exchange (its context was
// cancelled or its deadline passed while a command was in flight, so the
// stream is out of step), or one that failed on I/O or on a protocol
// error. The earlier call itself returns what happened (for example
// context.DeadlineExceeded); later errors name that cause in their text
// but match only ErrConnBroken, so that a fresh call is never mistaken
// for one whose own deadline passed. A call whose context ended before
// anything was sent leaves the connection usable. The next call dials
// again as Options.Reconnect says; ErrConnBroken is returned when
// reconnecting is disabled (NoReconnect) or every attempt failed.
var ErrConnBroken = errors.New("client: connection broken by an earlier call")

// ErrClosed is returned by every call on a network client after its Close
// method was called: the connection was closed locally, not by the server.
// It matches net.ErrClosed.
var ErrClosed = fmt.Errorf("client: connection closed by Close: %w", net.ErrClosed)
