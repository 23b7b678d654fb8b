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

	goimap "github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// IMAPClient runs the step machines of package imap on one connection. It
// implements Storage, EnvelopeDiffer, MailboxDiffer and Watcher.
//
// An IMAPClient is safe for concurrent use: its methods may be called from
// several goroutines, and run one at a time (IMAP is one command stream;
// a WatchMailbox holds the connection until it returns).
//
// When the connection breaks, the client dials again as Options.Reconnect
// says, and repeats the call in flight only when that is safe: see
// ReconnectPolicy.
//
// Message ids are IMAP UIDs in decimal ("42"), valid within the mailbox
// they were listed from while its UIDVALIDITY stays the same; see package
// imap.
type IMAPClient struct {
	mu   sync.Mutex
	conn *NetConn
	s    *imap.Session
	// Open is the result of opening the session (greeting, server ID).
	Open imap.OpenResult

	// closed is set by Close; broken, under mu, says why the stream is
	// out of step (ErrConnBroken) until a redial replaces the connection.
	closed atomic.Bool
	broken error
	// closeCtx ends when Close is called (it stops a redial); cutMu
	// guards the replacement of conn against Close cutting it off.
	closeCtx   context.Context
	closeNow   context.CancelFunc
	cutMu      sync.Mutex
	checkpoint func() // tests: called at each watch checkpoint

	// What dialing again needs (see ReconnectPolicy).
	addr     string
	implicit bool
	opts     Options
	log      *slog.Logger
}

// ConnectIMAP connects to the IMAP server of rawURL as DialIMAP does and
// registers the connection as the IMAP storage backend (the lowest storage
// priority), closing the one registered before.
func (c *Client) ConnectIMAP(ctx context.Context, rawURL string, opts *Options) error {
	ic, err := DialIMAP(ctx, rawURL, opts)
	if err != nil {
		return err
	}
	if old, ok := c.storage[slotIMAP].(*IMAPClient); ok {
		old.Close()
	}
	c.storage[slotIMAP] = ic
	c.closers = append(c.closers, ic)
	return nil
}

// IMAP returns the registered IMAP client, or nil.
func (c *Client) IMAP() *IMAPClient {
	ic, _ := c.storage[slotIMAP].(*IMAPClient)
	return ic
}

// DialIMAP connects to the IMAP server of rawURL, opens a session and
// authenticates with opts.Auth.
//
// "imaps://host[:port]" uses implicit TLS (port 993 by default);
// "imap://host[:port]" (port 143) requires STARTTLS unless
// opts.AllowPlaintext is set, in which case STARTTLS is still used when
// offered. Credentials are never sent on an unencrypted link unless
// opts.AllowPlaintext is set (email.ErrInsecure). A server that does not
// greet with PREAUTH needs authentication: with a nil opts.Auth the dial
// fails with ErrAuthRequired, unless opts.Unauthenticated is set.
//
// ctx bounds the whole connection phase (dial, TLS handshake, greeting,
// STARTTLS, authentication) and is not kept: each later call is bounded
// by its own context. Errors are *email.OpError values with Op "connect".
func DialIMAP(ctx context.Context, rawURL string, opts *Options) (*IMAPClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, imapConnectErr(fmt.Errorf("%w: %v", email.ErrInvalidArgument, err))
	}
	var implicit bool
	port := u.Port()
	switch u.Scheme {
	case "imaps":
		implicit = true
		if port == "" {
			port = "993"
		}
	case "imap":
		if port == "" {
			port = "143"
		}
	default:
		return nil, imapConnectErr(fmt.Errorf("%w: unsupported scheme %q", email.ErrInvalidArgument, u.Scheme))
	}
	if u.Hostname() == "" {
		return nil, imapConnectErr(fmt.Errorf("%w: no host in URL", email.ErrInvalidArgument))
	}
	o := opts.get()
	ic := &IMAPClient{addr: net.JoinHostPort(u.Hostname(), port), implicit: implicit, opts: o, log: o.logger()}
	ic.closeCtx, ic.closeNow = context.WithCancel(context.Background())
	if err := ic.connect(ctx); err != nil {
		ic.closeNow()
		return nil, err
	}
	return ic, nil
}

// connect dials ic.addr and opens a session on it with ic.opts, replacing
// ic's connection and session.
func (ic *IMAPClient) connect(ctx context.Context) error {
	conn, err := Dial(ctx, ic.addr, &ic.opts, ic.implicit)
	if err != nil {
		ic.log.Warn("imap: dial failed", "addr", ic.addr, "err", err)
		return imapConnectErr(err)
	}
	conn.trace = newWireTrace(&ic.opts, "imap")
	s := imap.NewSession(ic.implicit, ic.opts.IMAPLimits)
	oo := imap.OpenOptions{AllowInsecureAuth: ic.opts.AllowPlaintext, ID: ic.opts.IMAPID}
	if !ic.implicit {
		oo.StartTLS = imap.StartTLSRequired
		if ic.opts.AllowPlaintext {
			oo.StartTLS = imap.StartTLSIfOffered
		}
	}
	if a := ic.opts.Auth; a != nil {
		oo.Auth, err = a.saslClient(ctx, func(mech string) bool {
			for _, c := range s.Capabilities() {
				if strings.EqualFold(c, string(goimap.AuthCap(mech))) {
					return true
				}
			}
			return false
		})
		if err != nil {
			conn.Close()
			return imapConnectErr(err)
		}
	}
	res, err := RunNet(ctx, conn, imap.Open(s, oo), nil)
	if err == nil && !res.PreAuth && oo.Auth == nil && !ic.opts.Unauthenticated {
		err = ErrAuthRequired
		ctx, cancel := context.WithTimeout(context.Background(), logoutWait)
		RunNet(ctx, conn, imap.Logout(s), nil)
		cancel()
	}
	if err != nil {
		conn.Close()
		err = ic.opts.Auth.scrub(imapConnectErr(err), sentToken(oo.Auth))
		ic.log.Warn("imap: opening the session failed", "addr", ic.addr, "err", err)
		return err
	}
	ic.cutMu.Lock()
	defer ic.cutMu.Unlock()
	if ic.closed.Load() {
		conn.Close() // Close was called during a redial
		return ErrClosed
	}
	ic.conn, ic.s, ic.Open, ic.broken = conn, s, res, nil
	ic.log.Info("imap: connected", "addr", ic.addr, "secure", conn.Secure(), "preauth", res.PreAuth)
	return nil
}

// imapConnectErr wraps err in an *email.OpError naming the connection
// phase, unless it is one already.
func imapConnectErr(err error) error {
	var oe *email.OpError
	if errors.As(err, &oe) {
		return err
	}
	return &email.OpError{Backend: "imap", Op: "connect", Err: err}
}

// ConnectionState returns the TLS state of the connection, after implicit
// TLS or STARTTLS, and true; false when the link is not encrypted (only
// possible with Options.AllowPlaintext).
func (ic *IMAPClient) ConnectionState() (tls.ConnectionState, bool) {
	return ic.conn.ConnectionState()
}

// Name returns "imap".
func (ic *IMAPClient) Name() string { return "imap" }

// Session returns the session, for running other machines of package imap
// with RunIMAP. A reconnect replaces it (and Open): a machine should use
// the session RunIMAP hands to its build function.
func (ic *IMAPClient) Session() *imap.Session { return ic.s }

// Close logs out (waiting at most two seconds) and closes the connection.
// A call in flight (or a redial) is cut off at once and fails with
// ErrClosed, as does every later call.
func (ic *IMAPClient) Close() error {
	if !ic.mu.TryLock() {
		// A call holds the connection: close it under the call's feet.
		if ic.closed.Swap(true) {
			return nil
		}
		ic.closeNow()
		ic.cutMu.Lock()
		defer ic.cutMu.Unlock()
		return ic.conn.Close()
	}
	defer ic.mu.Unlock()
	if ic.closed.Swap(true) {
		return nil
	}
	ic.closeNow()
	if ic.broken == nil && ic.s.Err() == nil {
		ctx, cancel := context.WithTimeout(context.Background(), logoutWait)
		RunNet(ctx, ic.conn, imap.Logout(ic.s), nil)
		cancel()
	}
	ic.s.Fail(ErrClosed)
	if err := ic.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// RunIMAP runs the machine that build makes on ic's session, one machine
// at a time per client.
//
// A call that returns before its machine finished (its context was
// cancelled or its deadline passed while a command was in flight, or the
// connection failed) leaves the stream out of step: the connection is then
// closed, and the next call dials again as Options.Reconnect says (with
// NoReconnect, or when every attempt fails, it fails with an error
// matching ErrConnBroken). RunIMAP does not repeat the machine itself: it
// cannot know whether that is safe (see RunIMAPRetry). A call whose
// context ends before anything was sent leaves the client usable. After
// Close every call fails with ErrClosed.
func RunIMAP[R any](ctx context.Context, ic *IMAPClient, build func(*imap.Session) coroutine.NetMachine[R]) (R, error) {
	return runIMAP(ctx, ic, runOnce, build)
}

// RunIMAPRetry is RunIMAP for machines that are safe to run twice (reads,
// or changes whose repetition has the effect of one, such as setting a
// flag): when the connection breaks during the call, the client dials
// again (Options.Reconnect), authenticates again, and runs a new machine
// from build on the new session, which selects its mailbox again.
func RunIMAPRetry[R any](ctx context.Context, ic *IMAPClient, build func(*imap.Session) coroutine.NetMachine[R]) (R, error) {
	return runIMAP(ctx, ic, runSafe, build)
}

// runMode says what a call does when the connection breaks under it.
type runMode int

const (
	// runOnce: return the error; the next call redials.
	runOnce runMode = iota
	// runSafe: redial and run the machine again.
	runSafe
	// runUnsafe: the call changes the server; check the connection with
	// NOOP first, and report a break after the command went out as
	// ErrOutcomeUnknown.
	runUnsafe
)

func runIMAP[R any](ctx context.Context, ic *IMAPClient, mode runMode, build func(*imap.Session) coroutine.NetMachine[R]) (R, error) {
	return runIMAPBody(ctx, ic, mode, Body{}, build)
}

// runIMAPBody is runIMAP for an operation with a body stream (GetMessage,
// AddMessage, GetMessages): a runSafe call is not repeated once its sink
// took a byte.
func runIMAPBody[R any](ctx context.Context, ic *IMAPClient, mode runMode, body Body, build func(*imap.Session) coroutine.NetMachine[R]) (R, error) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	var zero R
	if err := ic.s.Err(); err != nil && !ic.closed.Load() {
		ic.markBroken(err) // a watch failed on this session
	}
	if ic.broken != nil && !ic.closed.Load() && ctx.Err() == nil {
		if err := ic.redial(ctx); err != nil && !ic.closed.Load() {
			_, merr := RunNet(ctx, ic.conn, build(ic.s), nil)
			return zero, replaceOpErr(merr, err)
		}
	}
	if err := ic.unusable(); err != nil {
		// The machine fails at once without I/O; it names the operation.
		_, merr := RunNet(ctx, ic.conn, build(ic.s), nil)
		return zero, replaceOpErr(merr, err)
	}
	if err := ctx.Err(); err != nil {
		return zero, err // nothing sent: the connection stays usable
	}
	if mode == runUnsafe {
		// A connection that died while idle (a server restart) is found
		// now, by a command that is safe to repeat, rather than by the
		// change, whose outcome would then be unknown.
		if _, err := runLocked(ctx, ic, runSafe, Body{}, imap.Noop); err != nil {
			var zero R
			var ce *imap.CommandError
			if !errors.As(err, &ce) {
				return zero, err
			}
		}
	}
	return runLocked(ctx, ic, mode, body, build)
}

// runLocked runs build's machine with ic.mu held, and repeats it on a new
// connection as mode allows.
func runLocked[R any](ctx context.Context, ic *IMAPClient, mode runMode, body Body, build func(*imap.Session) coroutine.NetMachine[R]) (R, error) {
	var zero R
	p := ic.opts.reconnectPolicy()
	for repeats := 0; ; repeats++ {
		t := &tracked[R]{m: build(ic.s)}
		conn := ic.conn
		ios := conn.ios
		out, err := RunNetBody(ctx, conn, t, nil, body)
		if ic.closed.Load() {
			// Close cut the call off.
			return zero, replaceOpErr(err, ErrClosed)
		}
		cause := err
		switch {
		case !t.done && conn.ios != ios:
			// Even a first write that failed may have poisoned the
			// stream (a TLS connection whose write timed out is unusable
			// for good); only a call that ended before any I/O leaves
			// the connection as it was.
			ic.markBroken(fmt.Errorf("interrupted: %w", err))
		case ic.s.Err() != nil:
			cause = ic.s.Err()
			ic.markBroken(cause)
		default:
			return out, err
		}
		switch {
		case mode == runUnsafe && conn.ios != ios:
			return zero, outcomeUnknown(err)
		case mode != runSafe || ctxEnded(ctx) || !retryable(cause) || repeats >= p.Attempts() || bodyStarted(body):
			// A call that breaks every connection it runs on is not
			// repeated for ever.
			return out, err
		}
		if repeats > 0 {
			if perr := p.pause(ctx, repeats, ic.closeCtx.Done()); perr != nil {
				return out, err
			}
		}
		ic.log.Info("imap: repeating a call after the connection broke", "addr", ic.addr, "err", cause)
		if rerr := ic.redial(ctx); rerr != nil {
			if ic.closed.Load() {
				return zero, replaceOpErr(err, ErrClosed)
			}
			return zero, replaceOpErr(err, fmt.Errorf("%w (the call had failed with: %v)", rerr, err))
		}
	}
}

// redial dials again as the reconnect policy says, replacing the broken
// connection and session; ic.mu is held.
func (ic *IMAPClient) redial(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ic.closeCtx, cancel)
	defer stop()
	err := redial(ctx, ic.opts.reconnectPolicy(), ic.closeCtx.Done(), ic.connect)
	if err != nil {
		if ic.closed.Load() {
			return ErrClosed
		}
		ic.log.Warn("imap: reconnecting failed", "addr", ic.addr, "err", err)
		return err
	}
	ic.log.Info("imap: reconnected", "addr", ic.addr)
	return nil
}

// unusable returns the error every call fails with once the client was
// closed or broken, or nil.
func (ic *IMAPClient) unusable() error {
	if ic.closed.Load() {
		return ErrClosed
	}
	return ic.broken
}

// markBroken records why the connection is out of step, and closes it.
func (ic *IMAPClient) markBroken(cause error) {
	if ic.broken != nil {
		return
	}
	ic.broken = fmt.Errorf("%w (%v)", ErrConnBroken, cause)
	ic.s.Fail(ic.broken)
	ic.conn.Close()
	ic.log.Warn("imap: connection broken", "addr", ic.addr, "err", cause)
}

// replaceOpErr returns sentinel in an *email.OpError with the backend and
// operation of err (when err is one), else sentinel alone.
func replaceOpErr(err, sentinel error) error {
	var oe *email.OpError
	if errors.As(err, &oe) {
		return &email.OpError{Backend: oe.Backend, Op: oe.Op, Err: sentinel}
	}
	return &email.OpError{Backend: "imap", Op: "call", Err: sentinel}
}

// ListMailboxes lists the mailboxes (LIST, with STATUS counts when asked).
func (ic *IMAPClient) ListMailboxes(ctx context.Context, opts email.ListMailboxesOptions) ([]email.Mailbox, error) {
	return runIMAP(ctx, ic, runSafe, func(s *imap.Session) coroutine.NetMachine[[]email.Mailbox] { return imap.ListMailboxes(s, opts) })
}

// CreateMailbox creates a mailbox.
func (ic *IMAPClient) CreateMailbox(ctx context.Context, name string) error {
	_, err := runIMAP(ctx, ic, runUnsafe, func(s *imap.Session) coroutine.NetMachine[struct{}] { return imap.CreateMailbox(s, name) })
	return err
}

// DeleteMailbox deletes a mailbox.
func (ic *IMAPClient) DeleteMailbox(ctx context.Context, name string) error {
	_, err := runIMAP(ctx, ic, runUnsafe, func(s *imap.Session) coroutine.NetMachine[struct{}] { return imap.DeleteMailbox(s, name) })
	return err
}

// ListEnvelopes lists a page of envelopes, newest Date first.
func (ic *IMAPClient) ListEnvelopes(ctx context.Context, mailbox string, opts email.ListOptions) ([]email.Envelope, error) {
	return runIMAP(ctx, ic, runSafe, func(s *imap.Session) coroutine.NetMachine[[]email.Envelope] {
		return imap.ListEnvelopes(s, mailbox, opts)
	})
}

// CopyMessages copies messages and returns their new ids (COPYUID).
func (ic *IMAPClient) CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return runIMAP(ctx, ic, runUnsafe, func(s *imap.Session) coroutine.NetMachine[[]string] { return imap.CopyMessages(s, from, to, ids) })
}

// MoveMessages moves messages and returns their new ids (COPYUID).
func (ic *IMAPClient) MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	return runIMAP(ctx, ic, runUnsafe, func(s *imap.Session) coroutine.NetMachine[[]string] { return imap.MoveMessages(s, from, to, ids) })
}

// DeleteMessages permanently removes exactly the named messages.
func (ic *IMAPClient) DeleteMessages(ctx context.Context, mailbox string, ids []string) error {
	_, err := runIMAP(ctx, ic, runUnsafe, func(s *imap.Session) coroutine.NetMachine[struct{}] { return imap.DeleteMessages(s, mailbox, ids) })
	return err
}

// StoreFlags adds, removes or sets flags.
func (ic *IMAPClient) StoreFlags(ctx context.Context, mailbox string, ids []string, op email.FlagOp, flags email.Flags) error {
	_, err := runIMAP(ctx, ic, runSafe, func(s *imap.Session) coroutine.NetMachine[struct{}] {
		return imap.StoreFlags(s, mailbox, ids, op, flags)
	})
	return err
}

// DiffEnvelopes reports what changed in a mailbox since state (nil for a
// first baseline), with QRESYNC, CONDSTORE, or a UID and flags snapshot on
// servers that have neither; see imap.DiffEnvelopes.
func (ic *IMAPClient) DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error) {
	return runIMAP(ctx, ic, runSafe, func(s *imap.Session) coroutine.NetMachine[email.EnvelopeDiff] {
		return imap.DiffEnvelopes(s, mailbox, state)
	})
}

// DiffMailboxes reports which mailboxes appeared, disappeared or changed
// since state (nil for a first baseline); see imap.DiffMailboxes.
func (ic *IMAPClient) DiffMailboxes(ctx context.Context, state email.State) (email.MailboxDiff, error) {
	return runIMAP(ctx, ic, runSafe, func(s *imap.Session) coroutine.NetMachine[email.MailboxDiff] {
		return imap.DiffMailboxes(s, state)
	})
}

// WatchMailbox watches a mailbox with IDLE and calls fn for every change,
// until ctx is done (it then ends IDLE cleanly and returns nil, and the
// connection stays usable), fn returns an error (returned as is, the
// connection is then closed), or the server fails. A command in flight
// when ctx ends (the SELECT or FETCH of a wake, the IDLE still waiting
// for "+", or the DONE that ends it) gets one more second to finish; a
// server that does not answer it cannot be left in step: WatchMailbox
// then returns ctx's error and closes the connection. See
// imap.WatchMailbox.
//
// The watch outlives its connection: when the server closes it (a
// restart, a BYE) or the network fails, WatchMailbox dials again as
// Options.Reconnect says, selects the mailbox again and compares it with
// what the watch had reported before the break (with QRESYNC, fetching
// only what changed since the last HIGHESTMODSEQ; otherwise every UID and
// flag set), so that each change made meanwhile is reported once and
// none is lost; a new UIDVALIDITY gives MailboxReset. When the attempts
// are spent it returns an error matching ErrConnBroken. IDLE is renewed
// every imap.IdleRefresh (29 minutes), below the 30-minute limit of RFC
// 2177.
func (ic *IMAPClient) WatchMailbox(ctx context.Context, mailbox string, fn func(email.WatchEvent) error) error {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	var last *imap.WatchState
	p := ic.opts.reconnectPolicy()
	fails := 0 // connections lost in a row without reaching a checkpoint
	for {
		if err := ic.s.Err(); err != nil && !ic.closed.Load() {
			ic.markBroken(err)
		}
		if ic.broken != nil && !ic.closed.Load() {
			if ctx.Err() != nil {
				return nil
			}
			if err := ic.redial(ctx); err != nil {
				if ctx.Err() != nil && !ic.closed.Load() {
					return nil // stopped while dialling again
				}
				return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: err}
			}
		}
		if ic.closed.Load() {
			return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: ErrClosed}
		}
		before := last
		err, linkFailed := ic.watchOnce(ctx, mailbox, fn, &last)
		if !linkFailed {
			return err
		}
		if ic.closed.Load() {
			return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: ErrClosed}
		}
		ic.markBroken(err)
		if ctx.Err() != nil {
			return nil
		}
		if last != before {
			fails = 0
		}
		// A server that breaks every connection before the watch gets
		// anywhere (a BYE at each SELECT) is not dialled for ever, nor
		// in a hot loop.
		if fails++; fails > p.Attempts() {
			return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: fmt.Errorf("%w: the watch lost %d connections in a row: %w", ErrConnBroken, fails, err)}
		}
		if fails > 1 {
			if perr := p.pause(ctx, fails-1, ic.closeCtx.Done()); perr != nil {
				if ic.closed.Load() {
					return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: ErrClosed}
				}
				return nil
			}
		}
		ic.log.Info("imap: watch lost its connection; dialling again", "addr", ic.addr, "mailbox", mailbox, "err", err)
	}
}

// watchOnce runs one watch machine on the current connection, resumed from
// *last and recording its checkpoints there. linkFailed says that the
// connection failed under it (a new connection may go on).
func (ic *IMAPClient) watchOnce(ctx context.Context, mailbox string, fn func(email.WatchEvent) error, last **imap.WatchState) (err error, linkFailed bool) {
	var stopped atomic.Bool
	m := imap.WatchMailbox(ic.s, mailbox, imap.WatchOptions{
		Now: time.Now, Stopped: stopped.Load, StopWait: watchStopGrace,
		Resume: *last,
		Checkpoint: func(st *imap.WatchState) {
			*last = st
			if ic.checkpoint != nil {
				ic.checkpoint()
			}
		},
	})
	c := ic.conn
	// Cancelling ctx wakes a blocked read; the machine then sees Stopped.
	stop := context.AfterFunc(ctx, func() {
		stopped.Store(true)
		c.conn.SetReadDeadline(time.Now())
	})
	defer stop()
	defer c.release()
	var in coroutine.NetReply
	woken := false
	var graceEnd time.Time // set once ctx ended during a command
	for range coroutine.MaxSteps {
		req, done := m.Resume(in)
		if done {
			_, err := m.Result()
			if errors.Is(err, imap.ErrStoppedUnanswered) && ctx.Err() != nil {
				// Cancelled and the server did not answer IDLE or DONE
				// within the grace: the IDLE's answer is still due, so
				// the connection cannot be reused.
				ic.markBroken(err)
				return ctx.Err(), false
			}
			return err, err != nil && ctx.Err() == nil && retryable(err)
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if _, err := c.conn.Write(req.Data); err != nil {
				ic.s.Fail(err)
				return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: err}, retryable(err)
			}
		case coroutine.NetRead:
			// A read inside a command waits at most writeWait; a read in
			// IDLE waits req.Wait, and is cut short once ctx is done.
			wait := req.Wait
			if wait <= 0 {
				wait = writeWait
			}
			dl := time.Now().Add(wait)
			if !graceEnd.IsZero() && graceEnd.Before(dl) {
				dl = graceEnd
			}
			c.conn.SetReadDeadline(dl)
			if req.Wait > 0 && stopped.Load() && !woken {
				// Cancelled before this read: time out at once, once, so
				// the machine sees Stopped and sends DONE.
				woken = true
				c.conn.SetReadDeadline(time.Now())
			}
			buf := c.readBuf(req.Wait)
			n, err := c.conn.Read(buf)
			switch {
			case n > 0:
				in.Data = buf[:n]
				c.grow(n)
			case err == nil:
			case errors.Is(err, os.ErrDeadlineExceeded) && req.Wait > 0:
				in.TimedOut = true
				woken = woken || stopped.Load()
			case errors.Is(err, os.ErrDeadlineExceeded) && stopped.Load() && graceEnd.IsZero():
				// ctx ended while a command (SELECT, FETCH) was in flight:
				// let it finish within watchStopGrace, so that the watch
				// ends cleanly on a server that answers.
				graceEnd = time.Now().Add(watchStopGrace)
				continue
			case errors.Is(err, os.ErrDeadlineExceeded) && stopped.Load():
				// The server did not answer within the grace: its answer
				// is still due, so the connection is out of step; return
				// ctx's error as RunIMAP does, and close it.
				ic.markBroken(fmt.Errorf("interrupted: %w", ctx.Err()))
				return ctx.Err(), false
			case errors.Is(err, io.EOF):
				in.EOF = true
			default:
				ic.s.Fail(err)
				return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: err}, retryable(err)
			}
		case coroutine.NetEvent:
			if req.Event != nil {
				if err := fn(*req.Event); err != nil {
					ic.s.Fail(fmt.Errorf("client: IMAP watch ended by its callback: %w", err))
					c.conn.Close()
					return err, false
				}
			}
		default:
			return &email.OpError{Backend: "imap", Op: "watch_mailbox", Err: email.ErrUnexpectedReply}, false
		}
	}
	return coroutine.ErrTooManySteps, false
}

// writeWait bounds one write of a watch.
const writeWait = time.Minute

// watchStopGrace is how long a cancelled watch waits for the answer to a
// command in flight before it gives the connection up.
const watchStopGrace = time.Second

var (
	_ Watcher        = (*IMAPClient)(nil)
	_ Storage        = (*IMAPClient)(nil)
	_ EnvelopeDiffer = (*IMAPClient)(nil)
	_ MailboxDiffer  = (*IMAPClient)(nil)
)

// logoutWait bounds the LOGOUT that Close sends.
const logoutWait = 2 * time.Second
