package client

import "time"

// ReconnectPolicy says how a network client dials again after its
// connection broke: up to MaxAttempts dials, waiting between them with
// exponential backoff from MinDelay, doubling up to MaxDelay. The wait
// before attempt n (counting from 1) is Delay(n); a client waits a random
// time between half of it and all of it, so that many clients cut off at
// once do not come back at once. The zero value of each field means its
// default, given in DefaultReconnect.
//
// Only operations that are safe to repeat are retried after a reconnect;
// an APPEND or a send that may have reached the server is reported, never
// repeated.
//
// Status: the policy is carried by IMAPClient, SMTPClient and JMAPClient
// but not acted on yet: today a client whose connection broke fails every
// later call with ErrConnBroken, and the caller dials again.
type ReconnectPolicy struct {
	// MaxAttempts is the number of dials tried after a break before the
	// client gives up and reports ErrConnBroken; 0 means 5; a negative
	// value disables reconnecting.
	MaxAttempts int
	// MinDelay is the wait before the first redial; 0 means 500 ms.
	MinDelay time.Duration
	// MaxDelay caps the wait between two dials; 0 means one minute.
	MaxDelay time.Duration
}

// DefaultReconnect is the policy used when Options.Reconnect is nil.
var DefaultReconnect = ReconnectPolicy{MaxAttempts: 5, MinDelay: 500 * time.Millisecond, MaxDelay: time.Minute}

// NoReconnect is a policy that never reconnects.
var NoReconnect = ReconnectPolicy{MaxAttempts: -1}

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

// Delay returns the longest wait before redial attempt n (n >= 1):
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
