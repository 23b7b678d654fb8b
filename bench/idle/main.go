// Command idle measures what a connection waiting in IMAP IDLE costs: it
// starts a private Dovecot on loopback with raised limits, then, one way
// after the other, holds -n watchers of INBOX in IDLE in this process and
// reports the heap and the goroutines per watcher, ours (client.Loop, one
// goroutine for all machines plus one I/O goroutine per connection;
// IMAPClient.WatchMailbox, one blocking call per connection) against
// go-imap v2 imapclient's Idle at its defaults.
//
// Run it from the bench directory, as root (Dovecot's master switches to
// the mail user): go run ./idle [-n 10000] [-rounds 1].
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/sasl"
)

var (
	n        = flag.Int("n", 10000, "watchers held at once")
	nRounds  = flag.Int("rounds", 1, "rounds (each way holds -n watchers once per round)")
	parallel = flag.Int("dial", 16, "watchers being set up at a time")
	heapProf = flag.String("heapprofile", "", "write a heap profile (in use) of each way, while its watchers are held, to this file with the way's key appended")
	waysFlag = flag.String("ways", "loop,watch,imapclient", "ways to measure, comma-separated")
)

// way sets up one watcher on conn (which signals when the server
// acknowledges IDLE) and returns a function that ends it.
type way struct {
	key   string // its name in -ways
	name  string
	start func(ctx context.Context, addr string, dial dialer) (stop func(), err error)
}

type dialer func(ctx context.Context, network, addr string) (net.Conn, error)

func main() {
	flag.Parse()
	log.SetFlags(0)
	fmt.Println(rounds.Settings())
	raiseFileLimit()
	d, err := startDovecot(*n)
	if err != nil {
		log.Fatalf("private dovecot: %v", err)
	}
	defer d.stop()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		d.stop() // never leave the private Dovecot running
		os.Exit(1)
	}()
	fmt.Printf("private Dovecot on %s (plain IMAP, imap processes of %d connections); %d watchers per way, %d round(s)\n", d.addr, clientLimit, *n, *nRounds)

	all := map[string]way{"loop": loopWay(), "watch": watchWay(), "imapclient": theirWay()}
	var ways []way
	for _, name := range strings.Split(*waysFlag, ",") {
		w, ok := all[strings.TrimSpace(name)]
		if !ok {
			log.Fatalf("unknown way %q", name)
		}
		w.key = strings.TrimSpace(name)
		ways = append(ways, w)
	}
	ratios := map[string]*rounds.Ratios{}
	for r := range *nRounds {
		got := map[string]perWatcher{}
		for _, w := range ways {
			p, err := hold(d.addr, w, *n)
			if err != nil {
				for _, p := range d.problems(10) {
					fmt.Fprintln(os.Stderr, "  dovecot:", p)
				}
				d.stop()
				log.Fatalf("%s: %v", w.name, err)
			}
			got[w.key] = p
			fmt.Printf("round %d  %-36s heap %6.1f KiB/watcher (in use %6.1f KiB)  stack %5.1f KiB  goroutines %.2f/watcher  set up in %.1f s\n",
				r+1, w.name, p.heap/1024, p.heapInuse/1024, p.stack/1024, p.goroutines, p.setup.Seconds())
		}
		if t, ok := got["imapclient"]; ok {
			for _, name := range []string{"loop", "watch"} {
				if o, ok := got[name]; ok {
					if ratios[name] == nil {
						ratios[name] = &rounds.Ratios{Name: "heap per watcher, ours (" + name + ") / imapclient", Unit: "heap"}
					}
					ratios[name].Add(o.heap, t.heap)
				}
			}
		}
	}
	for _, name := range []string{"loop", "watch"} {
		if r := ratios[name]; r != nil {
			r.Print(os.Stdout)
		}
	}
}

// perWatcher is what one way cost per watcher.
type perWatcher struct {
	heap, heapInuse, stack float64
	goroutines             float64
	setup                  time.Duration
}

// hold sets up count watchers with w, waits until the server has
// acknowledged every IDLE, measures, then ends them.
func hold(addr string, w way, count int) (perWatcher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := snapshot()
	t0 := time.Now()
	var idle atomic.Int64
	allIdle := make(chan struct{})
	signalIdle := func() {
		if idle.Add(1) == int64(count) {
			close(allIdle)
		}
	}
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, a)
		if err != nil {
			return nil, err
		}
		return &idleSignal{Conn: c, done: signalIdle}, nil
	}
	stops := make([]func(), count)
	var failed atomic.Pointer[error]
	sem := make(chan struct{}, *parallel)
	var started sync.WaitGroup
	for i := range count {
		sem <- struct{}{}
		started.Add(1)
		go func() {
			defer started.Done()
			defer func() { <-sem }()
			stop, err := w.start(ctx, addr, dial)
			if err != nil {
				failed.CompareAndSwap(nil, &err)
				return
			}
			stops[i] = stop
		}()
		if failed.Load() != nil {
			break
		}
	}
	started.Wait()
	if e := failed.Load(); e != nil {
		for _, s := range stops {
			if s != nil {
				s()
			}
		}
		return perWatcher{}, *e
	}
	// Wait for every IDLE to be acknowledged, reporting progress; a wait
	// that makes no progress for a minute fails.
	last, lastAt := int64(0), time.Now()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
wait:
	for {
		select {
		case <-allIdle:
			break wait
		case <-tick.C:
			now := idle.Load()
			fmt.Fprintf(os.Stderr, "  %s: %d of %d in IDLE after %.0f s\n", w.name, now, count, time.Since(t0).Seconds())
			if now != last {
				last, lastAt = now, time.Now()
			} else if time.Since(lastAt) > time.Minute {
				for _, s := range stops {
					if s != nil {
						s()
					}
				}
				return perWatcher{}, fmt.Errorf("only %d of %d watchers reached IDLE", now, count)
			}
		}
	}
	setup := time.Since(t0)
	after := snapshot()
	if *heapProf != "" {
		writeHeapProfile(*heapProf + "." + w.key)
	}
	p := perWatcher{
		heap:       float64(after.heap-before.heap) / float64(count),
		heapInuse:  float64(after.heapInuse-before.heapInuse) / float64(count),
		stack:      float64(after.stack-before.stack) / float64(count),
		goroutines: float64(after.goroutines-before.goroutines) / float64(count),
		setup:      setup,
	}
	for _, s := range stops {
		s()
	}
	cancel()
	return p, nil
}

type snap struct {
	heap, heapInuse, stack uint64
	goroutines             int
}

// snapshot measures the live heap after two collections.
func snapshot() snap {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return snap{heap: m.HeapAlloc, heapInuse: m.HeapInuse, stack: m.StackInuse, goroutines: runtime.NumGoroutine()}
}

// idleSignal is the connection of one watcher: it calls done once, when
// the server's "+ idling" continuation (Dovecot's answer to IDLE) is read.
// The same wrapper is on every way's connections.
type idleSignal struct {
	net.Conn
	seen bool
	done func()
}

func (c *idleSignal) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.seen && bytes.Contains(p[:n], []byte("+ idling")) {
		c.seen = true
		c.done()
	}
	return n, err
}

// raiseFileLimit lifts this process's (and so Dovecot's) open-file limit
// to its hard limit.
func raiseFileLimit() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		log.Fatal(err)
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		log.Fatal(err)
	}
	if int(l.Cur) < *n+100 {
		log.Printf("open-file limit %d: below what %d watchers need", l.Cur, *n)
	}
}

// watchWay: one IMAPClient per watcher, WatchMailbox blocking in a
// goroutine of its own.
func watchWay() way {
	return way{name: "ours: IMAPClient.WatchMailbox", start: func(ctx context.Context, addr string, dial dialer) (func(), error) {
		ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass"), Dialer: dial, Reconnect: &client.NoReconnect})
		if err != nil {
			return nil, err
		}
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			ic.WatchMailbox(wctx, "INBOX", func(email.WatchEvent) error { return nil })
		}()
		return func() { cancel(); ic.Close(); <-done }, nil
	}}
}

// loopWay: every watcher's machine driven by one client.Loop.
func loopWay() way {
	var (
		mu   sync.Mutex
		loop *client.Loop
		end  context.CancelFunc
		runs sync.WaitGroup
	)
	return way{name: "ours: client.Loop + imap.WatchMailbox", start: func(ctx context.Context, addr string, dial dialer) (func(), error) {
		raw, err := dial(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		c := client.NewNetConn(raw, nil, false)
		s := imap.NewSession(false, imap.Limits{})
		var stopped atomic.Bool
		m := coroutine.After(
			imap.Open(s, imap.OpenOptions{AllowInsecureAuth: true, Auth: sasl.NewPlainClient("", "alice", "alicepass")}),
			imap.WatchMailbox(s, "INBOX", imap.WatchOptions{Now: time.Now, Stopped: stopped.Load}))
		mu.Lock()
		l := loop
		if l == nil {
			// The first watcher of a round is posted before Run starts:
			// Run returns when no machine is left, and this one stays.
			l = client.NewLoop()
			loop = l
		}
		l.Post(func() {
			client.Drive(l, c, m, nil, func(_ struct{}, err error) {
				if err != nil && !stopped.Load() {
					fmt.Fprintf(os.Stderr, "  loop watcher ended: %v\n", err)
				}
				c.Close()
			})
		})
		if end == nil {
			lctx, cancel := context.WithCancel(context.Background())
			end = cancel
			runs.Add(1)
			go func() {
				defer runs.Done()
				l.Run(lctx)
			}()
		}
		mu.Unlock()
		return func() {
			stopped.Store(true)
			c.Close()
			mu.Lock()
			defer mu.Unlock()
			if end != nil && l == loop {
				// The first stop of a round ends the loop for all: the
				// connections are closed one by one right after.
				end()
				loop, end = nil, nil
			}
		}, nil
	}}
}

// theirWay: one imapclient per watcher, LOGIN, SELECT INBOX, IDLE.
func theirWay() way {
	return way{name: "go-imap v2 imapclient Idle", start: func(ctx context.Context, addr string, dial dialer) (func(), error) {
		raw, err := dial(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		c := imapclient.New(raw, nil)
		if err := c.Login("alice", "alicepass").Wait(); err != nil {
			c.Close()
			return nil, err
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			c.Close()
			return nil, err
		}
		idle, err := c.Idle()
		if err != nil {
			c.Close()
			return nil, err
		}
		return func() { idle.Close(); c.Close() }, nil
	}}
}

// writeHeapProfile writes the heap profile to path.
func writeHeapProfile(path string) {
	out, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	if err := pprof.Lookup("heap").WriteTo(out, 0); err != nil {
		log.Fatal(err)
	}
}
