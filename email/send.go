package email

// SendOptions tunes SendMessage.
type SendOptions struct {
	// From overrides the envelope sender (SMTP MAIL FROM) that is otherwise
	// taken from the Sender or From header.
	From string
	// To overrides the envelope recipients that are otherwise taken from the
	// To, Cc and Bcc headers (or the Resent-* ones when present).
	To []string
	// KeepBcc sends the Bcc header as it is. By default it is removed from
	// the bytes that go on the wire while its addresses still receive the
	// message.
	KeepBcc bool
}

// SendResult reports what the submission server accepted.
type SendResult struct {
	// Accepted lists the recipients the server accepted.
	Accepted []string `json:"accepted"`
	// Rejected lists the recipients the server refused, with its reasons.
	// A send with some accepted and some rejected recipients succeeds:
	// check Rejected.
	Rejected []RecipientError `json:"rejected,omitempty"`
}

// RecipientError is the refusal of one recipient. It is an error: its
// text names the address and the server's reason, and errors.Is and
// errors.As see through it to Err (for SMTP an *smtp.Error, so that
// errors.Is(rej, email.ErrNotFound) tells an unknown mailbox).
type RecipientError struct {
	// Address is the refused recipient.
	Address string `json:"address"`
	// Err is the backend's error for this recipient; nil after decoding
	// from JSON, where only Reason survives.
	Err error `json:"-"`
	// Reason is Err's text, kept for JSON.
	Reason string `json:"reason"`
}

// Error implements error: "email: recipient <addr> refused: reason".
func (e RecipientError) Error() string {
	reason := e.Reason
	if reason == "" && e.Err != nil {
		reason = e.Err.Error()
	}
	s := "email: recipient <" + e.Address + "> refused"
	if reason != "" {
		s += ": " + reason
	}
	return s
}

// Unwrap returns Err.
func (e RecipientError) Unwrap() error { return e.Err }
