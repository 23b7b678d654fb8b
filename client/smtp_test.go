package client_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

const smtpSample = "From: Alice <alice@example.test>\r\n" +
	"To: Bob <bob@example.test>, carol@example.test\r\n" +
	"Cc: \"Dan, Jr.\" <dan@example.test>\r\n" +
	"Bcc: eve@example.test,\r\n" +
	"  Frank <frank@example.test>\r\n" +
	"Subject: hello\r\n" +
	"\r\n" +
	"Hi all.\r\n"

const smtpSampleNoBcc = "From: Alice <alice@example.test>\r\n" +
	"To: Bob <bob@example.test>, carol@example.test\r\n" +
	"Cc: \"Dan, Jr.\" <dan@example.test>\r\n" +
	"Subject: hello\r\n" +
	"\r\n" +
	"Hi all.\r\n"

func smtpCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// smtpConnect dials go-smtp's server in the clear, as the quickstart does,
// authenticating with auth when not nil.
func smtpConnect(t *testing.T, addr string, auth *client.Auth) *client.SMTPClient {
	t.Helper()
	sc, err := client.DialSMTP(smtpCtx(t), "smtp://"+addr, &client.Options{AllowPlaintext: true, Auth: auth})
	require.NoError(t, err)
	t.Cleanup(func() { sc.Close() })
	return sc
}

func TestSMTPSendStripsBcc(t *testing.T) {
	for _, strip := range [][]string{nil, {"CHUNKING"}, {"PIPELINING"}, {"PIPELINING", "CHUNKING"}} {
		t.Run(fmt.Sprint(strip), func(t *testing.T) {
			be := &smtpRecorder{}
			dbg := &smtpLockedWriter{w: new(bytes.Buffer)}
			addr := startSMTPServer(t, be, smtpServerOpts{strip: strip, debug: dbg})
			sc := smtpConnect(t, addr, nil)
			res, err := sc.SendMessage(smtpCtx(t), []byte(smtpSample), email.SendOptions{})
			require.NoError(t, err)
			want := []string{"bob@example.test", "carol@example.test", "dan@example.test", "eve@example.test", "frank@example.test"}
			assert.Equal(t, want, res.Accepted)
			assert.Empty(t, res.Rejected)
			msgs := be.messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, "alice@example.test", msgs[0].From)
			assert.Equal(t, want, msgs[0].To)
			assert.Equal(t, smtpSampleNoBcc, string(msgs[0].Data))
			chunking := !strings.Contains(fmt.Sprint(strip), "CHUNKING")
			assert.Equal(t, chunking, strings.Contains(dbg.String(), "BDAT "), "BDAT used iff CHUNKING offered")
		})
	}
}

func TestSMTPKeepBccAndOverrides(t *testing.T) {
	be := &smtpRecorder{}
	sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{}), nil)
	res, err := sc.SendMessage(smtpCtx(t), []byte(smtpSample), email.SendOptions{KeepBcc: true, From: "bounce@example.test", To: []string{"x@example.test", "x@EXAMPLE.test", "y@example.test"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"x@example.test", "y@example.test"}, res.Accepted)
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "bounce@example.test", msgs[0].From)
	assert.Equal(t, smtpSample, string(msgs[0].Data))
}

func TestSMTPDotStuffingAndLineEndings(t *testing.T) {
	body := "From: a@example.test\nTo: b@example.test\n\n.\n..two\n.leading\nbare\rcr\nlast line without newline"
	want := "From: a@example.test\r\nTo: b@example.test\r\n\r\n.\r\n..two\r\n.leading\r\nbare\r\ncr\r\nlast line without newline\r\n"
	for _, strip := range [][]string{nil, {"CHUNKING"}} {
		t.Run(fmt.Sprint(strip), func(t *testing.T) {
			be := &smtpRecorder{}
			sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{strip: strip}), nil)
			_, err := sc.SendMessage(smtpCtx(t), []byte(body), email.SendOptions{})
			require.NoError(t, err)
			msgs := be.messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, want, string(msgs[0].Data))
		})
	}
}

func TestSMTPEightBitAndUTF8(t *testing.T) {
	body8 := "From: a@example.test\r\nTo: b@example.test\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n"
	t.Run("8bit offered", func(t *testing.T) {
		be := &smtpRecorder{}
		sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{}), nil)
		_, err := sc.SendMessage(smtpCtx(t), []byte(body8), email.SendOptions{})
		require.NoError(t, err)
		msgs := be.messages()
		require.Len(t, msgs, 1)
		assert.Equal(t, gosmtp.Body8BitMIME, msgs[0].Opts.Body)
		assert.False(t, msgs[0].Opts.UTF8)
		assert.Equal(t, body8, string(msgs[0].Data))
	})
	t.Run("8bit not offered", func(t *testing.T) {
		be := &smtpRecorder{}
		sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{strip: []string{"8BITMIME"}}), nil)
		_, err := sc.SendMessage(smtpCtx(t), []byte(body8), email.SendOptions{})
		require.ErrorIs(t, err, email.ErrUnsupported)
		assert.Contains(t, err.Error(), "8BITMIME")
		assert.Empty(t, be.messages())
		// The session is still usable.
		_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
		require.NoError(t, err)
	})
	utf := "From: Jörg <jörg@exämple.test>\r\nTo: =?utf-8?q?Z=C3=B6e?= <zöe@example.test>, plain@example.test\r\nSubject: Grüße\r\n\r\nhi\r\n"
	t.Run("utf8 offered", func(t *testing.T) {
		be := &smtpRecorder{}
		sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{utf8: true}), nil)
		res, err := sc.SendMessage(smtpCtx(t), []byte(utf), email.SendOptions{})
		require.NoError(t, err)
		assert.Equal(t, []string{"zöe@example.test", "plain@example.test"}, res.Accepted)
		msgs := be.messages()
		require.Len(t, msgs, 1)
		assert.True(t, msgs[0].Opts.UTF8)
		assert.Equal(t, "jörg@exämple.test", msgs[0].From)
		assert.Equal(t, utf, string(msgs[0].Data))
	})
	t.Run("utf8 not offered", func(t *testing.T) {
		be := &smtpRecorder{}
		sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{}), nil)
		_, err := sc.SendMessage(smtpCtx(t), []byte(utf), email.SendOptions{})
		require.ErrorIs(t, err, email.ErrUnsupported)
		assert.Contains(t, err.Error(), "SMTPUTF8")
		assert.Empty(t, be.messages())
	})
	t.Run("utf8 header only", func(t *testing.T) {
		// A UTF-8 subject with an ASCII envelope still goes, with
		// BODY=8BITMIME, to a server without SMTPUTF8.
		be := &smtpRecorder{}
		sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{}), nil)
		msg := "From: a@example.test\r\nTo: b@example.test\r\nSubject: Grüße\r\n\r\nhi\r\n"
		_, err := sc.SendMessage(smtpCtx(t), []byte(msg), email.SendOptions{})
		require.NoError(t, err)
		require.Len(t, be.messages(), 1)
		assert.False(t, be.messages()[0].Opts.UTF8)
	})
}

// smtpRawSession connects a session over a counting connection, for round
// trip counts.
func smtpRawSession(t *testing.T, addr string, cfg smtp.Config) (*client.NetConn, *smtp.Session, *smtpCountConn) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	cc := &smtpCountConn{Conn: c}
	nc := client.NewNetConn(cc, &tls.Config{}, false)
	t.Cleanup(func() { nc.Close() })
	s := smtp.NewSession(cfg, false)
	_, err = client.RunNet(smtpCtx(t), nc, s.Connect(smtp.ConnectOptions{AllowPlaintext: true}), nil)
	require.NoError(t, err)
	cc.Turns()
	return nc, s, cc
}

func TestSMTPRoundTrips(t *testing.T) {
	msg := []byte("From: a@example.test\r\nTo: b@example.test, c@example.test, d@example.test\r\n\r\nhi\r\n")
	cases := []struct {
		name  string
		strip []string
		cfg   smtp.Config
		turns int
	}{
		{"pipelining+chunking", nil, smtp.Config{}, 1},
		{"pipelining+data", nil, smtp.Config{NoChunking: true}, 2},
		{"pipelining stripped", []string{"PIPELINING"}, smtp.Config{NoChunking: true}, 6},
		{"pipelining off", nil, smtp.Config{NoPipelining: true}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			be := &smtpRecorder{}
			nc, s, cc := smtpRawSession(t, startSMTPServer(t, be, smtpServerOpts{strip: c.strip}), c.cfg)
			for i := 0; i < 3; i++ {
				res, err := client.RunNet(smtpCtx(t), nc, s.Send(msg, email.SendOptions{}), nil)
				require.NoError(t, err)
				assert.Len(t, res.Accepted, 3)
				assert.Equal(t, c.turns, cc.Turns(), "round trips for message %d", i)
			}
			assert.Len(t, be.messages(), 3)
		})
	}
}

func TestSMTPRecipientRejections(t *testing.T) {
	for _, strip := range [][]string{nil, {"CHUNKING"}, {"PIPELINING"}} {
		t.Run(fmt.Sprint(strip), func(t *testing.T) {
			be := &smtpRecorder{rcptErr: map[string]error{
				"carol@example.test": &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"},
				"dan@example.test":   &gosmtp.SMTPError{Code: 450, EnhancedCode: gosmtp.EnhancedCode{4, 2, 1}, Message: "try later"},
			}}
			sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{strip: strip}), nil)
			res, err := sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
			require.NoError(t, err, "partial success is not an error")
			assert.Equal(t, []string{"bob@example.test"}, res.Accepted)
			require.Len(t, res.Rejected, 2)
			assert.Equal(t, "carol@example.test", res.Rejected[0].Address)
			assert.ErrorIs(t, res.Rejected[0].Err, email.ErrNotFound)
			var se *smtp.Error
			require.ErrorAs(t, res.Rejected[1].Err, &se)
			assert.True(t, se.Temporary())
			assert.Equal(t, smtp.EnhancedCode{4, 2, 1}, se.Enhanced)
			assert.Contains(t, res.Rejected[1].Reason, "try later")
			require.Len(t, be.messages(), 1)
			assert.Equal(t, []string{"bob@example.test"}, be.messages()[0].To)

			// Nobody accepted: an error, the transaction reset, the
			// session still usable.
			resets := be.resetCount()
			res, err = sc.SendMessage(smtpCtx(t), []byte("From: a@example.test\r\nTo: carol@example.test, dan@example.test\r\n\r\nx\r\n"), email.SendOptions{})
			require.ErrorIs(t, err, smtp.ErrNoRecipients)
			require.ErrorAs(t, err, &se)
			assert.Equal(t, 550, se.Code)
			assert.Len(t, res.Rejected, 2)
			assert.Greater(t, be.resetCount(), resets, "RSET sent")
			_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
			require.NoError(t, err)
			assert.Len(t, be.messages(), 2)
		})
	}
}

func TestSMTPFailureAtEveryStage(t *testing.T) {
	temp := &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "busy"}
	perm := &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 1}, Message: "policy"}
	for _, strip := range [][]string{nil, {"CHUNKING"}, {"PIPELINING", "CHUNKING"}} {
		for _, stage := range []string{"MAIL", "RCPT", "DATA"} {
			for _, e := range []*gosmtp.SMTPError{temp, perm} {
				t.Run(fmt.Sprint(strip, stage, e.Code), func(t *testing.T) {
					be := &smtpRecorder{}
					switch stage {
					case "MAIL":
						be.mailErr = e
					case "RCPT":
						be.rcptErr = map[string]error{"b@example.test": e}
					case "DATA":
						be.dataErr = e
					}
					sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{strip: strip}), nil)
					_, err := sc.SendMessage(smtpCtx(t), []byte("From: a@example.test\r\nTo: b@example.test\r\n\r\nx\r\n"), email.SendOptions{})
					var se *smtp.Error
					require.ErrorAs(t, err, &se)
					assert.Equal(t, e.Code, se.Code)
					assert.Equal(t, e.Code/100 == 4, se.Temporary())
					assert.Equal(t, smtp.EnhancedCode(e.EnhancedCode), se.Enhanced)
					require.NoError(t, sc.Noop(smtpCtx(t)), "session survives a refusal")
				})
			}
		}
	}
	t.Run("EHLO", func(t *testing.T) {
		// go-smtp answers EHLO with 451 when the backend refuses the
		// session.
		srvAddr := startSMTPServer(t, &smtpRecorder{}, smtpServerOpts{})
		_ = srvAddr
		be := smtpRefuseBackend{}
		srv := gosmtp.NewServer(be)
		srv.Domain = "localhost"
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		go srv.Serve(l)
		defer srv.Close()
		_, err = client.DialSMTP(smtpCtx(t), "smtp://"+l.Addr().String(), &client.Options{AllowPlaintext: true})
		var se *smtp.Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "EHLO", se.Command)
		assert.True(t, se.Temporary())
	})
}

type smtpRefuseBackend struct{}

func (smtpRefuseBackend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) {
	return nil, errors.New("not now")
}

func TestSMTPServerClosesDuringData(t *testing.T) {
	for _, strip := range [][]string{nil, {"CHUNKING"}} {
		t.Run(fmt.Sprint(strip), func(t *testing.T) {
			be := &smtpRecorder{closeIn: true}
			// Without reconnecting, the broken connection stays broken
			// (reconnect_smtp_test.go covers the redial).
			sc, err := client.DialSMTP(smtpCtx(t), "smtp://"+startSMTPServer(t, be, smtpServerOpts{strip: strip}), &client.Options{AllowPlaintext: true, Reconnect: &client.NoReconnect})
			require.NoError(t, err)
			defer sc.Close()
			big := "From: a@example.test\r\nTo: b@example.test\r\n\r\n" + strings.Repeat("line of text\r\n", 1000)
			_, err = sc.SendMessage(smtpCtx(t), []byte(big), email.SendOptions{})
			require.ErrorIs(t, err, client.ErrOutcomeUnknown, "cut in the middle of the data")
			_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
			require.ErrorIs(t, err, client.ErrConnBroken)
		})
	}
}

func TestSMTPAuthPlain(t *testing.T) {
	be := &smtpRecorder{users: map[string]string{"alice": "s3cret-pass"}}
	addr := startSMTPServer(t, be, smtpServerOpts{})
	sc := smtpConnect(t, addr, client.Password("alice", "s3cret-pass"))
	_, err := sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
	require.NoError(t, err)

	_, err = client.DialSMTP(smtpCtx(t), "smtp://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "wrong-pass")})
	require.ErrorIs(t, err, smtp.ErrAuthFailed)
	assert.NotContains(t, err.Error(), "wrong-pass")

	// Over a clear link without AllowPlaintext: refused before anything
	// is sent (the server does not offer STARTTLS here).
	_, err = client.DialSMTP(smtpCtx(t), "smtp://"+addr, &client.Options{Auth: client.Password("alice", "s3cret-pass")})
	require.ErrorIs(t, err, email.ErrInsecure)
}

func TestSMTPStartTLS(t *testing.T) {
	be := &smtpRecorder{users: map[string]string{"alice": "pw"}}
	addr := startSMTPServer(t, be, smtpServerOpts{tls: true})
	cfg := &tls.Config{InsecureSkipVerify: true}
	sc, err := client.DialSMTP(smtpCtx(t), "smtp://"+addr, &client.Options{TLSConfig: cfg, Auth: client.Password("alice", "pw")})
	require.NoError(t, err)
	defer sc.Close()
	assert.False(t, sc.Extensions().StartTLS, "extensions refreshed after STARTTLS")
	assert.True(t, sc.Extensions().HasAuth("PLAIN"))
	_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
	require.NoError(t, err)

	// A server that does not offer STARTTLS ("stripping") is refused.
	plain := startSMTPServer(t, &smtpRecorder{}, smtpServerOpts{})
	_, err = client.DialSMTP(smtpCtx(t), "smtp://"+plain, nil)
	require.ErrorIs(t, err, email.ErrInsecure)
	require.ErrorIs(t, err, smtp.ErrNoStartTLS)
}

func TestSMTPSizeLimit(t *testing.T) {
	be := &smtpRecorder{}
	sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{maxSize: 100}), nil)
	assert.Equal(t, int64(100), sc.Extensions().Size)
	big := "From: a@example.test\r\nTo: b@example.test\r\n\r\n" + strings.Repeat("x", 200) + "\r\n"
	_, err := sc.SendMessage(smtpCtx(t), []byte(big), email.SendOptions{})
	require.ErrorIs(t, err, email.ErrTooLarge)
	assert.Empty(t, be.messages())
	require.NoError(t, sc.Noop(smtpCtx(t)))
}

func TestSMTPManyMessagesOneConnection(t *testing.T) {
	be := &smtpRecorder{}
	c := client.New()
	addr := startSMTPServer(t, be, smtpServerOpts{})
	require.NoError(t, c.ConnectSMTP(smtpCtx(t), "smtp://"+addr, &client.Options{AllowPlaintext: true, SMTP: smtp.Config{Domain: "client.example.test"}}))
	require.NotNil(t, c.SMTP())
	for i := 0; i < 20; i++ {
		msg := fmt.Sprintf("From: a@example.test\r\nTo: b%d@example.test\r\nSubject: %d\r\n\r\nbody %d\r\n", i, i, i)
		_, err := c.SendMessage(smtpCtx(t), []byte(msg), email.SendOptions{})
		require.NoError(t, err)
	}
	require.NoError(t, c.Close())
	msgs := be.messages()
	require.Len(t, msgs, 20)
	assert.Equal(t, []string{"b7@example.test"}, msgs[7].To)
	assert.Equal(t, 1, be.sessions)
	_, err := c.SMTP().SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
	require.ErrorIs(t, err, client.ErrClosed, "closed locally")
	require.NotErrorIs(t, err, client.ErrConnBroken)
}

func TestSMTPBadURLs(t *testing.T) {
	for _, u := range []string{"imap://host", "smtp://", "http://x", "::"} {
		_, err := client.DialSMTP(smtpCtx(t), u, nil)
		require.ErrorIs(t, err, email.ErrInvalidArgument, u)
	}
}

func TestSMTPBadMessage(t *testing.T) {
	be := &smtpRecorder{}
	sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{}), nil)
	for _, msg := range []string{
		"To: b@example.test\r\n\r\nno from\r\n",
		"From: a@example.test\r\n\r\nno recipient\r\n",
		"From: a@example.test\r\nTo: <unclosed@example.test\r\n\r\nx\r\n",
	} {
		_, err := sc.SendMessage(smtpCtx(t), []byte(msg), email.SendOptions{})
		require.ErrorIs(t, err, email.ErrInvalidArgument, msg)
	}
	_, err := sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{To: []string{"x@example.test\r\nRCPT TO:<evil@example.test>"}})
	require.ErrorIs(t, err, email.ErrInvalidArgument)
	require.NoError(t, sc.Noop(smtpCtx(t)))
	assert.Empty(t, be.messages())
}

type smtpLockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *smtpLockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (l *smtpLockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func TestSMTPContextCancelled(t *testing.T) {
	be := &smtpRecorder{hang: make(chan struct{})}
	defer close(be.hang)
	sc, err := client.DialSMTP(smtpCtx(t), "smtp://"+startSMTPServer(t, be, smtpServerOpts{}), &client.Options{AllowPlaintext: true, Reconnect: &client.NoReconnect})
	require.NoError(t, err)
	c, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = sc.SendMessage(c, []byte(smtpSampleNoBcc), email.SendOptions{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, client.ErrOutcomeUnknown, "the data went out")
	// The session was left in the middle of a transaction: closed.
	_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
	require.ErrorIs(t, err, client.ErrConnBroken)
	require.NoError(t, sc.Close())
}

func TestSMTPSenderDispatch(t *testing.T) {
	c := client.New()
	_, err := c.SendMessage(smtpCtx(t), []byte(smtpSampleNoBcc), email.SendOptions{})
	require.ErrorIs(t, err, email.ErrNoBackend)
	assert.Nil(t, c.SMTP())
}

func TestSMTPDefaultEHLODomain(t *testing.T) {
	dbg := &smtpLockedWriter{w: new(bytes.Buffer)}
	sc := smtpConnect(t, startSMTPServer(t, &smtpRecorder{}, smtpServerOpts{debug: dbg}), nil)
	require.NoError(t, sc.Noop(smtpCtx(t)))
	host, _ := os.Hostname()
	if strings.Contains(host, ".") {
		assert.Contains(t, dbg.String(), "EHLO "+host)
	} else {
		assert.Contains(t, dbg.String(), "EHLO [127.0.0.1]")
	}
}
