package client

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/internal/testpeers"
)

// memIMAP starts go-imap's in-memory server on loopback with user
// alice/alicepass and returns its address.
func memIMAP(t testing.TB) string {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("alice", "alicepass")
	require.NoError(t, u.Create("INBOX", nil))
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       nopLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// memClient connects an IMAPClient to a fresh imapmemserver.
func memClient(t testing.TB) *IMAPClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ic, err := DialIMAP(ctx, "imap://"+memIMAP(t), TLS{AllowPlaintext: true}, sasl.NewPlainClient("", "alice", "alicepass"))
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return ic
}

// dovecotClient connects an IMAPClient to the loopback Dovecot as alice,
// over STARTTLS, or skips.
func dovecotClient(t testing.TB) *IMAPClient {
	t.Helper()
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ic, err := DialIMAP(ctx, "imap://"+env["PEERS_IMAP_ADDR"], TLS{Config: env.TLSConfig(t)}, sasl.NewPlainClient("", "alice", "alicepass"))
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return ic
}

var uniq atomic.Int64

// uniqueName returns a mailbox name no other test run uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d-%d", prefix, os.Getpid(), time.Now().UnixNano()%1e9, uniq.Add(1))
}

func tctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func plainAlice() sasl.Client { return sasl.NewPlainClient("", "alice", "alicepass") }
