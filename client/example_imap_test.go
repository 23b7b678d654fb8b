package client_test

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// ConnectIMAP against go-imap's in-memory server on loopback, with the
// user alice/alicepass. A real server would use "imaps://host" and
// Options with no TLSConfig (the system roots, verified).
func ExampleClient_ConnectIMAP() {
	// The server: go-imap's imapmemserver, for the example only.
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("alice", "alicepass")
	_ = user.Create("INBOX", nil)
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()

	ctx := context.Background()
	c := client.New()
	defer c.Close()
	// Loopback without TLS: the caller must allow it explicitly.
	err = c.ConnectIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := "From: Ann <ann@example.test>\r\nSubject: Hello\r\nDate: Mon, 2 Jan 2006 15:04:05 +0000\r\n\r\nHi!\r\n"
	id, _ := c.AddMessage(ctx, "INBOX", strings.NewReader(msg), email.NewFlags(email.FlagSeen))
	envs, _ := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	for _, e := range envs {
		fmt.Println(e.ID == id, e.Subject, e.From[0].Email, e.Flags.HasIANA(email.Seen))
	}
	// Output:
	// true Hello ann@example.test true
}
