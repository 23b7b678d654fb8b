package client_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
)

// TestNetConnDoStartTLS performs a plain exchange, the TLS upgrade and an
// encrypted exchange one request at a time, as a caller's own loop does.
func TestNetConnDoStartTLS(t *testing.T) {
	cert := smtpTestCert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	srvErr := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			srvErr <- err
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		if _, err := br.ReadString('\n'); err != nil {
			srvErr <- err
			return
		}
		c.Write([]byte("OK begin TLS\r\n"))
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		line, err := bufio.NewReader(tc).ReadString('\n')
		if err == nil {
			_, err = tc.Write([]byte("secret " + line))
		}
		srvErr <- err
	}()
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	nc, err := client.Dial(context.Background(), ln.Addr().String(), &client.Options{TLSConfig: &tls.Config{RootCAs: pool}}, false)
	require.NoError(t, err)
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	require.NoError(t, nc.Do(ctx, coroutine.Write([]byte("STARTTLS\r\n"))).Err)
	in := nc.Do(ctx, coroutine.Read())
	require.NoError(t, in.Err)
	assert.Equal(t, "OK begin TLS\r\n", string(in.Data))
	require.False(t, nc.Secure())
	require.NoError(t, nc.Do(ctx, coroutine.NetRequest{Op: coroutine.NetStartTLS}).Err)
	require.True(t, nc.Secure())
	require.NoError(t, nc.Do(ctx, coroutine.Write([]byte("ping\r\n"))).Err)
	var got []byte
	for len(got) < len("secret ping\r\n") {
		in = nc.Do(ctx, coroutine.Read())
		require.NoError(t, in.Err)
		require.False(t, in.EOF)
		got = append(got, in.Data...)
	}
	assert.Equal(t, "secret ping\r\n", string(got))
	require.NoError(t, <-srvErr)

	// A second upgrade is refused, and a read past the server's close
	// reports EOF.
	assert.Error(t, nc.Do(ctx, coroutine.NetRequest{Op: coroutine.NetStartTLS}).Err)
	in = nc.Do(ctx, coroutine.Read())
	assert.True(t, in.EOF || in.Err != nil)

	// A read with a Wait and no byte times out without an error.
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln2.Close()
	nc2, err := client.Dial(ctx, ln2.Addr().String(), nil, false)
	require.NoError(t, err)
	defer nc2.Close()
	in = nc2.Do(ctx, coroutine.NetRequest{Op: coroutine.NetRead, Wait: 20 * time.Millisecond})
	assert.True(t, in.TimedOut)
	assert.NoError(t, in.Err)
}
