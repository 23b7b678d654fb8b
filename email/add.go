package email

import "time"

// AddOptions holds what AddMessage may set on a stored message besides its
// flags. Build it from AddOption values with [NewAddOptions].
type AddOptions struct {
	// Received is the received time to give the message (Envelope.Received):
	// the IMAP APPEND date-time (RFC 3501 section 6.3.11), the JMAP
	// receivedAt (RFC 8621 section 4.8), the file's modification time on
	// Maildir and m2dir. The zero Time lets the store use the current time.
	Received time.Time
}

// AddOption sets one field of AddOptions. Every AddMessage of this module,
// on the step machines and on the client, takes them as its last,
// variadic, arguments.
type AddOption func(*AddOptions)

// WithReceived sets the received time of the added message, so that a copy
// or a restored backup keeps its arrival date. Backends store it at the
// precision they have: whole seconds on IMAP and JMAP, the file system's
// precision on Maildir and m2dir.
func WithReceived(t time.Time) AddOption {
	return func(o *AddOptions) { o.Received = t }
}

// NewAddOptions applies opts in order, nil ones skipped, and returns the
// result.
func NewAddOptions(opts ...AddOption) AddOptions {
	var o AddOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}
