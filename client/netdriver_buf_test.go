package client

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
)

// A connection reads into its small buffer; a read that fills it moves it
// to a big pooled one, which goes back before a waiting read (IDLE) and
// at the end of a run. Every byte arrives in order throughout.
func TestNetConnReadBuffers(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := NewNetConn(a, nil, false)
	ctx := context.Background()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KiB
	go b.Write(payload)
	var got []byte
	sizes := map[int]bool{}
	for len(got) < len(payload) {
		in := c.Do(ctx, coroutine.NetRequest{Op: coroutine.NetRead})
		require.NoError(t, in.Err)
		got = append(got, in.Data...)
		sizes[cap(in.Data)] = true
	}
	assert.Equal(t, payload, got)
	assert.True(t, sizes[smallRead] && sizes[bigRead], "reads used both buffers: %v", sizes)
	require.NotNil(t, c.big, "a large answer keeps the big buffer")

	// A waiting read gives the big buffer back and reads into the small one.
	go b.Write([]byte("* 3 EXISTS\r\n"))
	in := c.Do(ctx, coroutine.NetRequest{Op: coroutine.NetRead, Wait: time.Minute})
	require.NoError(t, in.Err)
	assert.Equal(t, "* 3 EXISTS\r\n", string(in.Data))
	assert.Nil(t, c.big)
	assert.Equal(t, smallRead, cap(in.Data))

	// A run ends with the big buffer released.
	go b.Write(payload[:smallRead+100])
	_, err := RunNet(ctx, c, readN(smallRead+100), nil)
	require.NoError(t, err)
	assert.Nil(t, c.big)
}

// readN is a machine that reads n bytes.
func readN(n int) coroutine.NetMachine[struct{}] {
	return &readMachine{left: n}
}

type readMachine struct{ left int }

func (m *readMachine) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	m.left -= len(in.Data)
	if m.left <= 0 || in.EOF || in.Err != nil {
		return coroutine.NetRequest{}, true
	}
	return coroutine.NetRequest{Op: coroutine.NetRead}, false
}

func (m *readMachine) Result() (struct{}, error) { return struct{}{}, nil }
