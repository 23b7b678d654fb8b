package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/maildir"
)

// mbsync runs isync's mbsync on a generated configuration: bob's account on
// the shared Dovecot (STARTTLS, the peers' certificate) as the far side, a
// Maildir++ tree as the near side (its root is INBOX, a mailbox "x" is
// root/.x: maildir.LayoutMaildirPP, the command's default), and one
// channel pairing the far mailbox far with the near mailbox near, both
// ways, creating and expunging on both sides.
type mbsync struct {
	rc string
}

// newMbsync writes the configuration, or skips when mbsync is missing
// (fails under IOEMAIL_REQUIRE_PEERS=1).
func newMbsync(t *testing.T, d *sharedDovecot, root, far, near string) *mbsync {
	t.Helper()
	if _, err := exec.LookPath("mbsync"); err != nil {
		msg := "mbsync (isync) not installed: apt-get install isync"
		if os.Getenv("IOEMAIL_REQUIRE_PEERS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// The certificate names localhost (and 127.0.0.1 as an IP address,
	// which mbsync does not match against Host).
	_, port, _ := strings.Cut(d.env["PEERS_IMAP_ADDR"], ":")
	host := d.env["PEERS_TLS_SERVERNAME"]
	rc := filepath.Join(t.TempDir(), "mbsyncrc")
	conf := fmt.Sprintf(`IMAPAccount dovecot
Host %s
Port %s
User bob
Pass bobpass
SSLType STARTTLS
CertificateFile %s

IMAPStore far
Account dovecot

MaildirStore near
Inbox %s/
SubFolders Maildir++

Channel pair
Far :far:%s
Near :near:%s
Create Both
Expunge Both
SyncState *
`, host, port, d.env["PEERS_CA_CERT"], root, far, near)
	require.NoError(t, os.WriteFile(rc, []byte(conf), 0o600))
	return &mbsync{rc: rc}
}

// run runs mbsync on the channel and fails the test unless it succeeds.
func (m *mbsync) run(t *testing.T) {
	t.Helper()
	out, err := exec.CommandContext(testCtx(t), "mbsync", "-c", m.rc, "pair").CombinedOutput()
	require.NoError(t, err, "mbsync: %s", out)
}

// TestMbsyncThenUs: a Maildir that mbsync filled from a Dovecot mailbox
// (file names with mbsync's ",U=" UIDs, its .mbsyncstate and .uidvalidity
// files beside cur/new/tmp) is then synced by us against the same mailbox,
// with no state of ours: both sides still hold each message exactly once.
// Then a new message on each side, our sync, and mbsync again: still no
// duplicates on either side (mbsync finds nothing new, or what it finds
// is the copies it can pair).
func TestMbsyncThenUs(t *testing.T) {
	d := dialBob(t)
	msgs := systemFlagsOnly(genMessages("mbfirst", 200, 1))
	box := d.newBox(t, "mbfirst", msgs)
	dir := t.TempDir()
	root := filepath.Join(dir, "mail")
	mb := newMbsync(t, d, root, box, box)
	mb.run(t)
	md := client.NewMaildir(maildir.Store{Root: filepath.ToSlash(root)}, nil)
	assertHoldsAs(t, "maildir after mbsync", readBox(t, md, box), msgs, true, mbsyncForm)

	bin := buildCommand(t)
	args := []string{"-ca", d.env["PEERS_CA_CERT"], "-folders", box, "-state", filepath.Join(dir, "state"), d.url(), "maildir://" + root}
	out := runCommand(t, bin, args...)
	t.Logf("our first run over mbsync's Maildir:\n%s", out)
	assertHolds(t, "dovecot after us", readBox(t, d.ic, box), msgs, true)
	assertHoldsAs(t, "maildir after us", readBox(t, md, box), msgs, true, mbsyncForm)

	// Run mbsync again: our run must not have changed the messages in a
	// way mbsync takes for new ones.
	mb.run(t)
	assertHoldsAs(t, "dovecot after mbsync again", readBox(t, d.ic, box), msgs, true, mbsyncForm)
	assertHoldsAs(t, "maildir after mbsync again", readBox(t, md, box), msgs, true, mbsyncForm)
}

// TestUsThenMbsync: a Maildir that we filled from a Dovecot mailbox is
// then synced by mbsync with a second, empty Dovecot mailbox (mbsync
// uploads each message and renames each file to add its ",U=" UID); the
// second mailbox holds each message once, the Maildir gains nothing. Then
// our sync against the first mailbox again: the renamed files are the same
// messages, so neither side gains a duplicate nor loses a message.
func TestUsThenMbsync(t *testing.T) {
	d := dialBob(t)
	msgs := systemFlagsOnly(genMessages("usfirst", 200, 2))
	box := d.newBox(t, "usfirst", msgs)
	other := d.newBox(t, "usfirst-mb", nil)
	dir := t.TempDir()
	root := filepath.Join(dir, "mail")
	mb := newMbsync(t, d, root, other, box)

	bin := buildCommand(t)
	args := []string{"-ca", d.env["PEERS_CA_CERT"], "-folders", box, "-state", filepath.Join(dir, "state"), d.url(), "maildir://" + root}
	runCommand(t, bin, args...)
	md := client.NewMaildir(maildir.Store{Root: filepath.ToSlash(root)}, nil)
	assertHoldsAs(t, "maildir after us", readBox(t, md, box), msgs, true, mbsyncForm)

	mb.run(t)
	assertHoldsAs(t, "second mailbox after mbsync", readBox(t, d.ic, other), msgs, true, mbsyncForm)
	assertHoldsAs(t, "maildir after mbsync", readBox(t, md, box), msgs, true, mbsyncForm)

	out := runCommand(t, bin, args...)
	t.Logf("our run after mbsync renamed the files:\n%s", out)
	assertHoldsAs(t, "dovecot after us again", readBox(t, d.ic, box), msgs, true, mbsyncForm)
	assertHoldsAs(t, "maildir after us again", readBox(t, md, box), msgs, true, mbsyncForm)
}
