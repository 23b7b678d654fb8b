// Command eventloop holds many IMAP connections from one goroutine: each
// connection opens a session and lists its mailboxes, then watches a
// mailbox with IDLE; once every connection is idling, one more connection
// appends a message, and the program checks that every watcher saw it.
//
// With no flags it starts go-imap's in-memory server (imapmemserver) in
// the process and holds 1,000 connections:
//
//	go run ./examples/eventloop
//
// Against a real server (mind its per-user connection limit, Dovecot's
// mail_max_userip_connections is 10 by default):
//
//	go run ./examples/eventloop -addr mail.example.com:993 -tls -user alice -pass secret -n 8
//	go run ./examples/eventloop -addr 127.0.0.1:143 -starttls -ca ca.pem -user alice -pass secret -n 8
//
// Every Resume of every machine runs on the goroutine that calls
// client.Loop.Run; the I/O is done by one small goroutine per connection,
// parked in the runtime's poller while it waits (see client.Loop for why).
// The program prints what one connection costs, measured while all of
// them are idling: heap and goroutines per connection (in-process, the
// server's share is included; against a real server it is the client's
// alone).
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	imapm "github.com/ioemail/ioemail/imap"
)

// config is what the flags set.
type config struct {
	n        int
	addr     string
	user     string
	pass     string
	implicit bool // TLS from the first byte
	startTLS bool
	ca       string
	mailbox  string
	watch    time.Duration
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 1000, "number of connections")
	flag.StringVar(&cfg.addr, "addr", "", "IMAP server host:port (default: an in-process imapmemserver)")
	flag.StringVar(&cfg.user, "user", "alice", "user name")
	flag.StringVar(&cfg.pass, "pass", "alicepass", "password")
	flag.BoolVar(&cfg.implicit, "tls", false, "use TLS from the start (port 993)")
	flag.BoolVar(&cfg.startTLS, "starttls", false, "upgrade with STARTTLS (required)")
	flag.StringVar(&cfg.ca, "ca", "", "PEM file of the CA to trust instead of the system's")
	flag.StringVar(&cfg.mailbox, "mailbox", "INBOX", "mailbox to watch")
	flag.DurationVar(&cfg.watch, "watch", 5*time.Second, "how long the watchers wait for the delivery before they stop")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// conn is one connection's session and what it has seen.
type conn struct {
	c       *client.NetConn
	s       *imapm.Session
	stopped bool // read by the watch machine's Stopped
	saw     bool
}

// run holds cfg.n connections from one loop and reports to w.
func run(ctx context.Context, cfg config, w io.Writer) error {
	var tlsConf *tls.Config
	if cfg.addr == "" {
		addr, stop, err := startMemServer()
		if err != nil {
			return err
		}
		defer stop()
		cfg.addr = addr
	} else if cfg.ca != "" {
		pem, err := os.ReadFile(cfg.ca)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s: no certificate", cfg.ca)
		}
		tlsConf = &tls.Config{RootCAs: pool}
	}
	secureLink := cfg.implicit || cfg.startTLS
	open := imapm.OpenOptions{Auth: sasl.NewPlainClient("", cfg.user, cfg.pass), AllowInsecureAuth: !secureLink, NoEnable: false}
	if cfg.startTLS {
		open.StartTLS = imapm.StartTLSRequired
	}
	subject := fmt.Sprintf("eventloop %d-%d", os.Getpid(), time.Now().UnixNano())

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()

	conns, err := dialAll(ctx, cfg, tlsConf)
	if err != nil {
		return err
	}
	start := time.Now()

	// Everything below runs on the loop goroutine: no locks.
	loop := client.NewLoop()
	var listed, idling, watching, saw, failed int
	var firstErr error
	var deliver func()
	fail := func(k *conn, err error) {
		failed++
		if firstErr == nil {
			firstErr = err
		}
		k.c.Close()
		deliver()
	}
	var heap, gor float64
	var ioGoroutines int
	measure := func() {
		runtime.GC()
		var now runtime.MemStats
		runtime.ReadMemStats(&now)
		heap = float64(now.HeapAlloc-before.HeapAlloc) / float64(cfg.n)
		gor = float64(runtime.NumGoroutine()-goroutines) / float64(cfg.n)
		ioGoroutines = loop.Active()
	}
	stopAll := func() {
		for _, k := range conns {
			if !k.stopped {
				k.stopped = true
				k.c.Wake()
			}
		}
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	delivered := false
	deliver = func() {
		if delivered || idling < len(conns)-failed {
			return
		}
		delivered = true
		measure()
		fmt.Fprintf(w, "%d connections listed and idling after %v; delivering one message\n", idling, time.Since(start).Round(time.Millisecond))
		timer = time.AfterFunc(cfg.watch, func() { loop.Post(stopAll) })
		p, err := dial(ctx, cfg, tlsConf)
		if err != nil {
			firstErr = err
			stopAll()
			return
		}
		msg := "From: loop@example.test\r\nSubject: " + subject + "\r\n\r\nhello, watchers\r\n"
		client.Drive(loop, p.c, coroutine.Bracket(imapm.Open(p.s, open), imapm.AddMessage(p.s, cfg.mailbox, []byte(msg), nil), imapm.Logout(p.s)),
			nil, func(_ string, err error) {
				p.c.Close()
				if err != nil {
					firstErr = fmt.Errorf("delivery: %w", err)
					stopAll()
				}
			})
	}
	for _, k := range conns {
		watch := &idleSpy{m: imapm.WatchMailbox(k.s, cfg.mailbox, imapm.WatchOptions{Now: time.Now, Stopped: func() bool { return k.stopped }})}
		watch.idle = func() {
			idling++
			deliver()
		}
		onEvent := func(e email.WatchEvent) error {
			if e.Kind == email.EnvelopeAdded && e.Envelope != nil && e.Envelope.Subject == subject && !k.saw {
				k.saw = true
				saw++
				k.stopped = true
				k.c.Wake()
			}
			return nil
		}
		client.Drive(loop, k.c, coroutine.After(imapm.Open(k.s, open), imapm.ListMailboxes(k.s, email.ListMailboxesOptions{})),
			nil, func(boxes []email.Mailbox, err error) {
				if err != nil {
					fail(k, fmt.Errorf("open and list: %w", err))
					return
				}
				listed++
				watching++
				client.Drive(loop, k.c, coroutine.NetMachine[struct{}](watch), onEvent, func(_ struct{}, err error) {
					watching--
					if err != nil {
						fail(k, fmt.Errorf("watch: %w", err))
						return
					}
					client.Drive(loop, k.c, imapm.Logout(k.s), nil, func(struct{}, error) { k.c.Close() })
				})
			})
	}
	rctx, cancel := context.WithTimeout(ctx, cfg.watch+time.Minute)
	defer cancel()
	if err := loop.Run(rctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d listed, %d of %d watchers saw the delivery, %d failed, in %v\n", listed, saw, cfg.n, failed, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(w, "per connection while idling: %.1f KiB of heap, %.2f goroutines; %d I/O goroutines for %d machines, all resumed by one loop goroutine\n", heap/1024, gor, ioGoroutines, ioGoroutines)
	switch {
	case firstErr != nil:
		return firstErr
	case saw != cfg.n:
		return fmt.Errorf("only %d of %d watchers saw the delivery within %v", saw, cfg.n, cfg.watch)
	}
	return nil
}

// idleSpy passes a watch machine's requests through and calls idle once,
// when the watch is in IDLE: it has asked for a read with a Wait (the
// IDLE read) and the server's "+" continuation has come. (A message
// delivered earlier, while the server is still between the NOOP the watch
// sends first and the IDLE, may be reported only at the next change by
// some servers, go-imap's among them.)
type idleSpy struct {
	m       coroutine.NetMachine[struct{}]
	idle    func()
	waiting bool // the IDLE read was asked for
	seen    bool
}

// Resume implements coroutine.Machine.
func (s *idleSpy) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if s.waiting && !s.seen && (bytes.HasPrefix(in.Data, []byte("+")) || bytes.Contains(in.Data, []byte("\n+"))) {
		s.seen = true
		defer s.idle()
	}
	req, done := s.m.Resume(in)
	if !done && req.Op == coroutine.NetRead && req.Wait > 0 {
		s.waiting = true
	}
	return req, done
}

// Result implements coroutine.Machine.
func (s *idleSpy) Result() (struct{}, error) { return s.m.Result() }

// dialAll opens cfg.n connections, a few at a time (dialing blocks; it is
// not part of the loop).
func dialAll(ctx context.Context, cfg config, tlsConf *tls.Config) ([]*conn, error) {
	conns := make([]*conn, cfg.n)
	errs := make(chan error, cfg.n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				k, err := dial(ctx, cfg, tlsConf)
				if err != nil {
					errs <- err
					continue
				}
				conns[i] = k
			}
		})
	}
	for i := range cfg.n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		for _, k := range conns {
			if k != nil {
				k.c.Close()
			}
		}
		return nil, err
	}
	return conns, nil
}

func dial(ctx context.Context, cfg config, tlsConf *tls.Config) (*conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := client.Dial(dctx, cfg.addr, &client.Options{TLSConfig: tlsConf}, cfg.implicit)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, s: imapm.NewSession(cfg.implicit, imapm.Limits{})}, nil
}

// startMemServer starts imapmemserver on loopback with one user,
// alice/alicepass, and an empty INBOX.
func startMemServer() (addr string, stop func(), err error) {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("alice", "alicepass")
	if err := u.Create("INBOX", nil); err != nil {
		return "", nil, err
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}
