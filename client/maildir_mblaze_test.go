package client_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// mdMblaze runs one mblaze tool and returns its output lines. The test is
// skipped when mblaze is not installed (apt-get install -y mblaze), or
// fails under IOEMAIL_REQUIRE_PEERS=1.
func mdMblaze(t *testing.T, stdin string, name string, args ...string) []string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("IOEMAIL_REQUIRE_PEERS") == "1" {
			t.Fatalf("mblaze is not installed (%s not in PATH): apt-get install -y mblaze", name)
		}
		t.Skipf("mblaze is not installed (%s not in PATH): apt-get install -y mblaze", name)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "MBLAZE="+t.TempDir())
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	require.NoError(t, err, "%s %v", name, args)
	var lines []string
	for l := range strings.SplitSeq(strings.TrimRight(string(out), "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return lines
}

// mdKeys maps mblaze's paths to our ids.
func mdKeys(paths []string) []string {
	var out []string
	for _, p := range paths {
		k, _, _ := strings.Cut(filepath.Base(p), ":")
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mdSorted returns a sorted copy.
func mdSorted(s ...string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

// What we write, mblaze reads with the same messages and flags.
func TestMblazeReadsOurTree(t *testing.T) {
	if _, err := exec.LookPath("mlist"); err != nil {
		t.Skip("mblaze is not installed: apt-get install -y mblaze")
	}
	ctx := context.Background()
	c, root := mdNew(t, maildir.LayoutMaildirPP)
	seen, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("seen", "Mon, 01 Jan 2024 10:00:00 +0000")), email.ParseFlags(`\Seen`))
	require.NoError(t, err)
	flagged, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("flagged", "Mon, 01 Jan 2024 11:00:00 +0000")), email.ParseFlags(`\Seen`, `\Flagged`, "Work"))
	require.NoError(t, err)
	unseen, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("unseen", "Mon, 01 Jan 2024 12:00:00 +0000")), nil)
	require.NoError(t, err)
	replied, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("replied", "Mon, 01 Jan 2024 13:00:00 +0000")), email.ParseFlags(`\Answered`, `\Deleted`))
	require.NoError(t, err)
	require.NoError(t, c.CreateMailbox(ctx, "Lists/Go"))

	assert.Equal(t, mdSorted(seen, flagged, unseen, replied), mdKeys(mdMblaze(t, "", "mlist", root)))
	assert.Equal(t, mdSorted(seen, flagged), mdKeys(mdMblaze(t, "", "mlist", "-S", root)))
	assert.Equal(t, mdSorted(unseen, replied), mdKeys(mdMblaze(t, "", "mlist", "-s", root)))
	assert.Equal(t, mdSorted(flagged), mdKeys(mdMblaze(t, "", "mlist", "-F", root)))
	assert.Equal(t, mdSorted(replied), mdKeys(mdMblaze(t, "", "mlist", "-R", "-T", root)))
	assert.Equal(t, mdSorted(replied), mdKeys(mdMblaze(t, strings.Join(mdMblaze(t, "", "mlist", root), "\n"), "mpick", "-t", "replied && trashed")))
	assert.Equal(t, mdSorted(unseen, replied), mdKeys(mdMblaze(t, strings.Join(mdMblaze(t, "", "mlist", root), "\n"), "mpick", "-t", "!seen")))
	assert.Equal(t, []string{root, filepath.Join(root, ".Lists.Go")}, mdMblaze(t, "", "mdirs", root))
	info := mdMblaze(t, "", "mlist", "-i", root)
	require.Len(t, info, 1)
	assert.Contains(t, info[0], "2 unseen")
	assert.Contains(t, info[0], "1 flagged")
	assert.Contains(t, info[0], "4 msg")

	// mflag -S marks a message seen by renaming it; we find it by key
	// with the new flag, and keep its keyword letter.
	path := mdMblaze(t, "", "mlist", "-s", "-t", root)
	require.Len(t, path, 1)
	mdMblaze(t, "", "mflag", "-S", path[0])
	mdMblaze(t, "", "mflag", "-F", mdMblaze(t, "", "mlist", "-F", root)[0]) // already flagged: a no-op rename
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	byID := map[string]email.Envelope{}
	for _, e := range envs {
		byID[e.ID] = e
	}
	require.Len(t, byID, 4)
	assert.True(t, byID[unseen].Flags.Equal(email.ParseFlags(`\Seen`)), "%v", byID[unseen].Flags)
	assert.True(t, byID[flagged].Flags.Equal(email.ParseFlags(`\Seen`, `\Flagged`, "Work")), "%v", byID[flagged].Flags)
	assert.Equal(t, "unseen", byID[unseen].Subject)
}

// A tree written by mblaze (mdeliver, mflag) reads correctly.
func TestWeReadMblazeTree(t *testing.T) {
	if _, err := exec.LookPath("mdeliver"); err != nil {
		t.Skip("mblaze is not installed: apt-get install -y mblaze")
	}
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "md")
	for _, d := range []string{"cur", "new", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o700))
	}
	mdMblaze(t, mdMsg("first", "Mon, 01 Jan 2024 10:00:00 +0000"), "mdeliver", root)
	mdMblaze(t, mdMsg("second", "Tue, 02 Jan 2024 10:00:00 +0000"), "mdeliver", root)
	paths := mdMblaze(t, "", "mlist", root)
	require.Len(t, paths, 2)
	for _, p := range paths {
		assert.Contains(t, p, "/new/", "mdeliver delivers into new/")
		assert.True(t, strings.HasSuffix(p, ":2,"), "mdeliver adds an empty info: %s", p)
	}
	// Flag the message whose subject is "second".
	second := mdMblaze(t, strings.Join(paths, "\n"), "mpick", "-t", `subject == "second"`)
	require.Len(t, second, 1)
	mdMblaze(t, "", "mflag", "-F", "-R", second[0])

	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(root)})
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 2)
	assert.Equal(t, "second", envs[0].Subject)
	assert.True(t, envs[0].Flags.Equal(email.ParseFlags(`\Flagged`, `\Answered`)), "%v", envs[0].Flags)
	assert.Empty(t, envs[1].Flags)
	assert.Equal(t, mdKeys(paths), mdSorted(envs[0].ID, envs[1].ID))

	// Flagging a message mblaze left in new/ moves it to cur/, and mblaze
	// sees the flag.
	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{envs[1].ID}, email.FlagAdd, email.ParseFlags(`\Seen`)))
	seen := mdMblaze(t, "", "mlist", "-S", root)
	require.Len(t, seen, 1)
	assert.Contains(t, seen[0], "/cur/"+envs[1].ID+":2,S")
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	require.NoError(t, err)
	require.Len(t, boxes, 1)
	assert.Equal(t, 2, *boxes[0].Total)
	assert.Equal(t, 1, *boxes[0].Unread)
}

// A tree laid out by hand as Dovecot does: Maildir++ folders, ,S= and ,W=
// fields, keyword letters with dovecot-keywords, control files, a Dovecot
// extension after the flags.
func TestWeReadDovecotTree(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "Maildir")
	write := func(rel, data string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
	}
	for _, d := range []string{"", ".Sent/", ".Lists.Go/", ".Lists.Go.Old/"} {
		for _, s := range []string{"cur", "new", "tmp"} {
			require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.FromSlash(d), s), 0o700))
		}
	}
	m1 := mdMsg("keywords", "Mon, 01 Jan 2024 10:00:00 +0100")
	m2 := mdMsg("size field", "Tue, 02 Jan 2024 10:00:00 +0100")
	write("dovecot-keywords", "0 $Junk\n1 Work\n3 $label1\n")
	write("dovecot-uidlist", "3 V1700000000 N3 G0123456789abcdef\n1 1035478339.27041_118.foo.org,S=81,W=84\n")
	write("dovecotl-uidvalidity", "6561a000")
	write("cur/1035478339.27041_118.foo.org,S=1000,W=1030:2,Sbd", m1)
	write("new/1035478340.27042_119.foo.org,S=4567,W=4600", m2) // the size field is no Seen flag
	write("cur/1035478341.27043_120.foo.org:2,RSz,foo", mdMsg("extension", "Wed, 03 Jan 2024 10:00:00 +0100"))
	write(".Sent/maildirfolder", "")
	write(".Sent/cur/1035478342.1_1.foo.org,S=10:2,S", mdMsg("sent", "Thu, 04 Jan 2024 10:00:00 +0100"))
	write(".Lists.Go/maildirfolder", "")
	write("..mbsync-style/cur/x", "")     // an empty level: not a folder
	write(".INBOX.child/cur/y", "")       // INBOX children are not addressable
	write(".no-maildir/stuff", "content") // no cur/new: not a folder

	c := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(root)})
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	require.NoError(t, err)
	var names []string
	for _, b := range boxes {
		names = append(names, b.ID)
	}
	assert.Equal(t, []string{"INBOX", "Lists/Go", "Lists/Go/Old", "Sent"}, names)
	assert.Equal(t, 3, *boxes[0].Total)
	assert.Equal(t, 1, *boxes[0].Unread, "the ,S= field of the new/ message is not a Seen flag")
	assert.Equal(t, 1, *boxes[3].Total)

	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 3)
	byID := map[string]email.Envelope{}
	for _, e := range envs {
		byID[e.ID] = e
	}
	kw := byID["1035478339.27041_118.foo.org,S=1000,W=1030"]
	assert.True(t, kw.Flags.Equal(email.ParseFlags(`\Seen`, "Work", "$label1")), "%v", kw.Flags)
	assert.Equal(t, int64(1000), kw.Size, "Size comes from ,S=")
	assert.Equal(t, "keywords", kw.Subject)
	sz := byID["1035478340.27042_119.foo.org,S=4567,W=4600"]
	assert.Empty(t, sz.Flags)
	ext := byID["1035478341.27043_120.foo.org"]
	assert.True(t, ext.Flags.Equal(email.ParseFlags(`\Seen`, `\Answered`)), "unmapped letter z is no flag: %v", ext.Flags)
	assert.Equal(t, int64(len(mdMsg("extension", "Wed, 03 Jan 2024 10:00:00 +0100"))), ext.Size)

	// Flag changes keep the extension, unknown letters and keywords, and
	// reuse the keyword table; Dovecot's control files are untouched.
	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{ext.ID}, email.FlagAdd, email.ParseFlags(`\Flagged`, "$Junk")))
	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{kw.ID}, email.FlagRemove, email.ParseFlags("work")))
	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{sz.ID}, email.FlagAdd, email.ParseFlags("NewKeyword")))
	assert.ElementsMatch(t, []string{
		"1035478339.27041_118.foo.org,S=1000,W=1030:2,Sd",
		"1035478340.27042_119.foo.org,S=4567,W=4600:2,c",
		"1035478341.27043_120.foo.org:2,FRSaz,foo",
	}, mdFiles(t, filepath.Join(root, "cur")))
	got, err := os.ReadFile(filepath.Join(root, "dovecot-keywords"))
	require.NoError(t, err)
	assert.Equal(t, "0 $Junk\n1 Work\n2 NewKeyword\n3 $label1\n", string(got))
	got, err = os.ReadFile(filepath.Join(root, "dovecot-uidlist"))
	require.NoError(t, err)
	assert.Contains(t, string(got), "G0123456789abcdef")
	assert.NoFileExists(t, filepath.Join(root, "dovecot-uidlist.lock"))
}
