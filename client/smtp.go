package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

// SMTPClient is a connected SMTP submission backend: one connection and
// the session of the smtp step machines. It implements Sender. It is safe
// for concurrent use: its methods may be called from several goroutines,
// and run one at a time.
//
// A call cut off in the middle of an exchange (its context ended) or
// failed on I/O, on a protocol error or on a 421 reply leaves the
// connection unusable: it is closed, and the next call dials again as
// Options.Reconnect says (every call fails with an error matching
// ErrConnBroken when reconnecting is disabled or every attempt failed).
// A send is repeated only when the break came before the message data
// went out; see SendMessage. After Close, calls fail with ErrClosed.
type SMTPClient struct {
	mu     sync.Mutex
	conn   *NetConn
	s      *smtp.Session
	closed atomic.Bool
	// broken says why the connection became unusable (ErrConnBroken),
	// cause what broke it, until a redial replaces the connection.
	broken error
	cause  error
	// cutMu guards the replacement of conn against Close cutting it off.
	cutMu sync.Mutex

	// What dialing again needs (see ReconnectPolicy).
	addr     string
	implicit bool
	opts     Options
	log      *slog.Logger
}

// ConnectSMTP connects to the submission server at rawURL as DialSMTP
// does and registers it as the SMTP sending backend (JMAP, when
// registered, still comes first), closing the one registered before.
func (c *Client) ConnectSMTP(ctx context.Context, rawURL string, opts *Options) error {
	sc, err := DialSMTP(ctx, rawURL, opts)
	if err != nil {
		return err
	}
	if old, ok := c.senders[sendSMTP].(*SMTPClient); ok {
		old.Close()
	}
	c.senders[sendSMTP] = sc
	c.closers = append(c.closers, sc)
	return nil
}

// SMTP returns the registered SMTP backend, or nil.
func (c *Client) SMTP() *SMTPClient {
	sc, _ := c.senders[sendSMTP].(*SMTPClient)
	return sc
}

// DialSMTP connects to the submission server at rawURL, says EHLO and
// authenticates with opts.Auth when set.
//
// The URL is smtps://host[:port] for implicit TLS (RFC 8314, default port
// 465) or smtp://host[:port] for a clear connection upgraded with STARTTLS
// (default port 587). STARTTLS is required unless opts.AllowPlaintext is
// set: a server that does not offer it is an error matching
// email.ErrInsecure, since an attacker may have removed it; authenticating
// over a clear link needs opts.AllowPlaintext too. opts.SMTP sets the
// EHLO domain and the session limits.
//
// ctx bounds the whole connection phase and is not kept: each later call
// is bounded by its own context. Errors are *email.OpError values with Op
// "connect".
func DialSMTP(ctx context.Context, rawURL string, opts *Options) (*SMTPClient, error) {
	addr, implicit, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, &email.OpError{Backend: "smtp", Op: "connect", Err: err}
	}
	o := opts.get()
	sc := &SMTPClient{addr: addr, implicit: implicit, opts: o, log: o.logger()}
	if err := sc.connect(ctx); err != nil {
		return nil, &email.OpError{Backend: "smtp", Op: "connect", Err: err}
	}
	return sc, nil
}

// connect dials sc.addr and sets the session up with sc.opts, replacing
// sc's connection and session.
func (sc *SMTPClient) connect(ctx context.Context) error {
	conn, err := Dial(ctx, sc.addr, &sc.opts, sc.implicit)
	if err != nil {
		sc.log.Warn("smtp: dial failed", "addr", sc.addr, "err", err)
		return err
	}
	conn.trace = newWireTrace(&sc.opts, "smtp")
	cfg := sc.opts.SMTP
	if cfg.Domain == "" {
		cfg.Domain = defaultDomain(conn.conn.LocalAddr())
	}
	s := smtp.NewSession(cfg, conn.Secure())
	co := smtp.ConnectOptions{AllowPlaintext: sc.opts.AllowPlaintext}
	if a := sc.opts.Auth; a != nil {
		co.Auth, err = a.saslClient(ctx, func(mech string) bool { return s.Extensions().HasAuth(mech) })
		if err != nil {
			conn.Close()
			return err
		}
	}
	sc.cutMu.Lock()
	if sc.closed.Load() {
		sc.cutMu.Unlock()
		conn.Close() // Close was called during a redial
		return ErrClosed
	}
	sc.conn, sc.s = conn, s
	sc.cutMu.Unlock()
	if _, err := run(ctx, sc, s.Connect(co)); err != nil {
		conn.Close()
		err = sc.opts.Auth.scrub(err, sentToken(co.Auth))
		sc.log.Warn("smtp: setting the session up failed", "addr", sc.addr, "err", err)
		return err
	}
	sc.log.Info("smtp: connected", "addr", sc.addr, "secure", conn.Secure())
	return nil
}

func parseSMTPURL(rawURL string) (addr string, implicit bool, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", false, fmt.Errorf("invalid URL: %w", email.ErrInvalidArgument)
	}
	port := ""
	switch strings.ToLower(u.Scheme) {
	case "smtps":
		implicit, port = true, "465"
	case "smtp":
		port = "587"
	default:
		return "", false, fmt.Errorf("unsupported scheme %q (want smtp or smtps): %w", u.Scheme, email.ErrInvalidArgument)
	}
	if u.Hostname() == "" {
		return "", false, fmt.Errorf("URL has no host: %w", email.ErrInvalidArgument)
	}
	if p := u.Port(); p != "" {
		port = p
	}
	return net.JoinHostPort(u.Hostname(), port), implicit, nil
}

// defaultDomain returns the EHLO argument: the host name when it is fully
// qualified, else the address literal of the local end of the connection
// (RFC 5321 section 4.1.4), else "localhost".
func defaultDomain(local net.Addr) string {
	h, err := os.Hostname()
	ok := err == nil && strings.Contains(strings.Trim(h, "."), ".")
	for i := 0; ok && i < len(h); i++ {
		c := h[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
	}
	if ok {
		return strings.TrimSuffix(h, ".")
	}
	if ta, isTCP := local.(*net.TCPAddr); isTCP && ta.IP != nil {
		if ip4 := ta.IP.To4(); ip4 != nil {
			return "[" + ip4.String() + "]"
		}
		return "[IPv6:" + ta.IP.String() + "]"
	}
	return "localhost"
}

// ConnectionState returns the TLS state of the connection, after implicit
// TLS or STARTTLS, and true; false when the link is not encrypted (only
// possible with Options.AllowPlaintext).
func (sc *SMTPClient) ConnectionState() (tls.ConnectionState, bool) {
	return sc.conn.ConnectionState()
}

// Name returns "smtp".
func (sc *SMTPClient) Name() string { return "smtp" }

// Extensions returns what the server advertised after the session was set
// up.
func (sc *SMTPClient) Extensions() smtp.Extensions {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.s.Extensions()
}

// SendMessage submits a raw RFC 5322 message (see smtp.Session.Send): the
// envelope from the headers unless opts overrides it, the Bcc header
// removed unless opts.KeepBcc. Some recipients refused is a success with
// the refusals in the result's Rejected; a refusal of the whole message is
// an error wrapping an *smtp.Error (see its Temporary method).
//
// A connection that broke earlier is dialled again first (see
// ReconnectPolicy). When it breaks during the send before the end of the
// message data went out, the server cannot have taken the message, and
// the send is repeated on a new connection; after that point it fails
// with an error matching ErrOutcomeUnknown and the cause, and is never
// repeated (the message may have gone through). With CHUNKING the message
// follows BDAT without waiting for a reply, so a NOOP checks the link
// first (one round trip), finding a connection that died while idle
// before anything of the message is sent.
func (sc *SMTPClient) SendMessage(ctx context.Context, raw []byte, opts email.SendOptions) (email.SendResult, error) {
	return sc.send(ctx, func(s *smtp.Session) coroutine.NetMachine[email.SendResult] { return s.Send(raw, opts) }, Body{})
}

// send runs the machine mk builds on the session, with body.
func (sc *SMTPClient) send(ctx context.Context, mk func(*smtp.Session) coroutine.NetMachine[email.SendResult], body Body) (email.SendResult, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	opErr := func(err error) error { return &email.OpError{Backend: "smtp", Op: "send_message", Err: err} }
	if err := sc.ready(ctx); err != nil {
		return email.SendResult{}, opErr(err)
	}
	p := sc.opts.reconnectPolicy()
	for repeats := 0; ; repeats++ {
		fresh := repeats > 0
		if !fresh && sc.s.Extensions().Chunking && !sc.opts.SMTP.NoChunking {
			// The message will follow BDAT without waiting for a reply:
			// check first that the link is alive, so that a connection
			// that died while idle is replaced before anything is sent.
			if _, err := run(ctx, sc, sc.s.Noop()); err != nil {
				if sc.broken == nil || ctxEnded(ctx) || !retryable(sc.cause) {
					return email.SendResult{}, opErr(err)
				}
				if rerr := sc.redial(ctx); rerr != nil {
					return email.SendResult{}, opErr(rerr)
				}
			}
		}
		c := &committing[email.SendResult]{m: mk(sc.s)}
		res, err := runBody(ctx, sc, c, body)
		switch {
		case err == nil:
			return res, nil
		case sc.broken == nil || sc.closed.Load():
			return res, opErr(err)
		case c.committed:
			return res, opErr(outcomeUnknown(err))
		case body.Source != nil:
			// A stream cannot be read twice: its header block may
			// already be consumed.
			return res, opErr(err)
		case ctxEnded(ctx) || !retryable(sc.cause) || repeats >= p.Attempts():
			return res, opErr(err)
		}
		if repeats > 0 {
			if perr := p.pause(ctx, repeats, nil); perr != nil {
				return res, opErr(err)
			}
		}
		sc.log.Info("smtp: sending again after the connection broke before the message data", "addr", sc.addr, "err", err)
		if rerr := sc.redial(ctx); rerr != nil {
			return res, opErr(rerr)
		}
	}
}

// ready dials again when the connection broke, and returns the error a
// call fails with when the client is closed or the redial failed.
func (sc *SMTPClient) ready(ctx context.Context) error {
	if sc.broken != nil && !sc.closed.Load() && ctx.Err() == nil {
		if err := sc.redial(ctx); err != nil {
			return err
		}
	}
	return sc.unusable()
}

// SendMessageReader submits the raw RFC 5322 message read from r, as
// SendMessage does, without holding it (see smtp.Session.SendStream): the
// header block is read first for the envelope and Bcc, then the message is
// streamed through DATA (dot-stuffed on the fly) or BDAT chunks. size is
// the message's size when known (for MAIL FROM's SIZE), else -1. An error
// of r after the data has started breaks the connection, as any
// interrupted DATA does.
func (sc *SMTPClient) SendMessageReader(ctx context.Context, r io.Reader, size int64, opts email.SendOptions) (email.SendResult, error) {
	return sc.send(ctx, func(s *smtp.Session) coroutine.NetMachine[email.SendResult] { return s.SendStream(opts, size) }, Body{Source: r})
}

// Noop checks that the connection is alive.
func (sc *SMTPClient) Noop(ctx context.Context) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if err := sc.ready(ctx); err != nil {
		return &email.OpError{Backend: "smtp", Op: "noop", Err: err}
	}
	if _, err := run(ctx, sc, sc.s.Noop()); err != nil {
		return &email.OpError{Backend: "smtp", Op: "noop", Err: err}
	}
	return nil
}

// Close says QUIT (waiting at most 5 seconds for the reply) and closes
// the connection. A call in flight is cut off at once and fails with
// ErrClosed, as does every later call.
func (sc *SMTPClient) Close() error {
	if !sc.mu.TryLock() {
		// A call holds the connection: close it under the call's feet.
		if sc.closed.Swap(true) {
			return nil
		}
		sc.cutMu.Lock() // not while a redial replaces the connection
		defer sc.cutMu.Unlock()
		return sc.conn.Close()
	}
	defer sc.mu.Unlock()
	if sc.closed.Load() {
		return nil
	}
	if sc.broken == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		run(ctx, sc, sc.s.Quit())
	}
	sc.closed.Store(true)
	if err := sc.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// unusable returns the error calls fail with after Close or once the
// connection broke, or nil.
func (sc *SMTPClient) unusable() error {
	if sc.closed.Load() {
		return ErrClosed
	}
	return sc.broken
}

// run drives m on the connection. When the run leaves the session
// unusable (an I/O or protocol error, a cancelled context in the middle of
// an exchange), the connection is closed and later calls fail with
// ErrConnBroken.
func run[R any](ctx context.Context, sc *SMTPClient, m coroutine.NetMachine[R]) (R, error) {
	return runBody(ctx, sc, m, Body{})
}

// runBody is run for an operation with a body stream.
func runBody[R any](ctx context.Context, sc *SMTPClient, m coroutine.NetMachine[R], body Body) (R, error) {
	t := &tracked[R]{m: m}
	ios := sc.conn.ios
	out, err := RunNetBody(ctx, sc.conn, t, nil, body)
	if err != nil && sc.closed.Load() {
		return out, ErrClosed // Close cut the call off
	}
	// Even a first write that failed may have left the stream unusable
	// (a TLS connection whose write timed out).
	if sc.broken == nil && (!t.done && sc.conn.ios != ios || sc.s.Err() != nil) {
		cause := sc.s.Err()
		if cause == nil {
			cause = fmt.Errorf("interrupted: %w", err)
		}
		sc.broken, sc.cause = fmt.Errorf("%w (%v)", ErrConnBroken, cause), cause
		sc.conn.Close()
		sc.log.Warn("smtp: connection broken", "addr", sc.addr, "err", cause)
	}
	return out, err
}
