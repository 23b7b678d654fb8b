// Package compose builds Internet messages (RFC 5322, MIME RFC 2045-2049)
// on top of go-message: a text and an HTML alternative, attachments
// streamed from io.Readers, the reply and forward headers, Date and
// Message-ID.
//
// It writes nothing by hand that go-message does: header folding, RFC 2047
// encoded words for non-ASCII names and subjects, RFC 2231 file names,
// quoted-printable and base64 bodies and the multipart framing are all
// go-message's. What this package adds is the shape of a message and the
// rules for replies and forwards.
//
// # Determinism
//
// Like the step machines of this module, the package reads no clock and
// draws no randomness of its own: Options carries the clock (for a Date
// the Message leaves zero) and the entropy (for the Message-ID and the
// multipart boundaries). The same Message and the same Options always give
// the same bytes, which is what the examples rely on. A program passes
// time.Now and crypto/rand.Reader:
//
//	err := compose.Write(w, msg, compose.Options{Clock: time.Now, Entropy: rand.Reader})
//
// (go-message's multipart writer draws a boundary from crypto/rand when it
// is created; Write always replaces it with one from Options.Entropy, so
// that draw never shows in the output.)
//
// # Bcc
//
// Message has a Bcc field, but Write never writes a Bcc header field: who
// receives a blind copy is a matter of the envelope (RFC 5321 RCPT TO), not
// of the message every recipient sees (RFC 5322 section 3.6.3 allows
// either). Send the written bytes with email.SendOptions{To:
// msg.Recipients()} so that the Bcc addresses are in the envelope. (Both
// senders of this module also remove a Bcc field they find, unless
// SendOptions.KeepBcc is set.)
//
// # Replies and forwards
//
// Reply and ReplyAll answer a Parent (the fields read from the original's
// header by ReadParent): In-Reply-To is the parent's Message-ID and
// References extends the parent's chain (RFC 5322 section 3.6.4); the
// subject gets one "Re: " prefix, never a second one. Forward attaches the
// original message whole, as a message/rfc822 part (RFC 2046 section
// 5.2.1), rather than quoting it inline: its header, MIME structure and
// any signature reach the recipient unchanged, and every mail reader shows
// it. The subject gets one "Fwd: " prefix.
package compose
