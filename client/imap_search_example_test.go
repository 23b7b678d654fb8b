package client_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// Search an IMAP mailbox with the query language of package search. The
// answer is the in-memory matcher's on every backend: the server is asked
// only what it answers exactly or a superset, every candidate is checked
// on its header fields, then sorted and paged locally (see package search).
func ExampleIMAPClient_SearchEnvelopes() {
	// go-imap's in-memory server on loopback (see memServer).
	addr, stop, err := memServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	ctx := context.Background()
	c := client.New()
	defer c.Close()
	err = c.ConnectIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, subj := range []string{"Budget 2026", "Lunch", "Budget review"} {
		msg := fmt.Sprintf("From: Ann <ann@example.test>\r\nSubject: %s\r\nDate: Mon, %d Feb 2026 10:00:00 +0000\r\n\r\nHi!\r\n", subj, i+2)
		c.AddMessage(ctx, "INBOX", strings.NewReader(msg), nil)
	}
	q, err := search.Parse("subject budget order by date desc")
	if err != nil {
		fmt.Println(err)
		return
	}
	envs, err := c.SearchEnvelopes(ctx, "INBOX", q, email.ListOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range envs {
		fmt.Println(e.Subject, e.Date.Format("2006-01-02"))
	}
	// Output:
	// Budget review 2026-02-04
	// Budget 2026 2026-02-02
}
