// Package smtp is an I/O-free SMTP submission client (RFC 5321, RFC 6409):
// step machines for the session (greeting, EHLO with HELO fallback,
// STARTTLS, AUTH, RSET, QUIT) and for sending a message with PIPELINING
// (RFC 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and
// CHUNKING (RFC 3030).
//
// A Session holds what lives as long as one connection: the reply parser
// with any bytes read ahead, the extensions the server advertised, and
// whether the link is encrypted and authenticated. Each operation is a
// coroutine.NetMachine built from the Session; the caller drives it with
// the network requests it yields (write, read, start TLS) and then reads its
// result. The package never touches a socket: client.ConnectSMTP drives
// these machines on a real connection, and tests replay recorded
// transcripts against them.
//
// A message costs at most two round trips once the session is up: with
// PIPELINING, MAIL FROM, every RCPT TO and DATA go in one write, then the
// message; with CHUNKING, MAIL FROM, RCPT TO and a single BDAT LAST with the
// message go in one write, one round trip in all.
//
// Errors are typed: a refusal by the server is an *Error carrying the reply
// code and the enhanced status code (RFC 3463), and says with Temporary
// whether a retry may succeed; a peer breaking the protocol gives an error
// matching email.ErrProtocol; limits give errors matching email.ErrTooLarge.
//
// # Choices where the RFCs leave room
//
//   - The envelope sender is the Sender header, else From; recipients are
//     To, Cc and Bcc in that order, de-duplicated (domain compared without
//     case, local part exactly). When any Resent-* field is present, only the
//     newest Resent-Sender/From and Resent-To/Cc/Bcc are used (a resend is
//     not also sent to the original recipients).
//   - Bcc and Resent-Bcc fields are removed from the wire bytes, folded
//     lines included; nothing else in the message changes except line
//     endings (bare CR and LF become CRLF) and dot-stuffing.
//   - A UTF-8 address needs SMTPUTF8 (an error otherwise); a UTF-8 header
//     with an ASCII envelope adds SMTPUTF8 when offered and is still sent,
//     with BODY=8BITMIME, when not. 8-bit data without 8BITMIME is an error
//     (no downgrade to quoted-printable).
//   - With CHUNKING the message goes as one BDAT LAST chunk pipelined with
//     MAIL and RCPT, even before the recipients are known to be accepted:
//     one round trip, at the cost of sending the data for nothing when every
//     recipient is refused.
//   - Bytes that follow the replies an exchange expects are a protocol
//     error (they can only be a broken or hostile server, or an injection
//     after STARTTLS); so are a reply whose class does not fit the command
//     (354 to MAIL, 250 to DATA) and a multi-line reply whose code changes.
//   - After a failed transaction (MAIL refused, no recipient accepted,
//     DATA or BDAT refused) the client sends RSET so that the session can
//     carry the next message; a 421 reply, an I/O error or a protocol error
//     breaks the session instead.
package smtp
