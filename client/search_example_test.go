package client_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/search"
)

// Search a Maildir with the query language: parse the query once, then
// run it through the client, which dispatches to the local store.
func ExampleClient_SearchEnvelopes() {
	dir, err := os.MkdirTemp("", "search-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c := client.New().WithMaildir(maildir.Store{Root: dir})
	if err := c.CreateMailbox(ctx, "INBOX"); err != nil {
		panic(err)
	}
	for _, m := range []struct{ from, subject, date, body string }{
		{"Alice <alice@example.org>", "Invoice 17", "Mon, 02 Mar 2026 09:00:00 +0100", "Please pay invoice 17."},
		{"Bob <bob@example.org>", "Lunch", "Tue, 03 Mar 2026 12:00:00 +0100", "Lunch at noon?"},
		{"Alice <alice@example.org>", "Re: Lunch", "Tue, 03 Mar 2026 12:30:00 +0100", "Yes, and bring the invoice."},
	} {
		raw := "From: " + m.from + "\r\nSubject: " + m.subject + "\r\nDate: " + m.date + "\r\n\r\n" + m.body + "\r\n"
		if _, err := c.AddMessage(ctx, "INBOX", strings.NewReader(raw), nil); err != nil {
			panic(err)
		}
	}

	q, err := search.Parse(`from alice body invoice order by date`)
	if err != nil {
		panic(err)
	}
	envs, err := c.SearchEnvelopes(ctx, "INBOX", q, email.ListOptions{})
	if err != nil {
		panic(err)
	}
	for _, e := range envs {
		fmt.Println(e.Date.Format("2006-01-02 15:04"), e.Subject)
	}
	// Output:
	// 2026-03-02 09:00 Invoice 17
	// 2026-03-03 12:30 Re: Lunch
}
