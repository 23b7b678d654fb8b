package client

import "crypto/tls"

// ConnectionState returns the TLS state of the connection and true once it
// is encrypted (implicit TLS, or after STARTTLS), or the zero state and
// false on a clear connection. A caller checks ok, Version and
// PeerCertificates to confirm what it talks to.
func (c *NetConn) ConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok && c.secure {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// ConnectionState returns the TLS state of the IMAP connection and true
// when it is encrypted (imaps://, or imap:// after STARTTLS), so a caller
// can confirm the session is protected; false on a clear connection
// (Options.AllowPlaintext) or once the client is closed. It waits for the
// command in progress, as every call on the client does.
func (ic *IMAPClient) ConnectionState() (tls.ConnectionState, bool) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.conn == nil || ic.closed.Load() {
		return tls.ConnectionState{}, false
	}
	return ic.conn.ConnectionState()
}

// ConnectionState returns the TLS state of the SMTP connection and true
// when it is encrypted (smtps://, or smtp:// after STARTTLS); false on a
// clear connection or once the client is closed. It waits for the command
// in progress.
func (sc *SMTPClient) ConnectionState() (tls.ConnectionState, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.conn == nil || sc.closed {
		return tls.ConnectionState{}, false
	}
	return sc.conn.ConnectionState()
}
