package client_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// Use an m2dir store as the storage backend.
func ExampleClient_WithM2dir() {
	dir, _ := os.MkdirTemp("", "m2dir-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	c := client.New().WithM2dir(m2dir.Store{Root: dir})
	_ = c.CreateMailbox(ctx, "INBOX") // also creates the .m2store marker
	raw := "From: alice@example.org\r\nSubject: Hello\r\n\r\nHi!\r\n"
	if _, err := c.AddMessage(ctx, "INBOX", strings.NewReader(raw), email.ParseFlags(`\Seen`)); err != nil {
		fmt.Println(err)
		return
	}
	envs, _ := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	for _, e := range envs {
		fmt.Println(e.Subject, e.Flags.Raw())
	}
	// Output: Hello [$seen]
}

// Track changes of a local folder with a compact state, then watch it.
func ExampleM2dirClient_DiffEnvelopes() {
	dir, _ := os.MkdirTemp("", "m2dir-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	c := client.New().WithM2dir(m2dir.Store{Root: dir})
	_ = c.CreateMailbox(ctx, "INBOX")

	d, _ := c.DiffEnvelopes(ctx, "INBOX", nil) // baseline
	fmt.Println(d.FullListRequired)
	state := d.State // keep it, e.g. in a file

	_, _ = c.AddMessage(ctx, "INBOX", strings.NewReader("Subject: New\r\n\r\nHi\r\n"), nil)
	d, _ = c.DiffEnvelopes(ctx, "INBOX", state)
	for _, e := range d.New {
		fmt.Println("new:", e.Subject)
	}
	// Output:
	// true
	// new: New
}
