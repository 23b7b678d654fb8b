package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/ioemail/ioemail/imap"
)

// ReconnectPolicy says how a network client dials again after its
// connection broke: up to MaxAttempts dials, the first at once, then
// waiting Delay(n) after the n-th failed one: exponential backoff from
// MinDelay, doubling up to MaxDelay. The zero value of each field means
// its default, given in DefaultReconnect. Every redial goes through
// Options.Dialer and authenticates again with Options.Auth (a token
// source is asked again).
//
// An IMAPClient or SMTPClient whose connection broke (the server closed
// it or restarted, the network failed, or an earlier call was
// interrupted by its context in the middle of an exchange) dials again
// at the start of the next call. A call during which the connection
// breaks is repeated on the new connection only when it is safe to
// repeat: on IMAP the reads (ListMailboxes, ListEnvelopes,
// SearchEnvelopes, GetMessage, DiffEnvelopes, DiffMailboxes) and
// StoreFlags (adding, removing or setting flags twice has the effect of
// doing it once). An APPEND (AddMessage), COPY or MOVE, a deletion, a
// CREATE, and an SMTP send that may have reached the server are never
// repeated: they fail with an error matching ErrOutcomeUnknown and the
// cause. A dial that fails for a reason a new dial cannot fix (the
// credentials or the certificate were refused, STARTTLS is missing) ends
// the attempts at once. When every attempt fails, the call fails with an
// error matching ErrConnBroken and the last dial's error.
//
// JMAP has no connection state: each call is an HTTP exchange, retried
// by the HTTP transport; the policy does not apply to it.
type ReconnectPolicy struct {
	// MaxAttempts is the number of dials tried after a break before the
	// client gives up and reports ErrConnBroken; 0 means 5; a negative
	// value disables reconnecting.
	MaxAttempts int
	// MinDelay is the wait after the first failed redial; 0 means 500 ms.
	MinDelay time.Duration
	// MaxDelay caps the wait between two dials; 0 means one minute.
	MaxDelay time.Duration
	// Jitter, when non-nil, turns each wait d into the wait actually
	// used (for example a random time between d/2 and d, so that many
	// clients cut off at once do not come back at once); nil means no
	// jitter. The library draws no random numbers of its own.
	Jitter func(d time.Duration) time.Duration
}

// DefaultReconnect is the policy used when Options.Reconnect is nil.
var DefaultReconnect = ReconnectPolicy{MaxAttempts: 5, MinDelay: 500 * time.Millisecond, MaxDelay: time.Minute}

// NoReconnect is a policy that never reconnects: once its connection
// broke, every call fails with ErrConnBroken.
var NoReconnect = ReconnectPolicy{MaxAttempts: -1}

// ErrOutcomeUnknown is matched (errors.Is) by the error of a call that
// changes the server (an IMAP APPEND, COPY, MOVE, expunge, CREATE or
// DELETE, an SMTP send) when the connection broke or the call was
// interrupted after the command was sent: the server may or may not have
// carried it out, so it is not repeated. The error also matches its cause
// (for example io.EOF or context.DeadlineExceeded). Look at the server
// (list the mailbox, check the Sent folder) before trying again.
var ErrOutcomeUnknown = errors.New("client: the connection broke during a call that changes the server; it may or may not have taken effect")

// Attempts returns the number of redials the policy allows (0 when it
// never reconnects).
func (p ReconnectPolicy) Attempts() int {
	switch {
	case p.MaxAttempts < 0:
		return 0
	case p.MaxAttempts == 0:
		return DefaultReconnect.MaxAttempts
	}
	return p.MaxAttempts
}

// Delay returns the wait after failed redial n (n >= 1), before jitter:
// MinDelay doubled n-1 times, at most MaxDelay.
func (p ReconnectPolicy) Delay(n int) time.Duration {
	lo, hi := p.MinDelay, p.MaxDelay
	if lo <= 0 {
		lo = DefaultReconnect.MinDelay
	}
	if hi <= 0 {
		hi = DefaultReconnect.MaxDelay
	}
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// reconnectPolicy returns the policy of o, DefaultReconnect when unset.
func (o *Options) reconnectPolicy() ReconnectPolicy {
	if o.Reconnect == nil {
		return DefaultReconnect
	}
	return *o.Reconnect
}

// redial calls connect until it succeeds, the policy's attempts are
// spent, connect fails for good (see retryable), ctx ends or closed is
// closed. It returns nil on success, else an error matching ErrConnBroken
// and the last failure.
func redial(ctx context.Context, p ReconnectPolicy, closed <-chan struct{}, connect func(context.Context) error) error {
	n := p.Attempts()
	if n == 0 {
		return fmt.Errorf("%w (reconnecting is disabled)", ErrConnBroken)
	}
	var last error
	for i := 1; i <= n; i++ {
		if i > 1 {
			if err := p.pause(ctx, i-1, closed); err != nil {
				return fmt.Errorf("%w: reconnecting: %w (last dial: %v)", ErrConnBroken, err, last)
			}
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: reconnecting: %w", ErrConnBroken, err)
		}
		last = connect(ctx)
		if last == nil {
			return nil
		}
		if !retryable(last) {
			return fmt.Errorf("%w: reconnecting failed for good: %w", ErrConnBroken, last)
		}
	}
	return fmt.Errorf("%w: %d reconnect attempts failed, the last with: %w", ErrConnBroken, n, last)
}

// pause waits Delay(n), jittered when the policy says so, or until ctx
// ends (its error) or closed is closed (ErrClosed).
func (p ReconnectPolicy) pause(ctx context.Context, n int, closed <-chan struct{}) error {
	d := p.Delay(n)
	if p.Jitter != nil {
		d = p.Jitter(d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-closed:
		return ErrClosed
	}
}

// retryable reports whether err is a failure of the link itself (the
// peer closed or reset the connection, refused it, said BYE, or a
// network operation timed out), which a new connection may cure; not
// a refusal of credentials or certificate, a protocol violation, or a
// context that ended.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) {
		return false
	}
	if errors.Is(err, ErrClosed) {
		return false // closed locally
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, imap.ErrClosed), errors.Is(err, imap.ErrBye), errors.Is(err, imap.ErrTruncated),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH):
		return true
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) && ne.Timeout() || errors.As(err, &oe)
}

// outcomeUnknown wraps err so that it matches ErrOutcomeUnknown too.
func outcomeUnknown(err error) error {
	return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
}
