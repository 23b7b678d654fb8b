// Package imaptest starts go-imap's in-memory IMAP server (imapmemserver)
// on loopback, for the client's tests and examples: one user,
// alice/alicepass, with an empty INBOX, plaintext login allowed.
package imaptest

import (
	"net"
	"testing"
	"time"

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
			return pollingIdle{mem.NewSession().(imapserver.SessionIMAP4rev2)}, nil, nil
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

// idlePoll is how often an idling session of the server looks for
// updates to send.
const idlePoll = 20 * time.Millisecond

// pollingIdle replaces imapmemserver's IDLE, which loses updates: it
// sends the updates queued for the session only when a new one arrives
// after its IDLE began, so a change made between the session's last
// command and its IDLE (another client's STORE, APPEND or EXPUNGE) waits
// for the next change, forever if there is none (go-imap v2.0.0-beta.8,
// imapserver.SessionTracker.Idle). It sends them the way Dovecot and
// Cyrus do, by checking the mailbox at an interval during IDLE (the
// first check at once), so every update reaches the client.
type pollingIdle struct {
	imapserver.SessionIMAP4rev2
}

// Idle implements imapserver.Session.
func (s pollingIdle) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	tick := time.NewTicker(idlePoll)
	defer tick.Stop()
	for {
		if err := s.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
	}
}

// quiet drops the server's log lines.
type quiet struct{}

// Printf implements imapserver.Logger.
func (quiet) Printf(string, ...any) {}
