// Package imaptest starts go-imap's in-memory IMAP server (imapmemserver)
// on loopback, for the client's tests and examples: one user,
// alice/alicepass, with an empty INBOX, plaintext login allowed.
package imaptest

import (
	"net"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/stretchr/testify/require"
)

// Caps are the capabilities Serve announces: IMAP4rev1 and IMAP4rev2.
var Caps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}

// Start starts a server that announces caps on a loopback port and
// returns its address ("127.0.0.1:port") and a function that stops it.
func Start(caps imap.CapSet) (addr string, stop func(), err error) {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser("alice", "alicepass")
	if err := u.Create("INBOX", nil); err != nil {
		return "", nil, err
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       quiet{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// Serve starts a server that announces Caps for the test t, stops it when
// t ends, and returns its address.
func Serve(t testing.TB) string {
	t.Helper()
	addr, stop, err := Start(Caps)
	require.NoError(t, err)
	t.Cleanup(stop)
	return addr
}

// quiet drops the server's log lines.
type quiet struct{}

// Printf implements imapserver.Logger.
func (quiet) Printf(string, ...any) {}
