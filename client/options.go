package client

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/smtp"
)

// Options configures how DialIMAP, DialSMTP and DialJMAP (and the Connect
// methods of Client that call them) reach and authenticate to a server.
// One Options value may be shared by the three: each backend reads the
// fields that concern it and ignores the others. A nil *Options is the
// zero Options.
//
// The zero Options is the secure choice: certificates are verified against
// the host of the URL, a plain-text scheme must be upgraded with STARTTLS,
// credentials never go over an unencrypted link, and nothing is logged.
//
// The dial functions copy what they need: changing an Options after a dial
// does not change the client it made.
type Options struct {
	// TLSConfig is the TLS configuration for implicit TLS, STARTTLS and
	// https (for example RootCAs for a private certificate authority, or
	// client certificates for SASL EXTERNAL); nil means a default one
	// (TLS 1.2 or later, system roots). Its ServerName is filled from the
	// URL when empty. The dial functions clone it.
	TLSConfig *tls.Config
	// AllowPlaintext allows a plain-text scheme (imap://, smtp://, http://)
	// to stay unencrypted when the server does not offer STARTTLS, and
	// allows credentials over such a link. STARTTLS is still used when
	// offered. Only for loopback tests and trusted networks: without it a
	// missing STARTTLS, or credentials on a clear link, fail with an error
	// matching email.ErrInsecure. (JMAP over http:// to a loopback address
	// is allowed without it.)
	AllowPlaintext bool

	// Auth is how the client authenticates (Password, OAuth2, SASL or
	// Bearer); nil means not at all. An IMAP server that does not greet
	// with PREAUTH needs authentication: DialIMAP with a nil Auth fails
	// there with ErrAuthRequired unless Unauthenticated is set. SMTP and
	// JMAP servers tell by refusing commands later. Credentials the server
	// refuses fail the dial with an error matching email.ErrAuthFailed, on
	// every backend.
	Auth *Auth
	// Unauthenticated lets DialIMAP return a session that is connected but
	// not authenticated when Auth is nil and the server did not greet with
	// PREAUTH (for a caller that authenticates itself through Session).
	Unauthenticated bool

	// Dialer opens the network connection for IMAP and SMTP, and for the
	// default JMAP transport (proxies, tests, a custom resolver); nil
	// means a net.Dialer. network is "tcp", addr is "host:port". TLS, when
	// the scheme asks for it, is layered on the returned connection.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// HTTPClient is the JMAP client's HTTP client (its transport, proxy
	// and timeouts); nil means a clone of http.DefaultTransport using
	// TLSConfig and Dialer. When set, TLSConfig and Dialer are not applied
	// to it. The JMAP client copies it and replaces CheckRedirect: the
	// JMAP machines follow redirects themselves.
	HTTPClient *http.Client

	// IMAPLimits bounds what an IMAP server may send (line, literal and
	// response sizes); zero fields mean the defaults of package imap.
	IMAPLimits imap.Limits
	// MaxMessageSize bounds one message that GetMessage, GetMessages and
	// AddMessage move, in bytes; a larger one fails with email.ErrTooLarge and
	// the connection stays usable. 0 means DefaultMaxMessageSize; -1 means no
	// limit.
	MaxMessageSize int64
	// IMAPID, when non-nil, is sent in the ID command (RFC 2971) if the
	// server offers it; the server's answer is in IMAPClient.Open.
	IMAPID map[string]string
	// SMTP is the SMTP session configuration: the EHLO domain (empty means
	// the host name of the machine when it is fully qualified, else the
	// address literal of the local end, RFC 5321 section 4.1.4), reply
	// limits, and switching PIPELINING or CHUNKING off.
	SMTP smtp.Config
	// WatchInterval is the polling interval of JMAPClient.WatchMailbox
	// when the server has no push; zero means jmap.DefaultPollInterval
	// (5 s).
	WatchInterval time.Duration

	// Reconnect is the reconnect policy of the IMAP, SMTP and JMAP
	// clients; nil means DefaultReconnect. See ReconnectPolicy.
	Reconnect *ReconnectPolicy

	// Logger receives the clients' log records (connections, failures,
	// and, with Trace, the wire); nil means no logging. No record holds a
	// password or a token.
	Logger *slog.Logger
	// Trace logs every write and read on the wire at slog.LevelDebug
	// (IMAP and SMTP lines, JMAP HTTP requests and responses, each record
	// cut to 2 KiB), with credentials replaced by "<redacted>": the
	// arguments of LOGIN, AUTHENTICATE and AUTH and the SASL exchange that
	// follows them, and HTTP Authorization headers.
	Trace bool
}

// DefaultMaxMessageSize is the message size limit when
// Options.MaxMessageSize is 0: 1 GiB.
const DefaultMaxMessageSize = 1 << 30

// get returns o, or the zero Options when o is nil.
func (o *Options) get() Options {
	if o == nil {
		return Options{}
	}
	return *o
}

// tlsConfig returns a clone of TLSConfig (or a default one) naming host.
func (o *Options) tlsConfig(host string) *tls.Config {
	var cfg *tls.Config
	if o.TLSConfig != nil {
		cfg = o.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

// dial opens the network connection with Dialer or a net.Dialer.
func (o *Options) dial(ctx context.Context, addr string) (net.Conn, error) {
	if o.Dialer != nil {
		return o.Dialer(ctx, "tcp", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// logger returns Logger, or one that discards everything.
func (o *Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}
