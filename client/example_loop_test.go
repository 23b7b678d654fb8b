package client_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/sasl"
)

// A loop of your own performs each request with the library's driver
// step: Do writes, reads and upgrades to TLS (after STARTTLS), so the loop
// only decides what to do between steps.
func ExampleNetConn_Do() {
	ctx := context.Background()
	c, err := client.Dial(ctx, "mail.example.com:143", nil, false)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s := imap.NewSession(false, imap.Limits{})
	m := coroutine.Bracket(
		imap.Open(s, imap.OpenOptions{StartTLS: imap.StartTLSRequired, Auth: sasl.NewPlainClient("", "alice", "secret")}),
		imap.ListMailboxes(s, email.ListMailboxesOptions{}),
		imap.Logout(s))
	var in coroutine.NetReply
	for {
		req, done := m.Resume(in)
		if done {
			break
		}
		if in = c.Do(ctx, req); in.Err != nil {
			log.Fatal(in.Err)
		}
	}
	boxes, err := m.Result()
	fmt.Println(len(boxes), err)
}

// One goroutine drives the machines of many connections; callbacks run on
// it, so their shared state needs no lock. See examples/eventloop.
func ExampleLoop() {
	ctx := context.Background()
	loop := client.NewLoop()
	total := 0
	for _, user := range []string{"alice", "bob"} {
		c, err := client.Dial(ctx, "mail.example.com:993", nil, true)
		if err != nil {
			log.Fatal(err)
		}
		s := imap.NewSession(true, imap.Limits{})
		m := coroutine.After(
			imap.Open(s, imap.OpenOptions{Auth: sasl.NewPlainClient("", user, "secret")}),
			imap.ListMailboxes(s, email.ListMailboxesOptions{}))
		client.Drive(loop, c, m, nil, func(boxes []email.Mailbox, err error) {
			total += len(boxes)
			// The next operation on c goes here: client.Drive(loop, c, ...).
			c.Close()
		})
	}
	if err := loop.Run(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(total, "mailboxes")
}
