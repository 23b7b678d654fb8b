package client_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// Connect to a submission server with implicit TLS, authenticate with
// PLAIN and send a message; the Bcc header is removed on the wire while
// its recipient still gets the message.
func ExampleClient_ConnectSMTP() {
	ctx := context.Background()
	c := client.New()
	defer c.Close()
	err := c.ConnectSMTP(ctx, "smtps://mail.example.com", &client.Options{Auth: client.Password("alice", "secret")})
	if err != nil {
		log.Fatal(err)
	}
	msg := "From: alice@example.com\r\nTo: bob@example.com\r\nBcc: carol@example.com\r\nSubject: hi\r\n\r\nHello!\r\n"
	res, err := c.SendMessage(ctx, []byte(msg), email.SendOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("accepted:", res.Accepted)
	for _, r := range res.Rejected {
		fmt.Println("refused:", r.Address, r.Reason)
	}
}
