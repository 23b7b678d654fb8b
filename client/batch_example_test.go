package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// exampleMaildir returns a client on a new Maildir holding three messages
// in INBOX, their ids, and a function removing it.
func exampleMaildir() (*client.Client, []string, func()) {
	dir, err := os.MkdirTemp("", "example-batch-")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(dir)})
	if err := c.CreateMailbox(ctx, "INBOX"); err != nil {
		log.Fatal(err)
	}
	var ids []string
	for i := 1; i <= 3; i++ {
		raw := fmt.Sprintf("From: alice@example.org\r\nSubject: Note %d\r\nDate: Mon, 0%d Jan 2024 10:00:00 +0000\r\n\r\nBody %d\r\n", i, i, i)
		id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(raw), nil)
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, id)
	}
	return c, ids, func() { os.RemoveAll(dir) }
}

// Fetch many messages in one call: fn gets each one as a stream, and the
// ids that do not exist are reported at the end.
func ExampleClient_GetMessages() {
	c, ids, cleanup := exampleMaildir()
	defer cleanup()

	var subjects []string
	err := c.GetMessages(context.Background(), "INBOX", append(ids, "no-such-id"), func(id string, r io.Reader) error {
		raw, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
		for line := range strings.SplitSeq(head, "\r\n") {
			if s, ok := strings.CutPrefix(line, "Subject: "); ok {
				subjects = append(subjects, s)
			}
		}
		return nil
	})
	slices.Sort(subjects) // the backend's order is not necessarily that of ids
	fmt.Println(subjects)
	fmt.Println(errors.Is(err, email.ErrNotFound))
	// Output:
	// [Note 1 Note 2 Note 3]
	// true
}

// Walk a whole mailbox without holding it, for example to show progress.
func ExampleClient_Envelopes() {
	c, _, cleanup := exampleMaildir()
	defer cleanup()

	var subjects []string
	for e, err := range c.Envelopes(context.Background(), "INBOX") {
		if err != nil {
			log.Fatal(err)
		}
		subjects = append(subjects, e.Subject)
	}
	slices.Sort(subjects) // the backend's order, not the Date order
	fmt.Println(len(subjects), subjects)
	// Output:
	// 3 [Note 1 Note 2 Note 3]
}

// Send a message straight from a file, without reading it into memory
// (through SMTP, which streams it with BDAT or DATA).
func ExampleClient_SendMessageReader() {
	ctx := context.Background()
	c := client.New()
	defer c.Close()
	if err := c.ConnectSMTP(ctx, "smtps://mail.example.com", &client.Options{Auth: client.Password("alice", "secret")}); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open("message.eml")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.SendMessageReader(ctx, f, fi.Size(), email.SendOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("accepted:", res.Accepted)
}
