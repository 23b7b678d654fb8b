package client

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"
)

// cutProxy is an in-process TCP proxy in front of a server, reached
// through Options.Dialer. It cuts every connection when the client sends
// a chunk that a rule matches, or when the test calls cutAll, and can
// hold new connections until released (a server "down" for a while).
type cutProxy struct {
	t      testing.TB
	ln     net.Listener
	target string

	mu    sync.Mutex
	rules []*cutRule
	links []net.Conn // both ends of every open link
	gate  chan struct{}
	// conts are closed at the next continuation ("+ ") from the server.
	conts []chan struct{}
	// accepted gets the number of every accepted connection (1, 2...).
	accepted chan int
	n        int
}

// cutRule cuts the link on the n-th chunk from the client that contains
// match (after forwarding it when after is set), once.
type cutRule struct {
	match []byte
	after bool
	skip  int
	fired chan struct{}
}

func newCutProxy(t testing.TB, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{t: t, ln: ln, target: target, accepted: make(chan int, 100)}
	t.Cleanup(func() {
		ln.Close()
		p.cutAll()
	})
	go p.serve()
	return p
}

// dialer is the Options.Dialer that reaches the server through the proxy,
// whatever address it is given.
func (p *cutProxy) dialer(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", p.ln.Addr().String())
}

// cutOn adds a rule: cut the link when the client sends match (the
// skip+1-th time), before forwarding it, or after when after is set. The
// returned channel is closed once the rule fired.
func (p *cutProxy) cutOn(match string, after bool, skip int) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &cutRule{match: []byte(match), after: after, skip: skip, fired: make(chan struct{})}
	p.rules = append(p.rules, r)
	return r.fired
}

// nextCont returns a channel closed once the server sends its next
// continuation request (for a watch: the "+" that accepts IDLE).
func (p *cutProxy) nextCont() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	p.conts = append(p.conts, ch)
	return ch
}

func (p *cutProxy) continued() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ch := range p.conts {
		close(ch)
	}
	p.conts = nil
}

// hold makes new connections wait (accepted, but not connected to the
// server) until release.
func (p *cutProxy) hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gate = make(chan struct{})
}

func (p *cutProxy) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
}

// cutAll closes every open link, both ends.
func (p *cutProxy) cutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.links {
		c.Close()
	}
	p.links = nil
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.n++
		n, gate := p.n, p.gate
		p.links = append(p.links, c)
		p.mu.Unlock()
		p.accepted <- n
		go p.link(c, gate)
	}
}

func (p *cutProxy) link(c net.Conn, gate chan struct{}) {
	if gate != nil {
		<-gate
	}
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.links = append(p.links, s)
	p.mu.Unlock()
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := s.Read(buf)
			if n > 0 {
				if _, werr := c.Write(buf[:n]); werr != nil {
					break
				}
				if bytes.HasPrefix(buf[:n], []byte("+ ")) || bytes.Contains(buf[:n], []byte("\n+ ")) {
					p.continued()
				}
			}
			if err != nil {
				break
			}
		}
		c.Close()
		s.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			r := p.match(buf[:n])
			if r != nil && r.after {
				// The server gets the chunk, but no answer can reach the
				// client any more: the client's end is cut first.
				p.cut(c, nil, nil)
				s.Write(buf[:n])
				p.cut(nil, s, r)
				return
			}
			if r != nil {
				p.cut(c, s, r)
				return
			}
			if _, werr := s.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	c.Close()
	s.Close()
}

// match returns the rule chunk fires, and removes it.
func (p *cutProxy) match(chunk []byte) *cutRule {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.rules {
		if !bytes.Contains(chunk, r.match) {
			continue
		}
		if r.skip > 0 {
			r.skip--
			continue
		}
		p.rules = append(p.rules[:i:i], p.rules[i+1:]...)
		return r
	}
	return nil
}

// cut closes c (with a reset, as a dying peer or network gives) and s,
// those that are not nil, and fires r.
func (p *cutProxy) cut(c, s net.Conn, r *cutRule) {
	if c != nil {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	}
	if s != nil {
		s.Close()
	}
	if r != nil {
		close(r.fired)
	}
}

// waitClosed fails t unless ch is closed within a generous bound.
func waitClosed(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatal("timed out waiting for: " + what)
	}
}

// fastReconnect redials at once, then after 1, 2, 4... ms, up to 100 ms.
var fastReconnect = ReconnectPolicy{MaxAttempts: 200, MinDelay: time.Millisecond, MaxDelay: 100 * time.Millisecond}
