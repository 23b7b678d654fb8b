// Package jmap is the I/O-free JMAP backend (RFC 8620 JMAP Core, RFC 8621
// JMAP Mail, and the Submission part of RFC 8621 section 7).
//
// Every operation is a step machine that asks for HTTP exchanges, not for
// socket reads and writes:
//
//	Machine[R] = coroutine.Machine[jmap.Response, jmap.Request, R]
//
// The machine returns a Request (method, absolute URL, headers, body); the
// driver performs it and resumes the machine with the Response (status,
// headers, body, or a transport error in Err). This is the same shape as
// coroutine.NetMachine one level up: a NetMachine asks for bytes, a JMAP
// machine asks for whole exchanges. The blocking client (package client)
// performs exchanges with net/http, which brings connection reuse, HTTP/2
// and proxies; OverNet lowers a JMAP machine to the network vocabulary
// (HTTP/1.1 framing over one connection) for callers that own raw sockets,
// and for byte-exact replay of recorded transcripts.
//
// Redirects are followed by the machines themselves (see Fetch), so that
// both drivers behave the same: the driver must hand 3xx responses back
// as they are.
//
// Identifiers: callers name mailboxes as on every backend, a "/"-separated
// path with the inbox spelled "INBOX" (ListMailboxes, CreateMailbox and
// DiffMailboxes speak names); the other operation machines take the
// server's mailbox id, which ResolveMailbox gives for a name from a
// snapshot of the mailbox tree the Session keeps (package client resolves
// names for every shared call). A message id is the account-wide JMAP
// Email id, which stays the same when the message is copied or moved
// between mailboxes.
package jmap
