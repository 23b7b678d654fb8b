package client

import "testing"

// SearchTableMem and SearchTableDovecot give the external search table
// (search_diff_test.go) the IMAP clients of imap_helpers_test.go, so the
// table uses the same connection helpers as every other IMAP test.
func SearchTableMem(t testing.TB) *IMAPClient { return memClient(t) }

// SearchTableDovecot connects to the loopback Dovecot as alice; see
// dovecotClient.
func SearchTableDovecot(t testing.TB) *IMAPClient { return dovecotClient(t) }

// SearchTableCyrusIMAP connects to the loopback Cyrus's IMAP service as
// bob; see peerClient.
func SearchTableCyrusIMAP(t testing.TB) *IMAPClient {
	return peerClient(t, "PEERS_CYRUS_IMAP_ADDR", "bob", "bobpass")
}

// SearchTableName returns a mailbox name no other test run uses; see
// uniqueName.
func SearchTableName(prefix string) string { return uniqueName(prefix) }
