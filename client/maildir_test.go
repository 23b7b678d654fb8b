package client_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// mdNew returns a client on a fresh temporary store whose INBOX
// exists.
func mdNew(t *testing.T, layout maildir.Layout) (*client.Client, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "Mail")
	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(root), Layout: layout})
	require.NoError(t, c.CreateMailbox(context.Background(), "INBOX"))
	return c, root
}

// mdMsg returns a small message.
func mdMsg(subject, date string) string {
	return "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: " + subject +
		"\r\nDate: " + date + "\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.org>\r\n\r\nHello " + subject + "\r\n"
}

// mdFiles lists the base names in dir.
func mdFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestMaildirEveryOperation(t *testing.T) {
	for _, layout := range []maildir.Layout{maildir.LayoutMaildirPP, maildir.LayoutFS} {
		t.Run(layout.String(), func(t *testing.T) {
			ctx := context.Background()
			c, root := mdNew(t, layout)

			// create_mailbox
			require.NoError(t, c.CreateMailbox(ctx, "Archive"))
			require.NoError(t, c.CreateMailbox(ctx, "Archive/2024"))
			err := c.CreateMailbox(ctx, "Archive")
			assert.ErrorIs(t, err, email.ErrExists)
			if layout == maildir.LayoutMaildirPP {
				assert.FileExists(t, filepath.Join(root, ".Archive.2024", "maildirfolder"))
			} else {
				assert.DirExists(t, filepath.Join(root, "Archive", "2024", "cur"))
			}

			// add_message, with flags
			id1, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("one", "Mon, 01 Jan 2024 10:00:00 +0100")), email.ParseFlags(`\Seen`, `\Flagged`))
			require.NoError(t, err)
			id2, err := c.AddMessage(ctx, "inbox", strings.NewReader(mdMsg("two", "Tue, 02 Jan 2024 10:00:00 -0500")), nil)
			require.NoError(t, err)
			id3, err := c.AddMessage(ctx, "INBOX", strings.NewReader("Subject: undated\r\n\r\nbody\r\n"), email.ParseFlags("$Junk", "Work"))
			require.NoError(t, err)
			cur := mdFiles(t, filepath.Join(root, "cur"))
			assert.Contains(t, cur, id1+":2,FS", "letters in ASCII order")
			assert.Contains(t, cur, id2+":2,")
			assert.Contains(t, cur, id3+":2,ab")
			kw, err := os.ReadFile(filepath.Join(root, "dovecot-keywords"))
			require.NoError(t, err)
			assert.Equal(t, "0 $Junk\n1 Work\n", string(kw))
			assert.Empty(t, mdFiles(t, filepath.Join(root, "tmp")), "tmp/ is cleaned")

			// list_mailboxes with counts
			boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
			require.NoError(t, err)
			require.Len(t, boxes, 3)
			assert.Equal(t, []string{"INBOX", "Archive", "Archive/2024"}, []string{boxes[0].ID, boxes[1].ID, boxes[2].ID})
			assert.Equal(t, email.RoleInbox, boxes[0].Role)
			assert.Equal(t, 3, *boxes[0].Total)
			assert.Equal(t, 2, *boxes[0].Unread)
			assert.Equal(t, 0, *boxes[1].Total)

			// list_envelopes: date desc, undated last, paged
			envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			require.NoError(t, err)
			require.Len(t, envs, 3)
			assert.Equal(t, []string{id2, id1, id3}, []string{envs[0].ID, envs[1].ID, envs[2].ID})
			assert.Equal(t, "two", envs[0].Subject)
			assert.Equal(t, "two@example.org", envs[0].MessageID)
			assert.Equal(t, []email.Address{{Name: "Alice", Email: "alice@example.org"}}, envs[0].From)
			_, off := envs[0].Date.Zone()
			assert.Equal(t, -5*3600, off, "the original offset is kept")
			assert.True(t, envs[1].Flags.Equal(email.ParseFlags(`\Seen`, `\Flagged`)))
			assert.True(t, envs[2].Flags.Equal(email.ParseFlags("$junk", "work")), "keywords read back: %v", envs[2].Flags)
			assert.True(t, envs[2].Date.IsZero())
			assert.Equal(t, int64(len(mdMsg("one", "Mon, 01 Jan 2024 10:00:00 +0100"))), envs[1].Size)
			page2, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{Page: 2, PageSize: 2})
			require.NoError(t, err)
			require.Len(t, page2, 1)
			assert.Equal(t, id3, page2[0].ID)

			// get_message
			var buf bytes.Buffer
			n, err := c.GetMessage(ctx, "INBOX", id2, &buf)
			require.NoError(t, err)
			assert.Equal(t, mdMsg("two", "Tue, 02 Jan 2024 10:00:00 -0500"), buf.String())
			assert.Equal(t, int64(buf.Len()), n)
			_, err = c.GetMessage(ctx, "INBOX", id2[:len(id2)-1], &buf)
			assert.ErrorIs(t, err, email.ErrNotFound, "ids never match as prefixes")

			// store_flags
			require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{id1, id2}, email.FlagAdd, email.ParseFlags(`\Answered`, "Work")))
			require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{id1}, email.FlagRemove, email.ParseFlags(`\Flagged`)))
			require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{id3}, email.FlagSet, email.ParseFlags(`\Draft`)))
			cur = mdFiles(t, filepath.Join(root, "cur"))
			assert.Contains(t, cur, id1+":2,RSb")
			assert.Contains(t, cur, id2+":2,Rb")
			assert.Contains(t, cur, id3+":2,D")
			err = c.StoreFlags(ctx, "INBOX", []string{"nope"}, email.FlagAdd, email.ParseFlags(`\Seen`))
			assert.ErrorIs(t, err, email.ErrNotFound)

			// copy_messages: new ids, flags kept, keywords re-mapped
			copied, err := c.CopyMessages(ctx, "INBOX", "Archive/2024", []string{id1, id2})
			require.NoError(t, err)
			require.Len(t, copied, 2)
			assert.NotEqual(t, id1, copied[0])
			dst := filepath.Join(root, ".Archive.2024")
			if layout == maildir.LayoutFS {
				dst = filepath.Join(root, "Archive", "2024")
			}
			assert.ElementsMatch(t, []string{copied[0] + ":2,RSa", copied[1] + ":2,Ra"}, mdFiles(t, filepath.Join(dst, "cur")))
			kw, err = os.ReadFile(filepath.Join(dst, "dovecot-keywords"))
			require.NoError(t, err)
			assert.Equal(t, "0 Work\n", string(kw))
			arch, err := c.ListEnvelopes(ctx, "Archive/2024", email.ListOptions{})
			require.NoError(t, err)
			require.Len(t, arch, 2)
			assert.True(t, arch[1].Flags.Equal(email.ParseFlags(`\Seen`, `\Answered`, "Work")), "%v", arch[1].Flags)

			// move_messages
			moved, err := c.MoveMessages(ctx, "INBOX", "Archive", []string{id3})
			require.NoError(t, err)
			require.Len(t, moved, 1)
			_, err = c.GetMessage(ctx, "INBOX", id3, &buf)
			assert.ErrorIs(t, err, email.ErrNotFound)
			buf.Reset()
			_, err = c.GetMessage(ctx, "Archive", moved[0], &buf)
			require.NoError(t, err)
			assert.Equal(t, "Subject: undated\r\n\r\nbody\r\n", buf.String())

			// delete_message
			require.NoError(t, c.DeleteMessages(ctx, "INBOX", []string{id1}))
			err = c.DeleteMessages(ctx, "INBOX", []string{id1})
			assert.ErrorIs(t, err, email.ErrNotFound)
			envs, err = c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			require.NoError(t, err)
			require.Len(t, envs, 1)
			assert.Equal(t, id2, envs[0].ID)

			// delete_mailbox: refuses INBOX and parents, then works
			assert.ErrorIs(t, c.DeleteMailbox(ctx, "INBOX"), email.ErrRefused)
			assert.ErrorIs(t, c.DeleteMailbox(ctx, "Archive"), email.ErrRefused)
			require.NoError(t, c.DeleteMailbox(ctx, "Archive/2024"))
			require.NoError(t, c.DeleteMailbox(ctx, "Archive"))
			assert.ErrorIs(t, c.DeleteMailbox(ctx, "Archive"), email.ErrNotFound)
			boxes, err = c.ListMailboxes(ctx, email.ListMailboxesOptions{})
			require.NoError(t, err)
			require.Len(t, boxes, 1)
			assert.Equal(t, "INBOX", boxes[0].ID)
		})
	}
}

func TestMaildirNewMessages(t *testing.T) {
	ctx := context.Background()
	c, root := mdNew(t, maildir.LayoutMaildirPP)
	// A message delivered by an MTA into new/, without info.
	require.NoError(t, os.WriteFile(filepath.Join(root, "new", "1700000000.M1P1.mta"), []byte(mdMsg("mta", "Wed, 03 Jan 2024 10:00:00 +0000")), 0o600))
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Empty(t, envs[0].Flags)
	assert.Equal(t, []string{"1700000000.M1P1.mta"}, mdFiles(t, filepath.Join(root, "new")), "listing moves nothing")
	// Flags on a message in new/ move it to cur/ (seed-reference 11.3).
	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{"1700000000.M1P1.mta"}, email.FlagAdd, email.ParseFlags(`\Deleted`)))
	assert.Empty(t, mdFiles(t, filepath.Join(root, "new")))
	assert.Equal(t, []string{"1700000000.M1P1.mta:2,T"}, mdFiles(t, filepath.Join(root, "cur")))

	// A crash leftover in tmp/ is cleaned once old enough.
	left := filepath.Join(root, "tmp", "1600000000.R0M0.host")
	require.NoError(t, os.WriteFile(left, []byte("partial"), 0o600))
	n, err := c.Maildir().CleanTmp(ctx, "INBOX", 0)
	require.NoError(t, err)
	assert.Zero(t, n, "too young")
	old := time.Now().Add(-48 * time.Hour)
	require.NoError(t, os.Chtimes(left, old, old))
	n, err = c.Maildir().CleanTmp(ctx, "INBOX", 0)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.NoFileExists(t, left)
}

func TestMaildirAddTooLarge(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := client.New().WithMaildir(maildir.Store{Root: root, MaxMessageSize: 100})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	_, err := c.AddMessage(ctx, "INBOX", strings.NewReader(strings.Repeat("x", 101)), nil)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.Empty(t, mdFiles(t, filepath.Join(root, "cur")))
	assert.Empty(t, mdFiles(t, filepath.Join(root, "tmp")))
	id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(strings.Repeat("x", 100)), nil)
	require.NoError(t, err)
	assert.NotEmpty(t, id)
}

func TestMaildirCancelled(t *testing.T) {
	c, _ := mdNew(t, maildir.LayoutMaildirPP)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestMaildirDispatch(t *testing.T) {
	c, _ := mdNew(t, maildir.LayoutMaildirPP)
	require.NotNil(t, c.Maildir())
	assert.Equal(t, "maildir", c.Maildir().Name())
	assert.NotNil(t, c.Maildir().Store().Clock)
	_, err := c.SendMessage(context.Background(), []byte("Subject: x\r\n\r\n"), email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrNoBackend, "a store does not send")
	assert.Nil(t, client.New().Maildir())
	boxes, err := c.ListMailboxes(context.Background(), email.ListMailboxesOptions{})
	require.NoError(t, err, "storage calls go to the Maildir backend")
	assert.Equal(t, "INBOX", boxes[0].ID)
}

// A store with the ';' separator (file systems that forbid ':') writes and
// reads only ';' names.
func TestMaildirSemicolonSeparator(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := client.New().WithMaildir(maildir.Store{Root: root, Separator: ';'})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("semi", "Mon, 01 Jan 2024 10:00:00 +0000")), email.ParseFlags(`\Seen`))
	require.NoError(t, err)
	assert.Equal(t, []string{id + ";2,S"}, mdFiles(t, filepath.Join(root, "cur")))
	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{id}, email.FlagAdd, email.ParseFlags(`\Flagged`)))
	assert.Equal(t, []string{id + ";2,FS"}, mdFiles(t, filepath.Join(root, "cur")))
	// A ':' name is a key without info here: no flags.
	require.NoError(t, os.WriteFile(filepath.Join(root, "cur", "2.host:2,S"), []byte("Subject: colon\r\n\r\n"), 0o600))
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 2)
	assert.Equal(t, id, envs[0].ID)
	assert.True(t, envs[0].Flags.Equal(email.ParseFlags(`\Seen`, `\Flagged`)))
	assert.Equal(t, "2.host:2,S", envs[1].ID)
	assert.Empty(t, envs[1].Flags)
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	require.NoError(t, err)
	assert.Equal(t, 1, *boxes[0].Unread)
}
