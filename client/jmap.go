package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
	"github.com/ioemail/ioemail/search"
)

// JMAPClient is a connected JMAP backend: a session and an HTTP client
// that performs the exchanges of the jmap step machines. It implements
// Storage, EnvelopeDiffer, MailboxDiffer and Sender. Mailboxes are named by
// their "/"-separated names, as on every backend; MailboxID gives a name's
// server id (see package jmap). Message bodies stream (GetMessage,
// AddMessage, SendMessageReader hold one copy buffer, never the message),
// and GetMessages and EachEnvelope fetch and list in batches.
//
// A JMAPClient is safe for concurrent use: its methods may be called from
// several goroutines and their HTTP exchanges run in parallel (JMAP has no
// connection state to keep in step). Set Watch before sharing the client.
type JMAPClient struct {
	hc         *http.Client
	allowPlain bool
	auth       *Auth
	log        *slog.Logger
	trace      bool
	reconnect  ReconnectPolicy
	exchanges  atomic.Int64
	closed     atomic.Bool
	maxMessage int64 // Options.MaxMessageSize made explicit: 0 means none

	smu     sync.Mutex // guards session
	session *jmap.Session

	// Watch tunes WatchMailbox (polling interval, push keep-alive); its
	// Interval starts as Options.WatchInterval.
	Watch jmap.WatchOptions
}

// Exchanges returns the number of HTTP exchanges made so far (for tests
// and benchmarks).
func (j *JMAPClient) Exchanges() int64 { return j.exchanges.Load() }

// ConnectJMAP discovers the JMAP session at sessionURL as DialJMAP does
// and registers the JMAP backend for storage and sending, closing the one
// registered before.
func (c *Client) ConnectJMAP(ctx context.Context, sessionURL string, opts *Options) error {
	jc, err := DialJMAP(ctx, sessionURL, opts)
	if err != nil {
		return err
	}
	if old, ok := c.storage[slotJMAP].(*JMAPClient); ok {
		old.Close()
	}
	c.storage[slotJMAP] = jc
	c.senders[sendJMAP] = jc
	c.closers = append(c.closers, jc)
	return nil
}

// Close closes the client's idle HTTP connections; later calls fail with
// an error matching ErrClosed. Calls in flight are not interrupted.
func (j *JMAPClient) Close() error {
	j.closed.Store(true)
	j.hc.CloseIdleConnections()
	return nil
}

// JMAP returns the registered JMAP backend, or nil.
func (c *Client) JMAP() *JMAPClient {
	jc, _ := c.storage[slotJMAP].(*JMAPClient)
	return jc
}

// DialJMAP discovers the JMAP session at sessionURL (a URL with an empty
// path gets /.well-known/jmap, RFC 8620 section 2.2; redirects are
// followed) and returns the backend.
//
// opts.Auth gives the Authorization header: HTTP Basic for Password,
// "Bearer" with a token asked of the TokenSource before every request for
// OAuth2 and Bearer. Credentials are refused over plain http to a host
// that is not a loopback address (email.ErrInsecure) unless
// opts.AllowPlaintext is set. opts.HTTPClient, or else opts.TLSConfig and
// opts.Dialer, shape the HTTP transport.
//
// ctx bounds the session discovery and is not kept. Errors are
// *email.OpError values with Op "connect".
func DialJMAP(ctx context.Context, sessionURL string, opts *Options) (*JMAPClient, error) {
	o := opts.get()
	hc := o.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if o.TLSConfig != nil {
			tr.TLSClientConfig = o.TLSConfig.Clone()
		}
		if o.Dialer != nil {
			tr.DialContext = o.Dialer
		}
		// Keep alive the connections of GetMessages's parallel downloads.
		tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, batchDownloads)
		hc = &http.Client{Transport: tr}
	} else {
		cp := *hc
		hc = &cp
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	jc := &JMAPClient{hc: hc, allowPlain: o.AllowPlaintext, auth: o.Auth, log: o.logger(),
		trace: o.Trace && o.Logger != nil, reconnect: o.reconnectPolicy()}
	jc.Watch.Interval = o.WatchInterval
	switch {
	case o.MaxMessageSize == 0:
		jc.maxMessage = DefaultMaxMessageSize
	case o.MaxMessageSize > 0:
		jc.maxMessage = o.MaxMessageSize
	}
	s, err := jc.discover(ctx, sessionURL)
	if err != nil {
		jc.log.Warn("jmap: session discovery failed", "err", err)
		return nil, &email.OpError{Backend: "jmap", Op: "connect", Err: err}
	}
	jc.session = s
	jc.log.Info("jmap: connected", "api", redactURL(s.APIURL))
	return jc, nil
}

// discover fetches the session at sessionURL with j's credentials.
func (j *JMAPClient) discover(ctx context.Context, sessionURL string) (*jmap.Session, error) {
	var auth string
	switch {
	case j.auth == nil:
	case j.auth.kind == authOAuth2:
		// do puts a fresh token in every request; the session keeps none.
		auth = "Bearer"
	default:
		var err error
		if auth, err = j.auth.header(ctx); err != nil {
			return nil, err
		}
	}
	return runJMAP(ctx, j, jmap.Discover(sessionURL, auth))
}

// Session returns the JMAP session.
func (j *JMAPClient) Session() *jmap.Session {
	j.smu.Lock()
	defer j.smu.Unlock()
	return j.session
}

// sess returns the session, fetched again first when a response said it
// changed (jmap.Session.Stale). When fetching fails the old session is
// kept and the operation goes on with it.
func (j *JMAPClient) sess(ctx context.Context) *jmap.Session {
	cur := j.Session()
	if !cur.Stale() {
		return cur
	}
	s, err := j.discover(ctx, cur.URL)
	j.smu.Lock()
	defer j.smu.Unlock()
	if err == nil && j.session == cur {
		j.session = s
	}
	return j.session
}

// Name returns "jmap".
func (j *JMAPClient) Name() string { return "jmap" }

// runJMAP drives m, performing its exchanges with j's HTTP client.
func runJMAP[R any](ctx context.Context, j *JMAPClient, m jmap.Machine[R]) (R, error) {
	return runJMAPEvents(ctx, j, m, nil, nil)
}

// runJMAPBody is runJMAP for an operation with a body stream: the
// exchanges with StreamBody copy to body.Sink, those with SourceBody read
// body.Source.
func runJMAPBody[R any](ctx context.Context, j *JMAPClient, m jmap.Machine[R], body *Body) (R, error) {
	return runJMAPEvents(ctx, j, m, nil, body)
}

// runJMAPEvents drives m, passing the events it yields to onEvent and
// pausing when it asks to wait; body (nil for none) is the operation's
// body stream.
func runJMAPEvents[R any](ctx context.Context, j *JMAPClient, m jmap.Machine[R], onEvent func(email.WatchEvent) error, body *Body) (R, error) {
	var zero R
	if j.closed.Load() {
		return zero, ErrClosed
	}
	var in jmap.Response
	for {
		req, done := m.Resume(in)
		if done {
			return m.Result()
		}
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		in = jmap.Response{}
		switch {
		case req.Event != nil:
			if onEvent != nil {
				if err := onEvent(*req.Event); err != nil {
					return zero, err
				}
			}
		case req.Method == "" && req.Wait > 0:
			t := time.NewTimer(req.Wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return zero, ctx.Err()
			case <-t.C:
			}
		default:
			j.exchanges.Add(1)
			in = j.do(ctx, req, body)
			if onEvent != nil {
				in = j.retryWatchExchange(ctx, req, in)
			}
		}
	}
}

// retryWatchExchange repeats an exchange of a watch that the transport
// failed (the server restarting, the network gone), waiting as j's
// reconnect policy says between tries, until it gets through, the policy's
// attempts are spent, or ctx ends; it returns the last response. The
// watch's machine keeps its state meanwhile, so its next diff reports
// what changed during the outage: no event is lost. Only a watch's
// exchanges are repeated (they read, or wait for a push); a malformed or
// oversized reply is not a transport failure worth repeating.
func (j *JMAPClient) retryWatchExchange(ctx context.Context, req jmap.Request, in jmap.Response) jmap.Response {
	for n := 1; n <= j.reconnect.Attempts() && retryableTransport(in.Err); n++ {
		if j.reconnect.pause(ctx, n, nil) != nil || j.closed.Load() {
			return in
		}
		j.log.Warn("jmap: watch exchange failed, trying again", "attempt", n, "err", in.Err)
		j.exchanges.Add(1)
		in = j.do(ctx, req, nil)
	}
	return in
}

// retryableTransport reports whether err is a transport failure that
// another try may not meet: not a reply that is malformed or too large.
func retryableTransport(err error) bool {
	return errors.Is(err, jmap.ErrTransport) && !errors.Is(err, email.ErrProtocol) && !errors.Is(err, email.ErrTooLarge)
}

// do performs one exchange; failures come back in Response.Err. body is
// the operation's body stream, for a request with StreamBody or
// SourceBody (see uploadReader and streamResponse).
func (j *JMAPClient) do(ctx context.Context, req jmap.Request, body *Body) jmap.Response {
	u, err := url.Parse(req.URL)
	if err != nil {
		return jmap.Response{Err: fmt.Errorf("jmap: bad request URL: %w", email.ErrInvalidArgument)}
	}
	if u.Scheme == "http" && req.Header.Get("Authorization") != "" && !j.allowPlain && !isLoopback(u.Hostname()) {
		return jmap.Response{Err: fmt.Errorf("jmap: credentials over plain http to %s: %w", u.Host, email.ErrInsecure)}
	}
	var src io.Reader
	var up *uploadReader
	switch {
	case req.SourceBody:
		if body == nil || body.Source == nil {
			return jmap.Response{Err: errNoBody}
		}
		up = newUploadReader(body.Source, req)
		src = up
	case req.Body != nil:
		src = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, src)
	if err != nil {
		return jmap.Response{Err: fmt.Errorf("jmap: %w", email.ErrInvalidArgument)}
	}
	if up != nil {
		hr.ContentLength = -1 // unknown: sent chunked
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	if j.auth != nil && j.auth.kind == authOAuth2 && hr.Header.Get("Authorization") != "" {
		// A fresh token for every request: the source refreshes it.
		h, err := j.auth.header(ctx)
		if err != nil {
			return jmap.Response{Err: err}
		}
		hr.Header.Set("Authorization", h)
	}
	j.traceRequest(hr, req.Body)
	resp, err := j.hc.Do(hr)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return jmap.Response{Err: cerr}
		}
		if up != nil && up.err != nil {
			// The source failed or passed its limit: that error, as it is.
			return jmap.Response{Err: up.err}
		}
		return jmap.Response{Err: transportError(err)}
	}
	defer resp.Body.Close()
	limit := req.Limit()
	if resp.ContentLength > limit {
		return jmap.Response{Err: fmt.Errorf("jmap: response of %d bytes over the limit %d: %w", resp.ContentLength, limit, email.ErrTooLarge)}
	}
	if req.StreamBody && resp.StatusCode/100 == 2 {
		return j.streamResponse(ctx, resp, limit, body)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return jmap.Response{Err: cerr}
		}
		return jmap.Response{Err: fmt.Errorf("jmap: reading response: %w", jmap.TransportError(scrubURLError(err), true))}
	}
	if int64(len(data)) > limit {
		return jmap.Response{Err: fmt.Errorf("jmap: response over the limit of %d bytes: %w", limit, email.ErrTooLarge)}
	}
	j.traceResponse(resp, data)
	return jmap.Response{Status: resp.StatusCode, Header: jmap.Header(resp.Header), Body: data}
}

// transportError maps a failure of net/http to jmap.TransportError: the
// error matches jmap.ErrTransport and the underlying error, and
// email.ErrProtocol too when the reply was not well-formed HTTP (net/http
// then says "malformed", or a textproto.ProtocolError is in the chain).
func transportError(err error) error {
	err = scrubURLError(err)
	var pe textproto.ProtocolError
	malformed := errors.As(err, &pe) || strings.Contains(err.Error(), "malformed")
	return jmap.TransportError(err, malformed)
}

// scrubURLError drops the URL from a *url.Error (a URL may carry a token in
// its query); the underlying error stays.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("jmap: %s: %w", ue.Op, ue.Err)
	}
	return err
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func jmapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return &email.OpError{Backend: "jmap", Op: op, Err: err}
}

// mailboxIDs returns the server ids of the mailbox names, from the
// session's snapshot of the mailbox tree when it holds them (cached
// reports that), else after reading the tree again.
func (j *JMAPClient) mailboxIDs(ctx context.Context, s *jmap.Session, names []string) (ids []string, cached bool, err error) {
	cached = true
	for _, n := range names {
		id, ok := s.CachedMailboxID(n)
		if !ok {
			cached = false
			if id, err = runJMAP(ctx, j, jmap.ResolveMailbox(s, n)); err != nil {
				return nil, false, err
			}
		}
		ids = append(ids, id)
	}
	return ids, cached, nil
}

// withMailboxes runs op with the server ids of the mailbox names. When op
// fails with ids taken from the session's snapshot, the snapshot may be
// stale (a mailbox deleted or recreated by another client): the tree is
// read again, a name now unknown fails with *email.NotFoundError, and op
// runs once more if a name now has another id (the server refused the old
// id, so the first attempt changed nothing for it).
func (j *JMAPClient) withMailboxes(ctx context.Context, s *jmap.Session, names []string, op func(ids []string) error) error {
	ids, cached, err := j.mailboxIDs(ctx, s, names)
	if err != nil {
		return err
	}
	err = op(ids)
	if err == nil || !cached || ctx.Err() != nil {
		return err
	}
	s.ForgetMailboxes()
	again, _, rerr := j.mailboxIDs(ctx, s, names)
	if rerr != nil {
		if errors.Is(rerr, email.ErrNotFound) {
			return rerr
		}
		return err
	}
	for i := range ids {
		if ids[i] != again[i] {
			return op(again)
		}
	}
	return err
}

// withMailbox is withMailboxes for one name.
func (j *JMAPClient) withMailbox(ctx context.Context, s *jmap.Session, name string, op func(id string) error) error {
	return j.withMailboxes(ctx, s, []string{name}, func(ids []string) error { return op(ids[0]) })
}

// MailboxID returns the server id of the mailbox name (the name every
// shared call takes, see jmap.ResolveMailbox), for callers that use the
// jmap machines or JMAP methods directly. An unknown name fails with an
// error matching email.ErrNotFound.
func (j *JMAPClient) MailboxID(ctx context.Context, name string) (string, error) {
	ids, _, err := j.mailboxIDs(ctx, j.sess(ctx), []string{name})
	if err != nil {
		return "", jmapErr("mailbox_id", err)
	}
	return ids[0], nil
}

// ListMailboxes lists every mailbox in one exchange; see jmap.ListMailboxes.
// ID and Name are both the mailbox name, as on the other backends;
// MailboxID gives the server id.
func (j *JMAPClient) ListMailboxes(ctx context.Context, opts email.ListMailboxesOptions) ([]email.Mailbox, error) {
	out, err := runJMAP(ctx, j, jmap.ListMailboxes(j.sess(ctx), opts))
	return out, jmapErr("list_mailboxes", err)
}

// CreateMailbox creates the mailbox name, a "/"-separated path, parents
// included; see jmap.CreateMailbox.
func (j *JMAPClient) CreateMailbox(ctx context.Context, name string) error {
	_, err := j.CreateMailboxID(ctx, name)
	return err
}

// CreateMailboxID is CreateMailbox returning the new mailbox's server id.
func (j *JMAPClient) CreateMailboxID(ctx context.Context, name string) (string, error) {
	id, err := runJMAP(ctx, j, jmap.CreateMailbox(j.sess(ctx), name))
	return id, jmapErr("create_mailbox", err)
}

// DeleteMailbox destroys the mailbox name; see jmap.DeleteMailbox. An
// unknown name fails with an error matching email.ErrNotFound; the inbox
// is refused (email.ErrRefused) before any exchange, as on the other
// backends.
func (j *JMAPClient) DeleteMailbox(ctx context.Context, name string) error {
	if email.IsInbox(name) {
		return jmapErr("delete_mailbox", fmt.Errorf("jmap: the inbox cannot be deleted: %w", email.ErrRefused))
	}
	s := j.sess(ctx)
	err := j.withMailbox(ctx, s, name, func(id string) error {
		_, err := runJMAP(ctx, j, jmap.DeleteMailbox(s, id))
		return err
	})
	return jmapErr("delete_mailbox", err)
}

// ListEnvelopes lists a page of the mailbox, newest Date first, one
// exchange per page; see jmap.ListEnvelopes.
func (j *JMAPClient) ListEnvelopes(ctx context.Context, mailbox string, opts email.ListOptions) ([]email.Envelope, error) {
	var out []email.Envelope
	s := j.sess(ctx)
	err := j.withMailbox(ctx, s, mailbox, func(id string) (err error) {
		out, err = runJMAP(ctx, j, jmap.ListEnvelopes(s, id, opts))
		return err
	})
	return out, jmapErr("list_envelopes", err)
}

// CopyMessages adds the target mailbox to the emails; the ids stay the
// same (see jmap.CopyMessages for what a JMAP copy means).
func (j *JMAPClient) CopyMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	var out []string
	s := j.sess(ctx)
	err := j.withMailboxes(ctx, s, []string{from, to}, func(m []string) (err error) {
		out, err = runJMAP(ctx, j, jmap.CopyMessages(s, m[1], ids))
		return err
	})
	return out, jmapErr("copy_messages", err)
}

// MoveMessages moves the emails from one mailbox to another; the ids stay
// the same.
func (j *JMAPClient) MoveMessages(ctx context.Context, from, to string, ids []string) ([]string, error) {
	var out []string
	s := j.sess(ctx)
	err := j.withMailboxes(ctx, s, []string{from, to}, func(m []string) (err error) {
		out, err = runJMAP(ctx, j, jmap.MoveMessages(s, m[0], m[1], ids))
		return err
	})
	return out, jmapErr("move_messages", err)
}

// DeleteMessages removes the emails from the mailbox, destroying those
// that were in no other mailbox; see jmap.DeleteMessages.
func (j *JMAPClient) DeleteMessages(ctx context.Context, mailbox string, ids []string) error {
	s := j.sess(ctx)
	err := j.withMailbox(ctx, s, mailbox, func(mid string) error {
		_, err := runJMAP(ctx, j, jmap.DeleteMessages(s, mid, ids))
		return err
	})
	return jmapErr("delete_message", err)
}

// StoreFlags changes the keywords of the emails; see jmap.StoreFlags. The
// mailbox must exist, as on the other backends.
func (j *JMAPClient) StoreFlags(ctx context.Context, mailbox string, ids []string, op email.FlagOp, flags email.Flags) error {
	s := j.sess(ctx)
	err := j.withMailbox(ctx, s, mailbox, func(string) error {
		_, err := runJMAP(ctx, j, jmap.StoreFlags(s, ids, op, flags))
		return err
	})
	return jmapErr("store_flags", err)
}

// DiffEnvelopes reports what changed in the mailbox since state; see
// jmap.DiffEnvelopes.
func (j *JMAPClient) DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error) {
	var out email.EnvelopeDiff
	s := j.sess(ctx)
	err := j.withMailbox(ctx, s, mailbox, func(id string) (err error) {
		out, err = runJMAP(ctx, j, jmap.DiffEnvelopes(s, id, state))
		return err
	})
	return out, jmapErr("diff_envelopes", err)
}

// DiffMailboxes reports, by mailbox name, what changed among the mailboxes
// since state; see jmap.DiffMailboxes.
func (j *JMAPClient) DiffMailboxes(ctx context.Context, state email.State) (email.MailboxDiff, error) {
	out, err := runJMAP(ctx, j, jmap.DiffMailboxes(j.sess(ctx), state))
	return out, jmapErr("diff_mailboxes", err)
}

// SendMessage submits the raw message: imported into Drafts, submitted
// with EmailSubmission/set, moved to Sent on success, the Bcc field kept out
// of the stored and sent bytes; see jmap.SendMessage.
func (j *JMAPClient) SendMessage(ctx context.Context, raw []byte, opts email.SendOptions) (email.SendResult, error) {
	out, err := runJMAP(ctx, j, jmap.SendMessage(j.sess(ctx), raw, opts))
	return out, jmapErr("send_message", err)
}

// WatchMailbox calls fn for every change in the mailbox until ctx ends (it
// then returns nil) or fn fails; see jmap.WatchMailbox. It uses push when
// the server offers it and polls every Watch.Interval otherwise (by
// default jmap.DefaultPollInterval).
func (j *JMAPClient) WatchMailbox(ctx context.Context, mailbox string, fn func(email.WatchEvent) error) error {
	s := j.sess(ctx)
	ids, _, err := j.mailboxIDs(ctx, s, []string{mailbox})
	if err == nil {
		_, err = runJMAPEvents(ctx, j, jmap.WatchMailbox(s, ids[0], j.Watch), fn, nil)
	}
	if ctx.Err() != nil {
		return nil
	}
	return jmapErr("watch_mailbox", err)
}

// SearchEnvelopes lists the page of the mailbox matching q; see
// jmap.SearchEnvelopes.
func (j *JMAPClient) SearchEnvelopes(ctx context.Context, mailbox string, q search.Query, opts email.ListOptions) ([]email.Envelope, error) {
	var out []email.Envelope
	s := j.sess(ctx)
	err := j.withMailbox(ctx, s, mailbox, func(id string) (err error) {
		out, err = runJMAP(ctx, j, jmap.SearchEnvelopes(s, id, q, opts))
		return err
	})
	return out, jmapErr("search_envelopes", err)
}
