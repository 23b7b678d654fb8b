package client_test

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// Search an IMAP mailbox with the query language of package search. The
// in-memory server has no SORT, so the client searches with UID SEARCH and
// sorts locally; with SORT (Dovecot, Cyrus) the server sorts.
func ExampleIMAPClient_SearchEnvelopes() {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("alice", "alicepass")
	user.Create("INBOX", nil)
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       quiet{},
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Close()

	ctx := context.Background()
	c := client.New()
	defer c.Close()
	err := c.ConnectIMAP(ctx, "imap://"+ln.Addr().String(), client.TLS{AllowPlaintext: true},
		sasl.NewPlainClient("", "alice", "alicepass"))
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
