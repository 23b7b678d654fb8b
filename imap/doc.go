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
// # Current views
//
// A mailbox already selected is brought up to date before an operation
// that depends on its contents, so a message another client delivered a
// moment ago is found: NOOP first (its EXISTS, EXPUNGE and VANISHED update
// the session), then the operation. Listings, searches and snapshots
// always send it (one round trip, cheaper than SELECT); operations on
// given UIDs (GetMessage, StoreFlags, CopyMessages, MoveMessages,
// DeleteMessages) only when a UID is at or above the UIDNEXT of the
// SELECT, since every lower UID was in the view from the start. The NOOP
// is never pipelined with the command after it: Dovecot answers such a
// pipelined UID FETCH from the view before the NOOP.
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
// *CommandError, named after the command as sent (NONEXISTENT →
// email.ErrNotFound, ALREADYEXISTS → email.ErrExists, BAD →
// email.ErrProtocol); an unexpected BYE is a *ByeError; a server that
// breaks the protocol gives a *ProtocolError or a syntax error matching
// email.ErrProtocol; a response above the limits (Limits; 8 MiB a line by
// default) matches email.ErrTooLarge. Operation errors are wrapped in
// *email.OpError.
//
// Broken data is never passed off as empty. An untagged response that does
// not parse and carries state the command depends on (EXISTS, EXPUNGE,
// VANISHED, FETCH, SEARCH, ESEARCH, SORT, UIDVALIDITY, UIDNEXT,
// HIGHESTMODSEQ) fails the command with an *UntaggedError once its tagged
// status is in, so the connection stays in step; other broken untagged
// responses are skipped. A FETCH answer without its UID, or whose FLAGS,
// RFC822.SIZE or envelope (the ENVELOPE, when the raw header fields that
// take precedence over it are missing) does not parse, fails the
// operation with a *FetchError naming the message and the item: an
// envelope is never returned with made-up empty fields. Both match
// email.ErrProtocol.
//
// Open refuses a server that lists neither IMAP4rev1 nor IMAP4rev2 before
// any credential is sent, answers an AUTHENTICATE challenge that is not
// base64 with "*" (the initial response of PLAIN is never sent to it),
// and removes the credentials it sent, in every form, from the text of a
// NO, BAD or BYE that echoes them.
package imap
