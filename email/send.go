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

// RecipientError is the refusal of one recipient.
type RecipientError struct {
	Address string `json:"address"`
	Err     error  `json:"-"`
	// Reason is Err's text, kept for JSON.
	Reason string `json:"reason"`
}
