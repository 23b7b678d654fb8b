package client

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
)

// readOnce writes a ping, asks for one read with a wait, and reports what
// came back.
type readOnce struct {
	wait  time.Duration
	state int
	got   coroutine.NetReply
}

func (m *readOnce) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	m.state++
	switch m.state {
	case 1:
		return coroutine.NetRequest{Op: coroutine.NetWrite, Data: []byte("ping\n")}, false
	case 2:
		return coroutine.NetRequest{Op: coroutine.NetRead, Wait: m.wait}, false
	}
	m.got = coroutine.NetReply{Data: append([]byte(nil), in.Data...), EOF: in.EOF, TimedOut: in.TimedOut}
	return coroutine.NetRequest{}, true
}

func (m *readOnce) Result() (coroutine.NetReply, error) { return m.got, nil }

func pair(t *testing.T) (*NetConn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	acc := make(chan net.Conn, 1)
	go func() { c, _ := ln.Accept(); acc <- c }()
	nc, err := Dial(context.Background(), ln.Addr().String(), nil, false)
	require.NoError(t, err)
	srv := <-acc
	t.Cleanup(func() { nc.Close(); srv.Close() })
	return nc, srv
}

func TestRunNetReadAndTimeout(t *testing.T) {
	nc, srv := pair(t)
	go func() {
		buf := make([]byte, 5)
		srv.Read(buf)
		srv.Write([]byte("pong"))
	}()
	got, err := RunNet[coroutine.NetReply](context.Background(), nc, &readOnce{wait: 5 * time.Second}, nil)
	require.NoError(t, err)
	assert.Equal(t, "pong", string(got.Data))

	// Nothing arrives: a read with Wait resumes the machine with TimedOut.
	got, err = RunNet[coroutine.NetReply](context.Background(), nc, &readOnce{wait: 30 * time.Millisecond}, nil)
	require.NoError(t, err)
	assert.True(t, got.TimedOut)

	// The peer closes: EOF.
	srv.Close()
	got, err = RunNet[coroutine.NetReply](context.Background(), nc, &readOnce{}, nil)
	if err == nil {
		assert.True(t, got.EOF)
	}
}

func TestRunNetCancel(t *testing.T) {
	nc, _ := pair(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := RunNet[coroutine.NetReply](ctx, nc, &readOnce{}, nil)
	assert.ErrorIs(t, err, context.Canceled, "cancelling the context interrupts a blocked read")
}

func TestRunNetDeadline(t *testing.T) {
	nc, _ := pair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := RunNet[coroutine.NetReply](ctx, nc, &readOnce{}, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
