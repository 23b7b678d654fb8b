package client_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// ConnectIMAP against go-imap's in-memory server on loopback, with the
// user alice/alicepass. A real server would use "imaps://host" and
// Options with no TLSConfig (the system roots, verified).
func ExampleClient_ConnectIMAP() {
	// The server: go-imap's imapmemserver (see memServer), for the
	// example only.
	addr, stop, err := memServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

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
