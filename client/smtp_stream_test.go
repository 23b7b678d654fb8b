package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/smtp"
)

// streamHead is the header of the streamed sends, with a Bcc to remove.
const (
	streamHead   = "From: alice@example.test\r\nTo: bob@example.test\r\nBcc: carol@example.test\r\nSubject: big\r\n\r\n"
	streamNoBcc  = "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: big\r\n\r\n"
	streamBccLen = int64(len(streamHead) - len(streamNoBcc))
)

// expectedSend returns the SHA-256 and size of what a server must receive
// for a streamed message of size bytes with streamHead: the same without
// Bcc, ending with a CRLF.
func expectedSend(size int64) ([]byte, int64) {
	m := newBigMessageWith(size-streamBccLen, streamNoBcc)
	var last [2]byte
	n, _ := io.Copy(writerFunc(func(b []byte) (int, error) {
		last = [2]byte{last[1], b[len(b)-1]}
		if len(b) > 1 {
			last[0] = b[len(b)-2]
		}
		return len(b), nil
	}), m)
	if last != [2]byte{'\r', '\n'} {
		m.sum.Write([]byte("\r\n"))
		n += 2
	}
	return m.sum.Sum(nil), n
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// TestSMTPSendMessageReaderBig streams a 100 MiB message to go-smtp's
// server through BDAT and through DATA: it arrives intact (dot-stuffing
// undone by the server, Bcc removed, both recipients in the envelope) and
// the send allocates less than maxExtraHeap.
func TestSMTPSendMessageReaderBig(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 100 MiB")
	}
	want, wantSize := expectedSend(bigSize)
	// BDAT and DATA; without PIPELINING in TestSMTPSendMessageReaderSmall.
	for _, strip := range [][]string{nil, {"CHUNKING"}} {
		t.Run(fmt.Sprint(strip), func(t *testing.T) {
			be := &smtpRecorder{hashOnly: true}
			// go-smtp's DATA reader is slow under the race detector.
			sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{strip: strip, timeout: 2 * time.Minute}), nil)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var res email.SendResult
			var err error
			n := allocated(func() {
				res, err = sc.SendMessageReader(ctx, newBigMessageWith(bigSize, streamHead), -1, email.SendOptions{})
			})
			require.NoError(t, err)
			assert.Equal(t, []string{"bob@example.test", "carol@example.test"}, res.Accepted)
			msgs := be.messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, []string{"bob@example.test", "carol@example.test"}, msgs[0].To)
			assert.Equal(t, wantSize, msgs[0].Size)
			assert.Equal(t, want, msgs[0].Data, "what arrived is the message without Bcc")
			// The server runs in this process: its reading counts too.
			assert.Less(t, n, uint64(maxExtraHeap), "send allocated %d bytes", n)
			t.Logf("%v: allocated %d KiB", strip, n>>10)

			// The session is still usable for a plain send.
			_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSample), email.SendOptions{})
			require.NoError(t, err)
		})
	}
}

// TestSMTPSendMessageReaderSmall checks the stream against SendMessage on
// the awkward inputs: bare LF and CR, leading dots, no final newline, a
// header only, and a header split over many tiny reads.
func TestSMTPSendMessageReaderSmall(t *testing.T) {
	cases := []string{
		"From: a@example.test\nTo: b@example.test\nBcc: c@example.test\n\n.\n..two\n.leading\nbare\rcr\nlast line without newline",
		"From: a@example.test\r\nTo: b@example.test\r\n",
		"From: a@example.test\r\nTo: b@example.test\r\n\r\n",
		smtpSample,
	}
	for _, strip := range [][]string{nil, {"CHUNKING"}, {"PIPELINING"}} {
		for i, raw := range cases {
			t.Run(fmt.Sprint(strip, i), func(t *testing.T) {
				be := &smtpRecorder{}
				sc := smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{strip: strip}), nil)
				want, err := sc.SendMessage(smtpCtx(t), []byte(raw), email.SendOptions{})
				require.NoError(t, err)
				got, err := sc.SendMessageReader(smtpCtx(t), &oneByteReader{s: raw}, int64(len(raw)), email.SendOptions{})
				require.NoError(t, err)
				assert.Equal(t, want, got)
				msgs := be.messages()
				require.Len(t, msgs, 2)
				assert.Equal(t, string(msgs[0].Data), string(msgs[1].Data))
				assert.Equal(t, msgs[0].To, msgs[1].To)
			})
		}
	}
}

// oneByteReader hands out one byte per Read.
type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	p[0], r.s = r.s[0], r.s[1:]
	return 1, nil
}

// TestSMTPSendMessageReaderLimits checks the server's SIZE: a size given
// over it is refused before anything is sent and the session stays
// usable; an unknown size that turns out over it ends with email.ErrTooLarge.
func TestSMTPSendMessageReaderLimits(t *testing.T) {
	be := &smtpRecorder{hashOnly: true}
	addr := startSMTPServer(t, be, smtpServerOpts{maxSize: 1 << 20})
	sc := smtpConnect(t, addr, nil)
	_, err := sc.SendMessageReader(smtpCtx(t), newBigMessageWith(2<<20, streamHead), 2<<20, email.SendOptions{})
	require.ErrorIs(t, err, email.ErrTooLarge)
	_, err = sc.SendMessage(smtpCtx(t), []byte(smtpSample), email.SendOptions{})
	require.NoError(t, err, "the refusal left the session usable")

	sc = smtpConnect(t, addr, nil)
	_, err = sc.SendMessageReader(smtpCtx(t), newBigMessageWith(2<<20, streamHead), -1, email.SendOptions{})
	require.ErrorIs(t, err, email.ErrTooLarge)
	assert.Len(t, be.messages(), 1, "only the small message arrived")
}

// TestSMTPPostfixSendMessageReader streams a 30 MiB message (under the
// peer's 40 MiB message_size_limit) through Postfix's submission port with
// BDAT: it is delivered to bob's Maildir with the body intact and no Bcc,
// allocating less than maxExtraHeap. A 100 MiB message is then refused: by
// SIZE before any data when its size is given (the session stays usable),
// and with email.ErrTooLarge once the stream passes the limit when not.
func TestSMTPPostfixSendMessageReader(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 30 MiB")
	}
	env := testpeers.Load(t, "PEERS_SUBMISSION_ADDR")
	dial := func() *client.SMTPClient {
		c := client.New()
		t.Cleanup(func() { c.Close() })
		require.NoError(t, c.ConnectSMTP(smtpCtx(t), "smtp://"+env["PEERS_SUBMISSION_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "alicepass"), SMTP: smtp.Config{Domain: "client.example.test"}}))
		return c.SMTP()
	}
	sc := dial()
	tok := smtpToken(t)
	head := "From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\nBcc: bob@example.test\r\n" +
		"Subject: stream " + tok + "\r\nMessage-ID: <" + tok + "@example.test>\r\n\r\n"
	line := int64(len(newBigMessage(0).line))
	size := int64(len(head)) + (30<<20)/line*line
	src := newBigMessageWith(size, head)
	var res email.SendResult
	var err error
	n := allocated(func() { res, err = sc.SendMessageReader(smtpCtx(t), src, size, email.SendOptions{}) })
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@example.test"}, res.Accepted)
	assert.Less(t, n, uint64(maxExtraHeap), "send allocated %d bytes", n)
	t.Logf("30 MiB through Postfix: allocated %d KiB", n>>10)

	// Postfix stores LF line endings: compare the body that way.
	want := sha256.New()
	body := newBigMessageWith(size, head)
	io.CopyN(io.Discard, body, int64(len(head)))
	io.Copy(writerFunc(func(b []byte) (int, error) { want.Write(bytes.ReplaceAll(b, []byte("\r"), nil)); return len(b), nil }), body)
	got := smtpDelivered(t, env, "bob", tok)
	t.Cleanup(func() { smtpRemoveDelivered(t, env, "bob", tok) })
	h, b, ok := strings.Cut(string(got), "\n\n")
	require.True(t, ok)
	assert.NotContains(t, strings.ToLower(h), "\nbcc:", "Bcc removed")
	assert.Equal(t, want.Sum(nil), sha256Of([]byte(b)), "body delivered intact (%d bytes)", len(b))

	big := int64(100 << 20)
	_, err = sc.SendMessageReader(smtpCtx(t), newBigMessageWith(big, head), big, email.SendOptions{})
	require.ErrorIs(t, err, email.ErrTooLarge)
	require.NoError(t, sc.Noop(smtpCtx(t)), "refused by SIZE before any data: the session is usable")

	_, err = dial().SendMessageReader(smtpCtx(t), newBigMessageWith(big, head), -1, email.SendOptions{})
	require.ErrorIs(t, err, email.ErrTooLarge)
}

// smtpRemoveDelivered deletes the message holding tok in its subject from
// user's Maildir, so that a large test message does not slow down the
// other tests scanning that Maildir.
func smtpRemoveDelivered(t *testing.T, env testpeers.Env, user, tok string) {
	root := filepath.Join(env["PEERS_DOVECOT_MAILDIR_ROOT"], user, "Maildir")
	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(root)})
	defer c.Close()
	envs, err := c.ListEnvelopes(smtpCtx(t), "INBOX", email.ListOptions{})
	require.NoError(t, err)
	for _, e := range envs {
		if strings.Contains(e.Subject, tok) {
			require.NoError(t, c.DeleteMessages(smtpCtx(t), "INBOX", []string{e.ID}))
		}
	}
}

// TestSMTPSendMessageReaderEightBit checks 8-bit data against a server
// without 8BITMIME: in the header it is refused before any command (the
// session stays usable), in the body once met, with email.ErrUnsupported.
// With 8BITMIME offered, BODY=8BITMIME is declared.
func TestSMTPSendMessageReaderEightBit(t *testing.T) {
	be := &smtpRecorder{}
	addr := startSMTPServer(t, be, smtpServerOpts{strip: []string{"8BITMIME"}})
	sc := smtpConnect(t, addr, nil)
	_, err := sc.SendMessageReader(smtpCtx(t), strings.NewReader("From: a@example.test\r\nTo: b@example.test\r\nSubject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nHi\r\n"), -1, email.SendOptions{})
	require.ErrorIs(t, err, email.ErrUnsupported)
	require.NoError(t, sc.Noop(smtpCtx(t)), "refused before any command")
	_, err = sc.SendMessageReader(smtpCtx(t), strings.NewReader("From: a@example.test\r\nTo: b@example.test\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n"), -1, email.SendOptions{})
	require.ErrorIs(t, err, email.ErrUnsupported)
	assert.Empty(t, be.messages())

	sc = smtpConnect(t, startSMTPServer(t, be, smtpServerOpts{}), nil)
	_, err = sc.SendMessageReader(smtpCtx(t), strings.NewReader("From: a@example.test\r\nTo: b@example.test\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n"), -1, email.SendOptions{})
	require.NoError(t, err)
	msgs := be.messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, gosmtp.Body8BitMIME, msgs[0].Opts.Body)
	assert.Equal(t, "From: a@example.test\r\nTo: b@example.test\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n", string(msgs[0].Data))
}
