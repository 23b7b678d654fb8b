package client_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// Connect to a JMAP server and list the newest envelopes of the inbox.
func ExampleClient_ConnectJMAP() {
	ctx := context.Background()
	c := client.New()
	defer c.Close()
	if err := c.ConnectJMAP(ctx, "https://jmap.example.org/", &client.Options{Auth: client.Bearer("alice@example.org", "my-token")}); err != nil {
		fmt.Println(err)
		return
	}
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range boxes {
		if b.Role != email.RoleInbox {
			continue
		}
		envs, err := c.ListEnvelopes(ctx, b.ID, email.ListOptions{PageSize: 20})
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range envs {
			fmt.Println(e.Date.Format("2006-01-02"), e.Subject)
		}
	}
	_, err = c.SendMessage(ctx, []byte(strings.Join([]string{
		"From: me@example.org", "To: you@example.org", "Subject: hi", "", "Hello",
	}, "\r\n")), email.SendOptions{})
	if err != nil {
		fmt.Println(err)
	}
}
