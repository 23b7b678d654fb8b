package imap

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// CommandError is a NO or BAD answer to a command (RFC 3501 section 7.1).
// errors.Is matches it against the email sentinels where the response code
// says what happened: NONEXISTENT and TRYCREATE match email.ErrNotFound,
// ALREADYEXISTS matches email.ErrExists, TOOBIG and LIMIT match
// email.ErrTooLarge, and BAD matches email.ErrProtocol. A NO or BAD to
// LOGIN or AUTHENTICATE, and the codes AUTHENTICATIONFAILED,
// AUTHORIZATIONFAILED and EXPIRED (RFC 5530 section 3) on any command,
// match email.ErrAuthFailed, except a refusal with UNAVAILABLE (the
// server cannot check credentials now) or PRIVACYREQUIRED (which matches
// email.ErrInsecure instead).
type CommandError struct {
	// Command is the command name, "SELECT", "UID MOVE", ...
	Command string
	// Type is "NO" or "BAD".
	Type string
	// Code is the response code, "" when none.
	Code ResponseCode
	// Text is the server's human-readable text.
	Text string
}

// Error implements error.
func (e *CommandError) Error() string {
	var b strings.Builder
	b.WriteString("imap: ")
	b.WriteString(e.Command)
	b.WriteString(": ")
	b.WriteString(e.Type)
	if e.Code != "" {
		b.WriteString(" [")
		b.WriteString(string(e.Code))
		b.WriteString("]")
	}
	if e.Text != "" {
		b.WriteString(" ")
		b.WriteString(e.Text)
	}
	return b.String()
}

// Is matches the email sentinels as documented on CommandError.
func (e *CommandError) Is(target error) bool {
	code := imap.ResponseCode(e.Code)
	switch target {
	case email.ErrNotFound:
		return code == imap.ResponseCodeNonExistent || code == imap.ResponseCodeTryCreate
	case email.ErrExists:
		return code == imap.ResponseCodeAlreadyExists
	case email.ErrTooLarge:
		return code == imap.ResponseCodeTooBig || code == imap.ResponseCodeLimit
	case email.ErrProtocol:
		return e.Type == "BAD"
	case email.ErrAuthFailed:
		switch code {
		case imap.ResponseCodeAuthenticationFailed, imap.ResponseCodeAuthorizationFailed, imap.ResponseCodeExpired:
			return true
		case imap.ResponseCodeUnavailable, imap.ResponseCodePrivacyRequired:
			return false
		}
		return e.Command == "LOGIN" || e.Command == "AUTHENTICATE"
	case email.ErrInsecure:
		return code == imap.ResponseCodePrivacyRequired
	}
	return false
}

// ErrBye is matched by the error of a command the server answered with
// BYE (it closed the connection); it also matches email.ErrProtocol.
var ErrBye = fmt.Errorf("imap: server closed the connection (BYE): %w", email.ErrProtocol)

// ByeError carries the text of an unexpected BYE.
type ByeError struct {
	// Text is the human-readable text of the BYE response.
	Text string
}

// Error implements error.
func (e *ByeError) Error() string { return "imap: server said BYE: " + e.Text }

// Is matches ErrBye and email.ErrProtocol.
func (e *ByeError) Is(target error) bool { return target == ErrBye || target == email.ErrProtocol }

// ErrStoppedUnanswered is the error of a watch stopped while the server
// did not answer its IDLE with "+" (RFC 2177), or DONE with the tagged
// status, within WatchOptions.StopWait: the machine ends rather than wait
// for a server that may never answer, and the session is broken, since
// that answer is still due. A driver that stopped the watch
// because its context ended reports the context's error instead.
var ErrStoppedUnanswered = errors.New("imap: watch stopped before the server answered IDLE; the connection is out of step")

// ErrClosed is matched when the server closed the stream; it also matches
// email.ErrProtocol.
var ErrClosed = fmt.Errorf("imap: connection closed by the server: %w", email.ErrProtocol)

// ProtocolError reports a server that broke the protocol: a bad tag, an
// unexpected continuation, bytes after STARTTLS. It matches
// email.ErrProtocol.
type ProtocolError struct {
	// Reason says what the server did wrong.
	Reason string
}

// Error implements error.
func (e *ProtocolError) Error() string { return "imap: protocol violation: " + e.Reason }

// Is matches email.ErrProtocol.
func (e *ProtocolError) Is(target error) bool { return target == email.ErrProtocol }

func protoErr(format string, args ...any) error {
	return &ProtocolError{Reason: fmt.Sprintf(format, args...)}
}

// statusErr returns the error of a tagged status, nil for OK.
func statusErr(cmd string, st *wire.Status) error {
	if st == nil {
		return protoErr("%s: no tagged status", cmd)
	}
	if st.Type == wire.OK {
		return nil
	}
	return &CommandError{Command: cmd, Type: string(st.Type), Code: ResponseCode(st.Code), Text: st.Text}
}

// opError wraps err with the backend and operation names.
func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	var oe *email.OpError
	if errors.As(err, &oe) {
		return err
	}
	return &email.OpError{Backend: "imap", Op: op, Err: err}
}
