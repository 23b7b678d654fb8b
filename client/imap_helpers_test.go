package client

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/internal/imaptest"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// memIMAP starts go-imap's in-memory server on loopback with user
// alice/alicepass and returns its address.
func memIMAP(t testing.TB) string {
	t.Helper()
	return imaptest.Serve(t)
}

// memClient connects an IMAPClient to a fresh imapmemserver.
func memClient(t testing.TB) *IMAPClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ic, err := DialIMAP(ctx, "imap://"+memIMAP(t), &Options{AllowPlaintext: true, Auth: Password("alice", "alicepass")})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return ic
}

// dovecotClient connects an IMAPClient to the loopback Dovecot as alice,
// over STARTTLS, or skips.
func dovecotClient(t testing.TB) *IMAPClient {
	t.Helper()
	return peerClient(t, "PEERS_IMAP_ADDR", "alice", "alicepass")
}

// peerClient connects an IMAPClient to the loopback peer at the address
// in key, over STARTTLS, as user, or skips.
func peerClient(t testing.TB, key, user, pass string) *IMAPClient {
	t.Helper()
	env := testpeers.Load(t, key)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ic, err := DialIMAP(ctx, "imap://"+env[key], &Options{TLSConfig: env.TLSConfig(t), Auth: Password(user, pass)})
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

// plainAlice authenticates as alice with her password.
func plainAlice() *Auth { return Password("alice", "alicepass") }
