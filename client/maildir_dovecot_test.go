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

// mdDovecotLoc is Dovecot's mail_location for a store of ours.
func mdDovecotLoc(root string, layout maildir.Layout) string {
	if layout == maildir.LayoutFS {
		return "maildir:" + root + ":LAYOUT=fs"
	}
	return "maildir:" + root
}

// $Forwarded written by us is forwarded for Dovecot (which reads only the
// dovecot-keywords letter), mblaze (P) and mbsync (P); what Dovecot and
// mblaze write reads back as the flag; removing it clears both spellings.
func TestMaildirForwardedDovecotMblaze(t *testing.T) {
	ctx := context.Background()
	da := newDoveadm(t)
	c, root := mdNew(t, maildir.LayoutMaildirPP)
	loc := mdDovecotLoc(root, maildir.LayoutMaildirPP)
	var ids []string
	for i, s := range []string{"ours added", "ours stored", "dovecot", "mblaze"} {
		var flags email.Flags
		if i == 0 {
			flags = email.ParseFlags("$Forwarded", `\Seen`)
		}
		id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg(s, "Mon, 01 Jan 2024 10:00:00 +0000")), flags)
		require.NoError(t, err)
		ids = append(ids, id)
	}
	require.NoError(t, c.StoreFlags(ctx, "INBOX", ids[1:2], email.FlagAdd, email.ParseFlags("$Forwarded")))
	da.own(t, root)

	got := da.flags(t, loc, "INBOX")
	assert.Contains(t, got[ids[0]], "$Forwarded", "Dovecot sees our added $Forwarded")
	assert.Contains(t, got[ids[1]], "$Forwarded", "Dovecot sees our stored $Forwarded")
	assert.NotContains(t, got[ids[2]], "$Forwarded")
	assert.Equal(t, mdSorted(ids[0], ids[1]), mdKeys(mdMblaze(t, "", "mlist", "-P", root)), "mblaze sees both as passed")

	// Dovecot writes only its keyword letter; mblaze only P.
	da.run(t, loc, "flags", "add", "$Forwarded", "mailbox", "INBOX", "guid", ids[2])
	var mblazePath string
	for _, p := range mdMblaze(t, "", "mlist", root) {
		if strings.Contains(p, ids[3]) {
			mblazePath = p
		}
	}
	require.NotEmpty(t, mblazePath)
	mdMblaze(t, "", "mflag", "-P", mblazePath)
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 4)
	for _, e := range envs {
		assert.True(t, e.Flags.Has(email.FlagForwarded), "%s: %v", e.ID, e.Flags)
	}
	assert.Contains(t, da.flags(t, loc, "INBOX")[ids[2]], "$Forwarded")

	// Removing it clears P and the letter: nobody sees it any more.
	require.NoError(t, c.StoreFlags(ctx, "INBOX", ids, email.FlagRemove, email.ParseFlags("$Forwarded")))
	for id, fs := range da.flags(t, loc, "INBOX") {
		assert.NotContains(t, fs, "$Forwarded", id)
	}
	assert.Empty(t, mdMblaze(t, "", "mlist", "-P", root))
	envs, err = c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	for _, e := range envs {
		assert.False(t, e.Flags.Has(email.FlagForwarded), e.ID)
	}
}

// Folders Dovecot creates in the fs layout (New, Tmp, Archive/Tmp, a dot
// name) are listed by us and usable; folders we create are listed by
// Dovecot; only cur, new and tmp are refused, by both.
func TestMaildirFolderNamesDovecot(t *testing.T) {
	ctx := context.Background()
	da := newDoveadm(t)
	c, root := mdNew(t, maildir.LayoutFS)
	loc := mdDovecotLoc(root, maildir.LayoutFS)
	da.own(t, root)
	for _, name := range []string{"New", "Tmp", "Archive/Tmp", ".Hidden", `a\b`} {
		da.run(t, loc, "mailbox", "create", name)
	}
	for _, name := range []string{"cur", "Archive/new"} {
		assert.Error(t, da.cmd(loc, "mailbox", "create", name).Run(), "Dovecot refuses %q", name)
		assert.ErrorIs(t, c.CreateMailbox(ctx, name), email.ErrInvalidName, "we refuse %q", name)
	}
	require.NoError(t, c.CreateMailbox(ctx, "Drafts/New"))
	da.own(t, root)

	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	var ours []string
	for _, b := range boxes {
		ours = append(ours, b.ID)
	}
	theirs := da.mailboxes(t, loc)
	// Dovecot also lists the containers Archive and Drafts (no cur, not
	// selectable): not mailboxes here.
	for _, box := range []string{"Archive", "Drafts"} {
		assert.NoDirExists(t, filepath.Join(root, box, "cur"))
		theirs = slicesDelete(theirs, box)
	}
	sort.Strings(ours)
	sort.Strings(theirs)
	assert.Equal(t, theirs, ours)

	id, err := c.AddMessage(ctx, "Archive/Tmp", strings.NewReader(mdMsg("in tmp", "Mon, 01 Jan 2024 10:00:00 +0000")), email.ParseFlags(`\Seen`))
	require.NoError(t, err)
	got := da.flags(t, loc, "Archive/Tmp")
	assert.Equal(t, []string{`\Seen`}, got[id], "Dovecot finds the message in Archive/Tmp")
	assert.Empty(t, da.flags(t, loc, "INBOX"), "nothing landed in INBOX's own tmp or new")
	_, err = os.Stat(filepath.Join(root, "Archive", "Tmp", "cur"))
	require.NoError(t, err)
}

// A dovecot-keywords line kept aside keeps its letter: a keyword we add
// gets another one, and Dovecot reads the same keywords we do.
func TestMaildirKeywordsAsideDovecot(t *testing.T) {
	ctx := context.Background()
	da := newDoveadm(t)
	c, root := mdNew(t, maildir.LayoutMaildirPP)
	loc := mdDovecotLoc(root, maildir.LayoutMaildirPP)
	id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("aside", "Mon, 01 Jan 2024 10:00:00 +0000")), email.ParseFlags("Work"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "dovecot-keywords"), []byte("0 Work\n1 x\x1b[2Jy\n"), 0o600))
	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{id}, email.FlagAdd, email.ParseFlags("Later")))
	kw, err := os.ReadFile(filepath.Join(root, "dovecot-keywords"))
	require.NoError(t, err)
	assert.Equal(t, "0 Work\n2 Later\n1 x\x1b[2Jy\n", string(kw))
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, email.ParseFlags("Work", "Later"), envs[0].Flags)
	da.own(t, root)
	assert.ElementsMatch(t, []string{"Work", "Later"}, da.flags(t, loc, "INBOX")[id])
}

// slicesDelete returns s without the elements equal to v.
func slicesDelete(s []string, v string) []string {
	var out []string
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// mbsync carries our $Forwarded as its Forwarded flag (the P letter) to
// another store; it does not read dovecot-keywords letters, which is why
// we write P too.
func TestMaildirForwardedMbsync(t *testing.T) {
	if _, err := exec.LookPath("mbsync"); err != nil {
		if os.Getenv("IOEMAIL_REQUIRE_PEERS") == "1" {
			t.Fatal("mbsync is not installed (apt-get install -y isync)")
		}
		t.Skip("mbsync is not installed (apt-get install -y isync)")
	}
	ctx := context.Background()
	c, root := mdNew(t, maildir.LayoutMaildirPP)
	_, err := c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("fw", "Mon, 01 Jan 2024 10:00:00 +0000")), email.ParseFlags("$Forwarded"))
	require.NoError(t, err)
	_, err = c.AddMessage(ctx, "INBOX", strings.NewReader(mdMsg("plain", "Mon, 01 Jan 2024 11:00:00 +0000")), email.ParseFlags(`\Seen`))
	require.NoError(t, err)
	dir := t.TempDir()
	near := filepath.Join(dir, "near")
	rc := "MaildirStore far\nPath " + root + "/\nInbox " + root + "/\n\n" +
		"MaildirStore near\nPath " + near + "/\nInbox " + near + "/\n\n" +
		"Channel c\nFar :far:\nNear :near:\nPatterns INBOX\nCreate Near\nSyncState " + dir + "/state/\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rc"), []byte(rc), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "state"), 0o700))
	require.NoError(t, os.Mkdir(near, 0o700))
	out, err := exec.Command("mbsync", "-q", "-c", filepath.Join(dir, "rc"), "-a").CombinedOutput()
	require.NoError(t, err, "%s", out)
	near2 := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(near)})
	envs, err := near2.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	fw := map[string]bool{}
	for _, e := range envs {
		fw[e.Subject] = e.Flags.Has(email.FlagForwarded)
	}
	assert.Equal(t, map[string]bool{"fw": true, "plain": false}, fw)
}

// In Maildir++ the folders Dovecot creates (its separator is ".") are the
// folders we list, with "/" between levels, and the other way round.
func TestMaildirFolderNamesDovecotPP(t *testing.T) {
	ctx := context.Background()
	da := newDoveadm(t)
	c, root := mdNew(t, maildir.LayoutMaildirPP)
	loc := mdDovecotLoc(root, maildir.LayoutMaildirPP)
	da.own(t, root)
	for _, name := range []string{"New", "Tmp", "Archive.Tmp", `a\b`} {
		da.run(t, loc, "mailbox", "create", name)
	}
	require.NoError(t, c.CreateMailbox(ctx, "Drafts/New"))
	da.own(t, root)
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	var ours []string
	for _, b := range boxes {
		ours = append(ours, b.ID)
	}
	var theirs []string
	for _, n := range da.mailboxes(t, loc) {
		if _, err := os.Stat(filepath.Join(root, "."+n, "cur")); n != "INBOX" && err != nil {
			continue // a parent Dovecot shows without a directory of its own
		}
		theirs = append(theirs, strings.ReplaceAll(n, ".", "/"))
	}
	sort.Strings(ours)
	sort.Strings(theirs)
	assert.Equal(t, theirs, ours)
	assert.Contains(t, ours, "Archive/Tmp")
	id, err := c.AddMessage(ctx, "Archive/Tmp", strings.NewReader(mdMsg("pp", "Mon, 01 Jan 2024 10:00:00 +0000")), nil)
	require.NoError(t, err)
	assert.Contains(t, da.flags(t, loc, "Archive.Tmp"), id)
}
