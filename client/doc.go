// Package client is the blocking face of the library: it owns real sockets
// and files, drives the I/O-free step machines of the backend packages, and
// dispatches each shared operation to the registered backend of highest
// priority.
//
// Storage operations go to the first registered backend in the order
// Maildir, m2dir, JMAP, IMAP; sending goes to JMAP, then SMTP. When that
// backend does not implement an operation, the call fails with an error
// matching email.ErrUnsupported rather than silently using another backend
// (whose ids would mean something else); when no backend is registered it
// fails with email.ErrNoBackend. Each backend is also reachable directly
// (Maildir, IMAP, ...) to address a specific one.
//
// Every method takes a context.Context; cancelling it ends the call
// promptly.
//
// # Connecting
//
// The network backends are dialed the same way, with one Options value
// that may be shared by all three:
//
//	opts := &client.Options{Auth: client.Password("alice", pass)}
//	ic, err := client.DialIMAP(ctx, "imaps://mail.example.com", opts)
//	sc, err := client.DialSMTP(ctx, "smtps://mail.example.com", opts)
//	jc, err := client.DialJMAP(ctx, "https://mail.example.com", opts)
//
// or registered in a Client with ConnectIMAP, ConnectSMTP and ConnectJMAP.
// Options carries the TLS configuration (verified by default; plain text
// only with AllowPlaintext), the authentication (Auth: Password, OAuth2
// with a refreshing TokenSource, Bearer, or any SASL mechanism), a Dialer
// for proxies and tests, the IMAP limits, the SMTP session configuration,
// the JMAP watch interval, the reconnect policy, and a *slog.Logger with
// an optional wire trace in which credentials are redacted. The context
// given to a Dial function bounds the connection phase only; each later
// call is bounded by its own context.
//
// # Concurrency and errors
//
// IMAPClient, SMTPClient and JMAPClient are safe for concurrent use;
// IMAP and SMTP run one call at a time on their connection, JMAP runs its
// HTTP exchanges in parallel. A call whose context ends while a command is
// in flight returns the context's error and leaves an IMAP or SMTP
// connection out of step: it is closed, and every later call fails with an
// error matching ErrConnBroken. After Close, calls fail with ErrClosed
// (which matches net.ErrClosed). DialIMAP without Options.Auth against a
// server that needs it fails with ErrAuthRequired. Errors of operations
// are *email.OpError values naming the backend and the operation.
package client
