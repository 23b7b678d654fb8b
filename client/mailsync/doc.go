// Package mailsync makes two mail stores equal, both ways: any two
// client.Storage (IMAP with Maildir, JMAP with Maildir, IMAP with IMAP,
// Maildir with m2dir).
//
// The rules are written here as the engine applies them; see the package
// documentation of the finished engine.
package mailsync
