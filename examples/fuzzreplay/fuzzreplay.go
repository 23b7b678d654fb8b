// Package fuzzreplay is a replay fuzz harness to copy: it records a real
// IMAP session through the library's own driver, with the credentials
// redacted, and FuzzReplay (in fuzzreplay_test.go) replays it with the
// server's turns mutated by go test -fuzz, checking that every outcome is
// success or a documented error. See README.md.
package fuzzreplay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	imapm "github.com/ioemail/ioemail/imap"
)

// Message is the message the session appends and reads back.
const Message = "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: replay me\r\nDate: Mon, 02 Jan 2006 15:04:05 +0000\r\n\r\nHello.\r\n"

// Session returns the machine of the whole session that is recorded and
// replayed: Open (authenticating as user), AddMessage to INBOX,
// ListMailboxes, ListEnvelopes and GetMessage of the new message, Logout.
// It ends with the message read back. Building it twice with the same
// arguments gives machines that write the same bytes to the same replies.
func Session(user, pass string) coroutine.NetMachine[[]byte] {
	s := imapm.NewSession(false, imapm.Limits{})
	open := imapm.Open(s, imapm.OpenOptions{Auth: sasl.NewPlainClient("", user, pass), AllowInsecureAuth: true})
	work := coroutine.Then(imapm.AddMessage(s, "INBOX", []byte(Message), email.ParseFlags(`\Seen`)), func(id string) coroutine.NetMachine[[]byte] {
		return coroutine.After(imapm.ListMailboxes(s, email.ListMailboxesOptions{}),
			coroutine.After(imapm.ListEnvelopes(s, "INBOX", email.ListOptions{}), &gathered{m: imapm.GetMessage(s, "INBOX", id, 1<<20)}))
	})
	return coroutine.Bracket(open, work, imapm.Logout(s))
}

// gathered runs a streaming GetMessage and keeps what it hands to its sink
// (coroutine.NetSink requests), so the session ends with the message: a
// transcript has no sink of its own.
type gathered struct {
	m   coroutine.NetMachine[int64]
	buf []byte
}

// Resume implements coroutine.Machine.
func (g *gathered) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	for {
		req, done := g.m.Resume(in)
		if done || req.Op != coroutine.NetSink {
			return req, done
		}
		g.buf = append(g.buf, req.Data...)
		in = coroutine.NetReply{}
	}
}

// Result implements coroutine.Machine.
func (g *gathered) Result() ([]byte, error) {
	if _, err := g.m.Result(); err != nil {
		return nil, err
	}
	return g.buf, nil
}

// Record runs Session on a connection to addr (a plain link) and returns
// the session's transcript, credentials redacted.
func Record(ctx context.Context, addr, user, pass string) (string, error) {
	c, err := client.Dial(ctx, addr, nil, false)
	if err != nil {
		return "", err
	}
	defer c.Close()
	rec := &coroutine.NetRecorder{Do: func(r coroutine.NetRequest) coroutine.NetReply { return c.Do(ctx, r) }}
	if _, err := coroutine.Run(Session(user, pass), rec.Perform); err != nil {
		return "", err
	}
	return coroutine.FormatTranscript(rec.Turns()), nil
}

// Documented are the error classes a replay may end with: the email
// sentinels, and the error types this library documents.
var Documented = []error{
	email.ErrProtocol, email.ErrTooLarge, email.ErrNotFound, email.ErrExists,
	email.ErrRefused, email.ErrUnsupported, email.ErrInsecure, email.ErrInvalidID,
	email.ErrInvalidName, email.ErrInvalidArgument, coroutine.ErrTooManySteps,
}

// Check returns nil when err is nil or of a documented class (Documented,
// *imap.CommandError, *coroutine.ScriptError), else an error saying why.
func Check(err error) error {
	if err == nil {
		return nil
	}
	for _, d := range Documented {
		if errors.Is(err, d) {
			return nil
		}
	}
	var ce *imapm.CommandError
	var se *coroutine.ScriptError
	if errors.As(err, &ce) || errors.As(err, &se) {
		return nil
	}
	return fmt.Errorf("undocumented outcome %T: %v", err, err)
}

// StartServer starts go-imap's in-memory server on loopback with one user,
// alice/alicepass, and an empty INBOX.
func StartServer() (addr string, stop func(), err error) {
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
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}
