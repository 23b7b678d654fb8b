// Package imap is the I/O-free IMAP client: a session (greeting,
// capabilities, STARTTLS, SASL authentication, ENABLE, ID) and one step
// machine per shared operation, all speaking the network vocabulary of
// package coroutine. The wire codec (framing, parsing, encoding, modified
// UTF-7) lives in imap/internal/wire.
//
// # Sessions
//
// A *Session holds what outlives one command: unparsed bytes, the tag
// counter, the capabilities, the selected mailbox. Build one per
// connection with NewSession, run Open on it, then run operations one at a
// time:
//
//	s := imap.NewSession(true, imap.Limits{}) // true: implicit TLS
//	_, err := coroutine.Run(imap.Open(s, imap.OpenOptions{Auth: sasl.NewPlainClient("", user, pass)}), do)
//	boxes, err := coroutine.Run(imap.ListMailboxes(s, email.ListMailboxesOptions{}), do)
//
// package client does exactly this over a net.Conn (client.ConnectIMAP).
//
// # Mailbox names and message ids
//
// Mailbox names are UTF-8 with "/" between levels; they are encoded in
// modified UTF-7 (RFC 3501 section 5.1.3), or as UTF-8 once UTF8=ACCEPT is
// enabled (RFC 6855), and "/" is mapped to the server's delimiter once a
// LIST has revealed it. "INBOX" is case-insensitive.
//
// Message ids are UIDs in decimal. A UID only names a message within one
// mailbox while its UIDVALIDITY holds (RFC 3501 section 2.3.1.1); the
// session remembers the UIDVALIDITY of each mailbox it selected and
// refuses ids with an error matching email.ErrInvalidID once it changed.
//
// # Capabilities and fallbacks
//
// Operations use extensions when the server offers them and fall back
// otherwise: SORT (else SEARCH-free local sorting on the Date header),
// LIST-STATUS (else STATUS pipelined in one round trip), MOVE (else COPY,
// STORE \Deleted, UID EXPUNGE), UIDPLUS (UID EXPUNGE and APPENDUID/COPYUID;
// without it a deletion is refused when other messages carry \Deleted,
// because plain EXPUNGE would remove them), LITERAL+/LITERAL-
// (else synchronising literals).
//
// # Changes
//
// DiffEnvelopes reports the changes of a mailbox since an opaque state
// (QRESYNC, else CONDSTORE, else a UID and flags snapshot), DiffMailboxes
// those of the mailbox list (STATUS values per mailbox), and WatchMailbox
// yields events as they happen (IDLE). The runner they share handles IDLE's continuation, DONE
// on data or on a read timeout, and VANISHED and MODSEQ data.
//
// # Errors
//
// Errors match the email sentinels with errors.Is: NO and BAD answers are
// *CommandError (NONEXISTENT → email.ErrNotFound, ALREADYEXISTS →
// email.ErrExists, BAD → email.ErrProtocol); an unexpected BYE is a
// *ByeError; a server that breaks the protocol gives a *ProtocolError or
// a syntax error matching email.ErrProtocol; a response above the limits
// matches email.ErrTooLarge. Operation errors are wrapped in
// *email.OpError. Credentials never appear in errors.
package imap
