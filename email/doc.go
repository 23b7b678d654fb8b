// Package email holds the types every backend shares: mailboxes, envelopes,
// addresses, flags, flag operations, the incremental-sync diffs, watch events
// and the errors operations return.
//
// The package is deliberately the least common denominator of IMAP, JMAP,
// Maildir, m2dir and SMTP: a value built by one backend means the same thing
// when it comes from another. Identifiers are opaque strings; each backend
// documents what its identifiers are and how they round-trip.
//
// Nothing here performs I/O.
package email
