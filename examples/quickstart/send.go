package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

// demoMessage is the message sendDemo submits; its Bcc recipient must get
// it without the Bcc header reaching anyone.
const demoMessage = "From: Alice <alice@example.test>\r\n" +
	"To: Bob <bob@example.test>\r\n" +
	"Cc: carol@example.test\r\n" +
	"Bcc: Dave <dave@example.test>\r\n" +
	"Subject: Lunch on Friday?\r\n" +
	"\r\n" +
	"Hi Bob, Carol,\r\n" +
	".a line that starts with a dot survives dot-stuffing\r\n"

// sendDemo starts go-smtp's server in-process on 127.0.0.1 (clear text,
// so AllowPlaintext), connects to it with client.ConnectSMTP, sends
// demoMessage with its Bcc, and prints the envelope and the header the
// server received.
func sendDemo(ctx context.Context, w io.Writer) error {
	be := &demoBackend{}
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(l)
	defer srv.Close()

	c := client.New()
	defer c.Close()
	url := "smtp://" + l.Addr().String()
	if err := c.ConnectSMTP(ctx, url, &client.Options{AllowPlaintext: true, SMTP: smtp.Config{Domain: "quickstart.example.test"}}); err != nil {
		return err
	}
	ext := c.SMTP().Extensions()
	fmt.Fprintf(w, "  connected to %s (PIPELINING %v, CHUNKING %v)\n", url, ext.Pipelining, ext.Chunking)
	res, err := c.SendMessage(ctx, []byte(demoMessage), email.SendOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  accepted: %s\n", strings.Join(res.Accepted, ", "))

	be.mu.Lock()
	defer be.mu.Unlock()
	if len(be.got) != 1 {
		return fmt.Errorf("the server received %d messages, want 1", len(be.got))
	}
	got := be.got[0]
	fmt.Fprintf(w, "  server got MAIL FROM:<%s>\n", got.from)
	for _, to := range got.to {
		fmt.Fprintf(w, "  server got RCPT TO:<%s>\n", to)
	}
	head, _, _ := bytes.Cut(got.data, []byte("\r\n\r\n"))
	bcc := false
	for _, line := range strings.Split(string(head), "\r\n") {
		fmt.Fprintf(w, "  | %s\n", line)
		bcc = bcc || strings.HasPrefix(strings.ToLower(line), "bcc:")
	}
	if bcc {
		return fmt.Errorf("a Bcc header reached the server")
	}
	fmt.Fprintf(w, "  no Bcc header arrived; %d bytes received\n", len(got.data))
	return nil
}

type demoMessageGot struct {
	from string
	to   []string
	data []byte
}

// demoBackend records what go-smtp's server receives.
type demoBackend struct {
	mu  sync.Mutex
	got []demoMessageGot
}

func (b *demoBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &demoSession{b: b}, nil
}

type demoSession struct {
	b   *demoBackend
	cur demoMessageGot
}

func (s *demoSession) Reset()        { s.cur = demoMessageGot{} }
func (s *demoSession) Logout() error { return nil }

func (s *demoSession) Mail(from string, _ *gosmtp.MailOptions) error {
	s.cur.from = from
	return nil
}

func (s *demoSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *demoSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.b.mu.Lock()
	s.b.got = append(s.b.got, s.cur)
	s.b.mu.Unlock()
	return nil
}
