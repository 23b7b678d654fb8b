package wire

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParseTildeAtom: a '~' begins a literal8 only before '{'; "~user" is
// an atom (UW-IMAP home mailboxes).
func TestParseTildeAtom(t *testing.T) {
	resp, err := Parse([]byte("* LIST () \"/\" ~alice/mail\r\n"))
	require.NoError(t, err)
	require.Equal(t, "~alice/mail", resp.List.Mailbox)
	resp, err = Parse([]byte("* LIST () \"/\" ~{3}\r\nabc\r\n"))
	require.NoError(t, err)
	require.Equal(t, "abc", resp.List.Mailbox)
}
