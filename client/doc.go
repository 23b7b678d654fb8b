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
package client
