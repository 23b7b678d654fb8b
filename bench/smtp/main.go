// Command smtp compares our pipelined SMTP client with go-smtp's client,
// both talking to go-smtp's server in this process:
//
//  1. round trips (write->read turns, counted on the client's connection)
//     per 3-recipient message once the session is up;
//  2. wall time for N messages over one connection through a loopback
//     proxy that delays every chunk by -delay in each direction.
//
// Each round sends -n messages with each client in turn; the program
// prints every round's ratio ours/go-smtp (wall) and the median.
//
// Run it from the bench directory: go run ./smtp [-n 100] [-rounds 5] [-delay 10ms]
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/bench/internal/smtpsink"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

var rcpts = []string{"bob@example.test", "carol@example.test", "dan@example.test"}

var message = []byte("From: Alice <alice@example.test>\r\n" +
	"To: Bob <bob@example.test>, carol@example.test\r\n" +
	"Cc: dan@example.test\r\n" +
	"Subject: benchmark\r\n" +
	"\r\n" + strings.Repeat("A line of a 4 KB body, long enough to be typical of mail.\r\n", 70))

func main() {
	n := flag.Int("n", 100, "messages per client and round in the latency run")
	nRounds := flag.Int("rounds", 5, "rounds of the latency run")
	delay := flag.Duration("delay", 10*time.Millisecond, "delay added in each direction by the proxy")
	flag.Parse()
	log.SetFlags(0)
	fmt.Println(rounds.Settings())

	srv := smtpsink.Start()
	fmt.Printf("message: %d bytes, %d recipients\n\n", len(message), len(rcpts))

	fmt.Println("1. round trips per message (write->read turns after the session is up), loopback")
	for _, c := range []struct {
		name string
		cfg  smtp.Config
	}{
		{"ours, PIPELINING + CHUNKING (BDAT)", smtp.Config{}},
		{"ours, PIPELINING + DATA", smtp.Config{NoChunking: true}},
	} {
		cc := dialCount(srv)
		nc, s := ourSession(cc, c.cfg)
		cc.Turns()
		mustRun(client.RunNet(context.Background(), nc, s.Send(message, email.SendOptions{}), nil))
		fmt.Printf("   %-40s %d\n", c.name, cc.Turns())
		nc.Close()
	}
	cc := dialCount(srv)
	gc := goSMTPSession(cc)
	cc.Turns()
	if err := gc.SendMail("alice@example.test", rcpts, strings.NewReader(string(message))); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("   %-40s %d\n\n", "go-smtp client (SendMail)", cc.Turns())
	gc.Close()

	proxy := startProxy(srv, *delay)
	fmt.Printf("2. %d messages per round over one connection per client, proxy adding %v each way (RTT %v), %d rounds\n", *n, *delay, 2**delay, *nRounds)
	dial := func() net.Conn {
		conn, err := net.Dial("tcp", proxy)
		if err != nil {
			log.Fatal(err)
		}
		return conn
	}
	// One connection per client for the whole run, set up before the
	// first round; the rounds alternate the three clients.
	bdatConn, bdat := ourSession(dial(), smtp.Config{})
	dataConn, data := ourSession(dial(), smtp.Config{NoChunking: true})
	gc = goSMTPSession(dial())
	ours := func(nc *client.NetConn, s *smtp.Session) time.Duration {
		start := time.Now()
		for range *n {
			mustRun(client.RunNet(context.Background(), nc, s.Send(message, email.SendOptions{}), nil))
		}
		return time.Since(start)
	}
	bdatR := rounds.Ratios{Name: "ours PIPELINING + CHUNKING (BDAT) / go-smtp", Unit: "wall"}
	dataR := rounds.Ratios{Name: "ours PIPELINING + DATA / go-smtp", Unit: "wall"}
	for round := range *nRounds {
		b := ours(bdatConn, bdat)
		d := ours(dataConn, data)
		start := time.Now()
		for range *n {
			if err := gc.SendMail("alice@example.test", rcpts, strings.NewReader(string(message))); err != nil {
				log.Fatal(err)
			}
		}
		g := time.Since(start)
		fmt.Printf("   round %d  BDAT %6.1f ms/message  DATA %6.1f ms/message  go-smtp %6.1f ms/message  ratios %.2f %.2f\n",
			round+1, ms(b)/float64(*n), ms(d)/float64(*n), ms(g)/float64(*n), bdatR.Add(b.Seconds(), g.Seconds()), dataR.Add(d.Seconds(), g.Seconds()))
	}
	bdatConn.Close()
	dataConn.Close()
	gc.Close()
	fmt.Print("   ")
	bdatR.Print(os.Stdout)
	fmt.Print("   ")
	dataR.Print(os.Stdout)
	fmt.Printf("   speed-up (1/median): BDAT %.1fx, DATA %.1fx\n", 1/bdatR.Median(), 1/dataR.Median())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mustRun(_ email.SendResult, err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// ourSession sets up our session (greeting, EHLO) on conn.
func ourSession(conn net.Conn, cfg smtp.Config) (*client.NetConn, *smtp.Session) {
	cfg.Domain = "bench.example.test"
	nc := client.NewNetConn(conn, &tls.Config{}, false)
	s := smtp.NewSession(cfg, false)
	if _, err := client.RunNet(context.Background(), nc, s.Connect(smtp.ConnectOptions{AllowPlaintext: true}), nil); err != nil {
		log.Fatal(err)
	}
	return nc, s
}

// goSMTPSession sets up go-smtp's client (greeting, EHLO) on conn.
func goSMTPSession(conn net.Conn) *gosmtp.Client {
	c := gosmtp.NewClient(conn)
	if err := c.Hello("bench.example.test"); err != nil {
		log.Fatal(err)
	}
	return c
}

// countConn counts write->read turns: a read after a write starts a round
// trip.
type countConn struct {
	net.Conn
	mu    sync.Mutex
	wrote bool
	turns int
}

func dialCount(addr string) *countConn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	return &countConn{Conn: c}
}

func (c *countConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.wrote = true
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *countConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if c.wrote {
		c.turns, c.wrote = c.turns+1, false
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

// Turns returns the count since the last call.
func (c *countConn) Turns() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.turns
	c.turns = 0
	return n
}

// startProxy forwards connections to target, delivering every chunk read
// in either direction delay after it was read (latency, not bandwidth).
func startProxy(target string, delay time.Duration) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				log.Fatal(err)
			}
			go pipe(in, out, delay)
			go pipe(out, in, delay)
		}
	}()
	return l.Addr().String()
}

type chunk struct {
	at   time.Time
	data []byte
}

func pipe(src, dst net.Conn, delay time.Duration) {
	q := make(chan chunk, 4096)
	go func() {
		for c := range q {
			time.Sleep(time.Until(c.at))
			if _, err := dst.Write(c.data); err != nil {
				return
			}
		}
		dst.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			q <- chunk{at: time.Now().Add(delay), data: append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			close(q)
			return
		}
	}
}
