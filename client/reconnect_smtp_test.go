package client

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

// countingSMTP is a go-smtp backend that counts the messages it took.
type countingSMTP struct {
	mu   sync.Mutex
	msgs []string
}

func (b *countingSMTP) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return &countingSession{b}, nil
}

func (b *countingSMTP) taken() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.msgs...)
}

type countingSession struct{ b *countingSMTP }

func (s *countingSession) Reset()                                 {}
func (s *countingSession) Logout() error                          { return nil }
func (s *countingSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s *countingSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s *countingSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.msgs = append(s.b.msgs, string(raw))
	return nil
}

// TestReconnectSMTP cuts a submission connection before the message data
// (the send is repeated and the message arrives once), after the end of
// the data (ErrOutcomeUnknown, never repeated), and between sends (the
// next send dials again).
func TestReconnectSMTP(t *testing.T) {
	be := &countingSMTP{}
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	for _, chunking := range []bool{false, true} {
		t.Run(map[bool]string{false: "DATA", true: "BDAT"}[chunking], func(t *testing.T) {
			testReconnectSMTP(t, be, ln.Addr().String(), chunking)
		})
	}
}

func testReconnectSMTP(t *testing.T, be *countingSMTP, addr string, chunking bool) {
	p := newCutProxy(t, addr)
	policy := fastReconnect
	sc, err := DialSMTP(tctx(t), "smtp://"+addr, &Options{AllowPlaintext: true, Dialer: p.dialer, Reconnect: &policy, SMTP: smtp.Config{NoChunking: !chunking}})
	require.NoError(t, err)
	t.Cleanup(func() { sc.Close() })
	suffix := map[bool]string{false: "-data", true: "-bdat"}[chunking]
	msg := func(s string) []byte {
		return []byte("From: a@example.test\r\nTo: b@example.test\r\nSubject: " + s + suffix + "\r\n\r\nbody\r\n")
	}
	count := func(subject string) int {
		n := 0
		for _, m := range be.taken() {
			if strings.Contains(m, "Subject: "+subject+suffix+"\r\n") {
				n++
			}
		}
		return n
	}
	ctx := tctx(t)

	// Before the data: at RCPT with DATA; with BDAT, whose chunk follows
	// without waiting for a reply, at the NOOP that checks the link.
	before := "RCPT TO"
	if chunking {
		before = "NOOP"
	}
	fired := p.cutOn(before, false, 0)
	_, err = sc.SendMessage(ctx, msg("before-data"), email.SendOptions{})
	require.NoError(t, err, "cut before the data: sent again")
	waitClosed(t, fired, "the cut before the data")
	assert.Equal(t, 1, count("before-data"))

	end := "\r\n.\r\n"
	if chunking {
		end = "body\r\n" // the chunk after BDAT
	}
	fired = p.cutOn(end, true, 0)
	_, err = sc.SendMessage(ctx, msg("after-data"), email.SendOptions{})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	waitClosed(t, fired, "the cut after the data")
	assert.LessOrEqual(t, count("after-data"), 1, "never sent twice")

	p.cutAll()
	_, err = sc.SendMessage(ctx, msg("after-idle-cut"), email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1, count("after-idle-cut"))
	require.NoError(t, sc.Noop(ctx))
}
