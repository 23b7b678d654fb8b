package mailsync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/client/mailsync"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

// Sync a Maildir with an m2dir tree, both ways; the second run finds
// nothing to do.
func Example() {
	dir, _ := os.MkdirTemp("", "mailsync-example-")
	defer os.RemoveAll(dir)
	files := client.NewFileDriver(0)
	a := client.NewMaildir(maildir.Store{Root: filepath.Join(dir, "maildir")}, files)
	b := client.NewM2dir(m2dir.Store{Root: filepath.Join(dir, "m2dir")}, files)
	ctx := context.Background()
	for _, s := range []client.Storage{a, b} {
		if err := s.CreateMailbox(ctx, "INBOX"); err != nil {
			fmt.Println(err)
			return
		}
	}
	msg := "From: a@example.test\r\nSubject: hello\r\nMessage-ID: <1@example.test>\r\n\r\nhi\r\n"
	if _, err := a.AddMessage(ctx, "INBOX", strings.NewReader(msg), email.Flags{email.FlagSeen}); err != nil {
		fmt.Println(err)
		return
	}

	e, err := mailsync.New(a, b, filepath.Join(dir, "pair.state"), mailsync.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		sum, err := e.Once(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("copied to A %d, to B %d\n", sum.A.Copied, sum.B.Copied)
	}
	// Output:
	// copied to A 0, to B 1
	// copied to A 0, to B 0
}

// Plan what to do for one mailbox, without I/O: A has a message B lacks.
func ExampleMakePlan() {
	in := mailsync.BoxInput{
		Name:   [2]string{"INBOX", "INBOX"},
		Exists: [2]bool{true, true},
		View:   [2][]mailsync.Msg{{{ID: "7", MessageID: "x@example.test", Size: 120}}, nil},
	}
	p := mailsync.MakePlan([]mailsync.BoxInput{in}, mailsync.Rules{})
	for _, c := range p.Boxes[0].Copies[mailsync.B] {
		fmt.Println("copy to B:", c.From.MessageID)
	}
	// Output:
	// copy to B: x@example.test
}
