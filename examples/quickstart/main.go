// Command quickstart shows the library end to end with no outside server:
// it makes a temporary Maildir, adds the sample messages from
// testdata/messages, lists mailboxes and envelopes, flags, copies, moves and
// deletes messages, then sends a message through go-smtp's server started
// in-process, printing what it did at each step.
//
// Run it from the repository root:
//
//	go run ./examples/quickstart
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

func main() {
	samples := flag.String("samples", "testdata/messages", "directory of sample .eml files")
	keep := flag.Bool("keep", false, "keep the temporary Maildir and print its path")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, *samples, *keep); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, samples string, keep bool) error {
	root, err := os.MkdirTemp("", "ioemail-quickstart-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Fprintln(w, "Maildir kept at", root)
	} else {
		defer os.RemoveAll(root)
	}

	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(root)})
	defer c.Close()

	step(w, "create the mailbox tree (Maildir++: INBOX is the root)")
	for _, name := range []string{"INBOX", "Archive", "Work"} {
		if err := c.CreateMailbox(ctx, name); err != nil {
			return err
		}
		fmt.Fprintln(w, "  created", name)
	}

	step(w, "add the sample messages to INBOX")
	files, err := filepath.Glob(filepath.Join(samples, "*.eml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no sample messages in %s (run from the repository root, or pass -samples)", samples)
	}
	sort.Strings(files)
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var flags email.Flags
		if i%3 == 0 {
			flags = email.Flags{email.FlagSeen}
		}
		id, err := c.AddMessage(ctx, "INBOX", bytes.NewReader(raw), flags)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-34s -> id %s %v\n", filepath.Base(f), id, flags.Raw())
	}

	if err := listMailboxes(ctx, w, c); err != nil {
		return err
	}
	step(w, "list the first page of INBOX (5 per page, newest Date first)")
	page, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{Page: 1, PageSize: 5})
	if err != nil {
		return err
	}
	printEnvelopes(w, page)
	if len(page) < 4 {
		return fmt.Errorf("expected at least 4 envelopes, got %d", len(page))
	}

	step(w, "flag the newest message \\Flagged and $Important, mark the second seen")
	if err := c.StoreFlags(ctx, "INBOX", []string{page[0].ID}, email.FlagAdd, email.Flags{email.FlagFlagged, email.FlagImportant}); err != nil {
		return err
	}
	if err := c.StoreFlags(ctx, "INBOX", []string{page[1].ID}, email.FlagAdd, email.Flags{email.FlagSeen}); err != nil {
		return err
	}

	step(w, "copy the newest message to Archive, move the third to Work")
	copied, err := c.CopyMessages(ctx, "INBOX", "Archive", []string{page[0].ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  copied %s -> Archive as %s\n", page[0].ID, copied[0])
	moved, err := c.MoveMessages(ctx, "INBOX", "Work", []string{page[2].ID})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  moved  %s -> Work as %s\n", page[2].ID, moved[0])

	step(w, "delete the fourth message permanently")
	if err := c.DeleteMessages(ctx, "INBOX", []string{page[3].ID}); err != nil {
		return err
	}
	fmt.Fprintf(w, "  deleted %s\n", page[3].ID)

	step(w, "read the copy back from Archive")
	var msg bytes.Buffer
	if _, err := c.GetMessage(ctx, "Archive", copied[0], &msg); err != nil {
		return err
	}
	fmt.Fprintf(w, "  %d bytes; first line: %q\n", msg.Len(), firstLine(msg.String()))
	arch, err := c.ListEnvelopes(ctx, "Archive", email.ListOptions{})
	if err != nil {
		return err
	}
	printEnvelopes(w, arch)

	if err := listMailboxes(ctx, w, c); err != nil {
		return err
	}

	step(w, "send a message with a Bcc through go-smtp's server, started in-process")
	return sendDemo(ctx, w)
}

func listMailboxes(ctx context.Context, w io.Writer, c *client.Client) error {
	step(w, "list mailboxes with counts")
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	if err != nil {
		return err
	}
	for _, b := range boxes {
		fmt.Fprintf(w, "  %-8s total %2d  unread %2d\n", b.Name, deref(b.Total), deref(b.Unread))
	}
	return nil
}

func printEnvelopes(w io.Writer, envs []email.Envelope) {
	for _, e := range envs {
		date := "(no date)"
		if !e.Date.IsZero() {
			date = e.Date.Format("2006-01-02 15:04 -0700")
		}
		from := ""
		if len(e.From) > 0 {
			from = e.From[0].String()
		}
		fmt.Fprintf(w, "  %s  %-22.22s  %-40.40s %v\n", date, from, e.Subject, e.Flags.Raw())
	}
}

func step(w io.Writer, what string) { fmt.Fprintf(w, "\n== %s\n", what) }

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimRight(line, "\r")
}
