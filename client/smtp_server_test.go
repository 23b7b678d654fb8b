package client_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// smtpReceived is one message as go-smtp's server got it.
type smtpReceived struct {
	From string
	Opts gosmtp.MailOptions
	To   []string
	Data []byte
	Size int64 // with hashOnly
}

// smtpRecorder is a go-smtp backend that records exactly what arrived and can
// be told to refuse at any stage.
type smtpRecorder struct {
	mu       sync.Mutex
	msgs     []smtpReceived
	resets   int
	mailErr  error
	rcptErr  map[string]error
	dataErr  error
	closeIn  bool          // close the connection in the middle of Data
	hang     chan struct{} // when set, Data waits for it to close
	inData   chan struct{} // when set, Data sends on it first
	users    map[string]string
	sessions int
	// hashOnly keeps the SHA-256 of each message in Data (and its size in
	// Size) instead of its bytes, for messages too large to hold.
	hashOnly bool
}

func (r *smtpRecorder) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	r.mu.Lock()
	r.sessions++
	r.mu.Unlock()
	return &smtpRecSession{r: r, c: c}, nil
}

func (r *smtpRecorder) resetCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resets
}

func (r *smtpRecorder) messages() []smtpReceived {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]smtpReceived(nil), r.msgs...)
}

type smtpRecSession struct {
	r   *smtpRecorder
	c   *gosmtp.Conn
	cur smtpReceived
}

func (s *smtpRecSession) AuthMechanisms() []string { return []string{gosasl.Plain} }

func (s *smtpRecSession) Auth(mech string) (gosasl.Server, error) {
	return gosasl.NewPlainServer(func(identity, username, password string) error {
		if p, ok := s.r.users[username]; ok && p == password {
			return nil
		}
		return gosmtp.ErrAuthFailed
	}), nil
}

func (s *smtpRecSession) Reset() {
	s.cur = smtpReceived{}
	s.r.mu.Lock()
	s.r.resets++
	s.r.mu.Unlock()
}

func (s *smtpRecSession) Logout() error { return nil }

func (s *smtpRecSession) Mail(from string, opts *gosmtp.MailOptions) error {
	if s.r.mailErr != nil {
		return s.r.mailErr
	}
	s.cur = smtpReceived{From: from, Opts: *opts}
	return nil
}

func (s *smtpRecSession) Rcpt(to string, opts *gosmtp.RcptOptions) error {
	if err := s.r.rcptErr[to]; err != nil {
		return err
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *smtpRecSession) Data(r io.Reader) error {
	if s.r.inData != nil {
		s.r.inData <- struct{}{}
	}
	if s.r.hang != nil {
		<-s.r.hang
	}
	if s.r.closeIn {
		buf := make([]byte, 10)
		io.ReadFull(r, buf)
		s.c.Conn().Close()
		return errors.New("closed")
	}
	if s.r.hashOnly {
		h := sha256.New()
		n, err := io.Copy(h, r)
		if err != nil {
			return err
		}
		r, s.cur.Size = bytes.NewReader(h.Sum(nil)), n
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.r.dataErr != nil {
		return s.r.dataErr
	}
	s.cur.Data = b
	s.r.mu.Lock()
	s.r.msgs = append(s.r.msgs, s.cur)
	s.r.mu.Unlock()
	return nil
}

// smtpServerOpts configures startSMTPServer.
type smtpServerOpts struct {
	strip   []string // EHLO keywords hidden from the client
	tls     bool     // offer STARTTLS
	utf8    bool     // EnableSMTPUTF8
	maxSize int64
	debug   io.Writer
	timeout time.Duration // read and write timeout, 10 s when 0
}

// startSMTPServer runs go-smtp's server on 127.0.0.1:0 and returns its address.
func startSMTPServer(t *testing.T, be *smtpRecorder, o smtpServerOpts) string {
	t.Helper()
	srv := gosmtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = !o.tls
	srv.EnableSMTPUTF8 = o.utf8
	srv.MaxMessageBytes = o.maxSize
	srv.Debug = o.debug
	srv.ReadTimeout = cmp.Or(o.timeout, 10*time.Second)
	srv.WriteTimeout = srv.ReadTimeout
	if o.tls {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{smtpTestCert(t)}}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var ln net.Listener = l
	if len(o.strip) > 0 {
		ln = &smtpStripListener{Listener: l, strip: o.strip}
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		// Wait for the connections to end first: go-smtp's Close races
		// with a connection still in BDAT.
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(c) != nil {
			srv.Close()
		}
	})
	return l.Addr().String()
}

// smtpStripListener hides EHLO keywords, to test a server without PIPELINING,
// CHUNKING or 8BITMIME (go-smtp always offers them).
type smtpStripListener struct {
	net.Listener
	strip []string
}

func (l *smtpStripListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &smtpStripConn{Conn: c, strip: l.strip}, nil
}

type smtpStripConn struct {
	net.Conn
	strip   []string
	pending []string // the lines of a 250 reply held back until its last line
}

// Write holds back the lines of a multi-line 250 reply (go-smtp writes one
// line per call) and writes the reply without the stripped keywords once
// its last line arrives.
func (c *smtpStripConn) Write(b []byte) (int, error) {
	line := string(b)
	if len(c.pending) == 0 && !strings.HasPrefix(line, "250-") {
		return c.Conn.Write(b)
	}
	kw := strings.Fields(line[4:])
	drop := false
	for _, s := range c.strip {
		if len(kw) > 0 && strings.EqualFold(kw[0], s) {
			drop = true
		}
	}
	if !drop {
		c.pending = append(c.pending, "250-"+line[4:])
	}
	if strings.HasPrefix(line, "250-") {
		return len(b), nil
	}
	out := c.pending
	c.pending = nil
	out[len(out)-1] = "250 " + out[len(out)-1][4:]
	if _, err := c.Conn.Write([]byte(strings.Join(out, ""))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// smtpTestCert returns a self-signed certificate for 127.0.0.1 and localhost.
func smtpTestCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}
}

// smtpCountConn counts the write->read turns of a client connection: a read
// that follows a write starts a new round trip.
type smtpCountConn struct {
	net.Conn
	mu    sync.Mutex
	wrote bool
	turns int
}

func (c *smtpCountConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.wrote = true
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *smtpCountConn) Read(b []byte) (int, error) {
	c.mu.Lock()
	if c.wrote {
		c.turns++
		c.wrote = false
	}
	c.mu.Unlock()
	return c.Conn.Read(b)
}

func (c *smtpCountConn) Turns() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.turns
	c.turns = 0
	return n
}
