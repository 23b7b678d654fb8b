package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// Register a Maildir store and use it through the dispatcher.
func ExampleClient_WithMaildir() {
	dir, err := os.MkdirTemp("", "example-maildir-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(dir)})
	if err := c.CreateMailbox(ctx, "INBOX"); err != nil {
		fmt.Println(err)
		return
	}
	raw := "From: Alice <alice@example.org>\r\nSubject: Hello\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\nHi!\r\n"
	id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(raw), email.ParseFlags(`\Seen`))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := c.StoreFlags(ctx, "INBOX", []string{id}, email.FlagAdd, email.ParseFlags(`\Flagged`, "Work")); err != nil {
		fmt.Println(err)
		return
	}
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range envs {
		fmt.Println(e.Subject, e.From[0].Email, e.Flags.Raw(), e.Size)
	}
	boxes, _ := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	fmt.Println(boxes[0].ID, *boxes[0].Total, *boxes[0].Unread)
	// Output:
	// Hello alice@example.org [\Seen \Flagged Work] 95
	// INBOX 1 0
}
