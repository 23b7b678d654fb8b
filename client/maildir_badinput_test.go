package client_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// Hostile mailbox names get a typed error and touch nothing on disk.
func TestMaildirHostileMailboxNames(t *testing.T) {
	ctx := context.Background()
	for _, layout := range []maildir.Layout{maildir.LayoutMaildirPP, maildir.LayoutFS} {
		c, root := mdNew(t, layout)
		before := mdTree(t, filepath.Dir(root))
		for _, name := range []string{"..", "../escape", "a/../../escape", "/abs", "a//b", "a/", "\x00", "a\x00b",
			"a\r\nb", "INBOX/child", "\xff"} {
			err := c.CreateMailbox(ctx, name)
			assert.ErrorIs(t, err, email.ErrInvalidName, "%s %q", layout, name)
			var ne *email.NameError
			assert.ErrorAs(t, err, &ne)
			_, err = c.ListEnvelopes(ctx, name, email.ListOptions{})
			assert.ErrorIs(t, err, email.ErrInvalidName)
			_, err = c.AddMessage(ctx, name, strings.NewReader("Subject: x\r\n\r\n"), nil)
			assert.ErrorIs(t, err, email.ErrInvalidName)
			assert.ErrorIs(t, c.DeleteMailbox(ctx, name), email.ErrInvalidName)
			_, err = c.MoveMessages(ctx, "INBOX", name, []string{"x"})
			assert.ErrorIs(t, err, email.ErrInvalidName)
		}
		// Names another program may have made: refused by CreateMailbox,
		// usable once they exist, so the other calls say not found.
		for _, name := range []string{"~x", `a\b`, ".hidden"} {
			err := c.CreateMailbox(ctx, name)
			assert.ErrorIs(t, err, email.ErrInvalidName, "%s %q", layout, name)
			if layout == maildir.LayoutMaildirPP && name == ".hidden" {
				continue // "." is the Maildir++ separator: refused everywhere
			}
			_, err = c.ListEnvelopes(ctx, name, email.ListOptions{})
			assert.ErrorIs(t, err, email.ErrNotFound, "%s %q", layout, name)
			assert.ErrorIs(t, c.DeleteMailbox(ctx, name), email.ErrNotFound, "%s %q", layout, name)
		}
		assert.Equal(t, before, mdTree(t, filepath.Dir(root)), "nothing created or removed")
		assert.ErrorIs(t, c.DeleteMailbox(ctx, ""), email.ErrRefused, "the root is never deleted")
		assert.DirExists(t, filepath.Join(root, "cur"))
	}
}

// mdTree lists every path under dir.
func mdTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		out = append(out, p)
		return err
	}))
	return out
}

// Broken message files give best-effort envelopes; nothing panics and
// nothing is lost.
func TestMaildirBrokenMessages(t *testing.T) {
	ctx := context.Background()
	c, root := mdNew(t, maildir.LayoutMaildirPP)
	hugeHeader := "X-Long: " + strings.Repeat("a", 1<<20) + "\r\nSubject: after a megabyte\r\n\r\nbody\r\n"
	longButOK := "X-Pad: " + strings.Repeat("b", 20<<10) + "\r\nSubject: after 20 KiB\r\nDate: Fri, 05 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n"
	cases := map[string]string{
		"1.noheaders:2,":   "just a body line without any header\n",
		"2.empty:2,":       "",
		"3.badenc:2,S":     "Subject: =?utf-8?B?!!!not-base64?= and =?x-unknown?Q?caf=E9?=\r\nFrom: =?utf-8?Q?Broken_=ZZ?= <a@b>\r\n\r\nx",
		"4.eightbit:2,":    "Subject: caf\xc3\xa9 cr\xe8me\r\nFrom: J\xfcrgen <j@example.org>\r\n\r\nx",
		"5.nodate:2,":      "Subject: no date\r\nDate: not a date at all\r\n\r\nx",
		"6.huge:2,":        hugeHeader,
		"7.binary:2,":      "\x00\x01\x02\xff\xfe\r\n\r\n\x00",
		"8.longheader:2,F": longButOK,
		"9.lfonly:2,":      "Subject: bare LF\nDate: Sat, 06 Jan 2024 10:00:00 +0000\nFrom: x@y\n\nbody\n",
	}
	for name, data := range cases {
		require.NoError(t, os.WriteFile(filepath.Join(root, "cur", name), []byte(data), 0o600))
	}
	// Things in cur/ that are not messages.
	require.NoError(t, os.WriteFile(filepath.Join(root, "cur", ".hidden:2,S"), []byte("x"), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(root, "cur", "adir"), 0o700))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(root, "cur", "link:2,")))

	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	byID := map[string]email.Envelope{}
	for _, e := range envs {
		byID[e.ID] = e
	}
	for name := range cases {
		id, _, _ := strings.Cut(name, ":")
		assert.Contains(t, byID, id)
	}
	assert.NotContains(t, byID, ".hidden")
	assert.NotContains(t, byID, "adir")
	assert.Equal(t, "after 20 KiB", byID["8.longheader"].Subject, "a header past the head limit is read further")
	assert.False(t, byID["8.longheader"].Date.IsZero())
	assert.Equal(t, int64(len(hugeHeader)), byID["6.huge"].Size)
	assert.Empty(t, byID["6.huge"].Subject, "a header beyond the bound is cut (best effort)")
	assert.True(t, byID["5.nodate"].Date.IsZero())
	assert.Equal(t, "no date", byID["5.nodate"].Subject)
	assert.Equal(t, "bare LF", byID["9.lfonly"].Subject)
	assert.False(t, byID["9.lfonly"].Date.IsZero())
	assert.True(t, byID["3.badenc"].Flags.HasIANA(email.Seen))
	// Undated messages come last, dated ones first, newest first.
	assert.Equal(t, "9.lfonly", envs[0].ID)
	assert.Equal(t, "8.longheader", envs[1].ID)

	// Every file is returned byte for byte and still there.
	for name, data := range cases {
		id, _, _ := strings.Cut(name, ":")
		var buf bytes.Buffer
		_, err := c.GetMessage(ctx, "INBOX", id, &buf)
		require.NoError(t, err, id)
		assert.Equal(t, data, buf.String(), id)
	}
	assert.Len(t, mdFiles(t, filepath.Join(root, "cur")), len(cases)+3)
}
