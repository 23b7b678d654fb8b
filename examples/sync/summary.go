package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ioemail/ioemail/client/mailsync"
)

// writeSummary prints what a run did: one line per side with the changes
// made ON that side, then the conflicts, the messages skipped and the
// mailboxes synced. A dry run says so on every line, since nothing was
// done.
func writeSummary(w io.Writer, s mailsync.Summary, a, b storeURL) {
	verb := ""
	if s.DryRun {
		verb = "would have "
	}
	fmt.Fprintf(w, "A %s: %s%s\n", a.text, verb, sideLine(s.A))
	fmt.Fprintf(w, "B %s: %s%s\n", b.text, verb, sideLine(s.B))
	var b2 strings.Builder
	fmt.Fprintf(&b2, "%d %s synced, %d %s, %d skipped (larger than -max-size)",
		s.Mailboxes, plural(s.Mailboxes, "mailbox", "mailboxes"),
		s.Conflicts, plural(s.Conflicts, "flag conflict", "flag conflicts"), s.Skipped)
	if s.DryRun {
		b2.WriteString("; dry run: nothing was changed")
	}
	fmt.Fprintln(w, b2.String())
}

// sideLine is the list of changes made on one side.
func sideLine(c mailsync.SideCounts) string {
	return fmt.Sprintf("copied %d (%s), flagged %d, deleted %d, moved %d, mailboxes created %d, mailboxes deleted %d",
		c.Copied, formatBytes(c.Bytes), c.FlagsChanged, c.Deleted, c.Moved, c.MailboxesCreated, c.MailboxesDeleted)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
