package client

import (
	"context"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/internal/testpeers"
)

// SearchTableMem and SearchTableDovecot give the external search table
// (search_diff_test.go) the IMAP clients of imap_helpers_test.go, so the
// table uses the same connection helpers as every other IMAP test.
func SearchTableMem(t testing.TB) *IMAPClient { return memClient(t) }

// SearchTableDovecot connects to the loopback Dovecot as alice; see
// dovecotClient.
func SearchTableDovecot(t testing.TB) *IMAPClient { return dovecotClient(t) }

// SearchTableCyrusIMAP connects to the loopback Cyrus's IMAP service as
// bob, over STARTTLS, or skips as dovecotClient does.
func SearchTableCyrusIMAP(t testing.TB) *IMAPClient {
	t.Helper()
	env := testpeers.Load(t, "PEERS_CYRUS_IMAP_ADDR")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ic, err := DialIMAP(ctx, "imap://"+env["PEERS_CYRUS_IMAP_ADDR"], TLS{Config: env.TLSConfig(t)}, sasl.NewPlainClient("", "bob", "bobpass"))
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return ic
}

// SearchTableName returns a mailbox name no other test run uses; see
// uniqueName.
func SearchTableName(prefix string) string { return uniqueName(prefix) }
