package smtp

import (
	"fmt"
	"strconv"

	"github.com/ioemail/ioemail/email"
)

// EnhancedCode is an enhanced mail system status code (RFC 3463), such as
// 5.1.1: class, subject and detail. The zero value means the reply had none.
type EnhancedCode [3]int

// IsZero reports whether the code is absent.
func (c EnhancedCode) IsZero() bool { return c == EnhancedCode{} }

// String formats the code as "class.subject.detail", or "" when absent.
func (c EnhancedCode) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.Itoa(c[0]) + "." + strconv.Itoa(c[1]) + "." + strconv.Itoa(c[2])
}

// ErrAuthFailed is matched (errors.Is) by an *Error for a refused
// authentication: reply 535, or an enhanced code 5.7.8 (RFC 4954 section 6).
// It is email.ErrAuthFailed, the sentinel every backend's authentication
// failure matches; the name is kept for existing callers.
var ErrAuthFailed = email.ErrAuthFailed

// Error is a reply of the server refusing a command (RFC 5321 section
// 4.2): a 4yz (transient) or 5yz (permanent) code, with the enhanced status
// code when the server sent one.
//
// It matches, with errors.Is: email.ErrTooLarge for 552 and the enhanced
// codes x.3.4 and x.2.3 (message too big, RFC 3463); email.ErrNotFound for
// x.1.1 and x.1.2 (no such mailbox or domain); email.ErrUnsupported for 502
// and 504 (command or parameter not implemented); email.ErrInsecure for
// 530 with x.7.0, and for x.7.10 and x.7.11 (encryption required, RFC 5248);
// ErrAuthFailed (that is email.ErrAuthFailed) for 535 and x.7.8.
type Error struct {
	// Command names the refused command ("MAIL", "RCPT", "DATA", "AUTH"...);
	// it never carries arguments, so no credential can leak through it.
	Command string
	// Code is the three-digit reply code.
	Code int
	// Enhanced is the enhanced status code, zero when absent.
	Enhanced EnhancedCode
	// Message is the reply text, lines joined with "\n", enhanced codes
	// removed.
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	s := "smtp: "
	if e.Command != "" {
		s += e.Command + ": "
	}
	s += strconv.Itoa(e.Code)
	if !e.Enhanced.IsZero() {
		s += " " + e.Enhanced.String()
	}
	if e.Message != "" {
		s += " " + e.Message
	}
	return s
}

// Temporary reports whether the failure is transient (a 4yz code, RFC 5321
// section 4.2.1): the same command may succeed later.
func (e *Error) Temporary() bool { return e.Code/100 == 4 }

// Is matches e against the email sentinels listed on Error.
func (e *Error) Is(target error) bool {
	sub, det := e.Enhanced[1], e.Enhanced[2]
	switch target {
	case email.ErrTooLarge:
		return e.Code == 552 || (sub == 3 && det == 4) || (sub == 2 && det == 3)
	case email.ErrNotFound:
		return sub == 1 && (det == 1 || det == 2)
	case email.ErrUnsupported:
		return e.Code == 502 || e.Code == 504
	case email.ErrInsecure:
		return (e.Code == 530 && sub == 7 && det == 0) || (sub == 7 && (det == 10 || det == 11))
	case ErrAuthFailed:
		return e.Code == 535 || (sub == 7 && det == 8)
	}
	return false
}

// ProtocolError reports a server that broke the protocol: a malformed
// reply, a reply that does not fit the command it answers, bytes where
// none may be, an early close. It matches email.ErrProtocol, and
// email.ErrTooLarge when a limit was exceeded.
type ProtocolError struct {
	// Reason says what went wrong.
	Reason string
	// Err is an underlying cause (email.ErrTooLarge, io.ErrUnexpectedEOF),
	// or nil.
	Err error
}

// Error implements error.
func (e *ProtocolError) Error() string {
	if e.Err != nil {
		return "smtp: protocol error: " + e.Reason + ": " + e.Err.Error()
	}
	return "smtp: protocol error: " + e.Reason
}

// Unwrap returns the cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, email.ErrProtocol) true.
func (e *ProtocolError) Is(target error) bool { return target == email.ErrProtocol }

func protoErr(format string, args ...any) *ProtocolError {
	return &ProtocolError{Reason: fmt.Sprintf(format, args...)}
}

// joinedError is a fixed message that matches a sentinel.
type joinedError struct {
	msg string
	is  error
}

func (e *joinedError) Error() string        { return e.msg }
func (e *joinedError) Is(target error) bool { return target == e.is }

func errorsJoin(msg string, is error) error { return &joinedError{msg: msg, is: is} }
