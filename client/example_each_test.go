package client_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// EachEnvelope walks a whole mailbox without holding it: each envelope is
// handed over as the server's answer is read, in the server's order.
func ExampleIMAPClient_EachEnvelope() {
	addr, stop, err := memServer() // go-imap's imapmemserver, for the example only
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	ctx := context.Background()
	ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ic.Close()
	for _, s := range []string{"one", "two", "three"} {
		msg := "From: ann@example.test\r\nSubject: " + s + "\r\n\r\nHi!\r\n"
		if _, err := ic.AddMessage(ctx, "INBOX", strings.NewReader(msg), email.Flags{}); err != nil {
			fmt.Println(err)
			return
		}
	}
	n := 0
	err = ic.EachEnvelope(ctx, "INBOX", func(e email.Envelope) error {
		n++
		fmt.Println(n, e.Subject)
		return nil
	})
	fmt.Println(err)
	// Output:
	// 1 one
	// 2 two
	// 3 three
	// <nil>
}
