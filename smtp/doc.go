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
package smtp
