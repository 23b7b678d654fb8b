package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/client/mailsync"
)

func TestWriteSummary(t *testing.T) {
	a := storeURL{text: "imaps://bob@mail.example.com"}
	b := storeURL{text: "maildir:///home/bob/Mail"}
	s := mailsync.Summary{
		A:         mailsync.SideCounts{Copied: 2, Bytes: 2048, FlagsChanged: 3, Deleted: 1, MailboxesCreated: 1},
		B:         mailsync.SideCounts{Copied: 1000, Bytes: 5 << 20, Moved: 4, MailboxesDeleted: 2},
		Conflicts: 1, Skipped: 7, Mailboxes: 3,
	}
	var out bytes.Buffer
	writeSummary(&out, s, a, b)
	want := `A imaps://bob@mail.example.com: copied 2 (2.0 KiB), flagged 3, deleted 1, moved 0, mailboxes created 1, mailboxes deleted 0
B maildir:///home/bob/Mail: copied 1000 (5.0 MiB), flagged 0, deleted 0, moved 4, mailboxes created 0, mailboxes deleted 2
3 mailboxes synced, 1 flag conflict, 7 skipped (larger than -max-size)
`
	assert.Equal(t, want, out.String())

	out.Reset()
	writeSummary(&out, mailsync.Summary{DryRun: true, Mailboxes: 1, B: mailsync.SideCounts{Copied: 5}}, a, b)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Len(t, lines, 3)
	assert.Contains(t, lines[1], "would have copied 5")
	assert.Contains(t, lines[2], "1 mailbox synced, 0 flag conflicts")
	assert.Contains(t, lines[2], "dry run: nothing was changed")
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 10 << 20: "10.0 MiB", 3 << 30: "3.0 GiB"} {
		assert.Equal(t, want, formatBytes(n), n)
	}
}

func TestProgressTerminal(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	p := &progress{w: &out, term: true, now: func() time.Time { return now }}
	p.update(mailsync.Progress{Mailbox: "INBOX", Phase: "copy", Done: 0, Total: 10})
	p.update(mailsync.Progress{Mailbox: "INBOX", Phase: "copy", Done: 1, Total: 10}) // too soon: not drawn
	now = now.Add(redraw)
	p.update(mailsync.Progress{Mailbox: "INBOX", Phase: "copy", Done: 5, Total: 10, Bytes: 1 << 20})
	p.update(mailsync.Progress{Mailbox: "INBOX", Phase: "copy", Done: 10, Total: 10, Bytes: 2 << 20}) // the end: drawn
	p.clear()
	got := out.String()
	assert.NotContains(t, got, "\n", "a terminal progress line is redrawn, never a new line")
	draws := strings.Split(got, "\r")[1:]
	assert.Len(t, draws, 5, "4 draws (one skipped) and a clear: %q", got)
	assert.Equal(t, "INBOX                    copy    5/10 [##########..........] 1.0 MiB", draws[1])
	assert.True(t, strings.HasPrefix(draws[2], "INBOX                    copy    10/10 [####################] 2.0 MiB"))
	assert.Equal(t, strings.Repeat(" ", len(draws[2])), draws[3], "clear blanks the line")
}

func TestProgressLog(t *testing.T) {
	var out bytes.Buffer
	log := newLogger(config{}, procEnv{stderr: &out})
	p := &progress{w: &bytes.Buffer{}, log: log, now: time.Now}
	p.update(mailsync.Progress{Mailbox: "INBOX", Phase: "scan", Done: 0, Total: 1})
	for i := 1; i <= 1000; i++ {
		p.update(mailsync.Progress{Mailbox: "INBOX", Phase: "copy", Done: i, Total: 1000})
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// The scan line, then one line a hundredth of the copy (10, 20, ... 1000)
	// and the first copy line (the phase changed).
	assert.Len(t, lines, 1+1+100)
	assert.Contains(t, lines[0], "msg=progress mailbox=INBOX phase=scan done=0 total=1")
	assert.Contains(t, lines[len(lines)-1], "phase=copy done=1000 total=1000")
}
