package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

// TestLoopStreamsSMTP drives smtp.Session.SendStream on three connections
// to go-smtp's server from one Loop, BDAT on one, DATA (CHUNKING hidden)
// on another, a source failing mid-message on the third: the NetSource
// requests are served from each body, the messages arrive intact, and the
// failing source ends its own machine only.
func TestLoopStreamsSMTP(t *testing.T) {
	const size = 3 << 20
	want, wantSize := expectedSend(size)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := client.NewLoop()
	type outcome struct {
		res email.SendResult
		err error
	}
	out := map[string]*outcome{}
	recorders := map[string]*smtpRecorder{}
	errSource := errors.New("source broke")
	cases := []struct {
		name  string
		strip []string
		src   io.Reader
	}{
		{"bdat", nil, newBigMessageWith(size, streamHead)},
		{"data", []string{"CHUNKING"}, newBigMessageWith(size, streamHead)},
		{"failing", nil, io.MultiReader(io.LimitReader(newBigMessageWith(size, streamHead), 1<<20), &failingReader{errSource})},
	}
	for _, tc := range cases {
		be := &smtpRecorder{hashOnly: true}
		recorders[tc.name] = be
		c, err := client.Dial(ctx, startSMTPServer(t, be, smtpServerOpts{strip: tc.strip}), nil, false)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		s := smtp.NewSession(smtp.Config{Domain: "client.example.test"}, false)
		m := coroutine.After(s.Connect(smtp.ConnectOptions{AllowPlaintext: true}), s.SendStream(email.SendOptions{}, -1))
		o := &outcome{}
		out[tc.name] = o
		client.DriveBody(l, c, m, nil, client.Body{Source: tc.src}, func(res email.SendResult, err error) {
			o.res, o.err = res, err
		})
	}
	require.NoError(t, l.Run(ctx))
	for _, name := range []string{"bdat", "data"} {
		o := out[name]
		require.NoError(t, o.err, name)
		assert.Equal(t, []string{"bob@example.test", "carol@example.test"}, o.res.Accepted, name)
		msgs := recorders[name].messages()
		require.Len(t, msgs, 1, name)
		assert.Equal(t, wantSize, msgs[0].Size, name)
		assert.Equal(t, want, msgs[0].Data, name)
	}
	require.ErrorIs(t, out["failing"].err, errSource)
	assert.Empty(t, recorders["failing"].messages())
}

// failingReader fails every Read with err.
type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

// sinkMachine hands parts to its sink, one NetSink request each, and ends
// with the errors of the replies.
type sinkMachine struct {
	parts [][]byte
	i     int
	errs  []error
}

func (m *sinkMachine) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if m.i > 0 {
		m.errs = append(m.errs, in.Err)
	}
	if m.i == len(m.parts) {
		return coroutine.NetRequest{}, true
	}
	m.i++
	return coroutine.Sink(m.parts[m.i-1]), false
}

func (m *sinkMachine) Result() ([]error, error) { return m.errs, nil }

// TestLoopSink checks that NetSink requests reach the body's sink in
// order, and that a sink error goes back to the machine instead of ending
// it.
func TestLoopSink(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	conn := client.NewNetConn(a, nil, false)
	l := client.NewLoop()
	var got bytes.Buffer
	parts := [][]byte{[]byte("one "), []byte("two "), []byte("three")}
	var errs []error
	client.DriveBody(l, conn, &sinkMachine{parts: parts}, nil, client.Body{Sink: &got}, func(e []error, err error) {
		require.NoError(t, err)
		errs = e
	})
	var noSink []error
	client.DriveBody(l, conn, &sinkMachine{parts: parts[:1]}, nil, client.Body{Sink: writerFunc(func([]byte) (int, error) { return 0, errSink })}, func(e []error, err error) {
		require.NoError(t, err)
		noSink = e
	})
	require.NoError(t, l.Run(context.Background()))
	assert.Equal(t, "one two three", got.String())
	assert.Equal(t, []error{nil, nil, nil}, errs)
	require.Len(t, noSink, 1)
	assert.ErrorIs(t, noSink[0], errSink, fmt.Sprint(noSink))
}
