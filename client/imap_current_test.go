package client

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// memClientAt connects another IMAPClient to the imapmemserver at addr.
func memClientAt(t *testing.T, addr string) *IMAPClient {
	t.Helper()
	ic, err := DialIMAP(tctx(t), "imap://"+addr, &Options{AllowPlaintext: true, Auth: plainAlice()})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return ic
}

func currentMessage(subject string) []byte {
	return []byte("From: a@example.test\r\nTo: b@example.test\r\nSubject: " + subject +
		"\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\nMessage-ID: <" + subject + "@example.test>\r\n\r\nbody\r\n")
}

// checkCurrent selects box on a, lets add deliver a message from outside
// while box stays selected, and checks that a sees it at once: GetMessage
// by its id, then a listing.
func checkCurrent(t *testing.T, a *IMAPClient, box string, add func(subject string) string) {
	ctx := tctx(t)
	before, err := a.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err)
	require.Equal(t, box, a.Session().Selected())

	subj := uniqueName("fresh")
	id := add(subj)
	var buf bytes.Buffer
	_, err = a.GetMessage(ctx, box, id, &buf)
	require.NoError(t, err, "GetMessage right after an outside delivery (exists %d, uidvalidity %d)", a.Session().Exists(), a.Session().UIDValidity())
	assert.Contains(t, buf.String(), "Subject: "+subj)

	subj2 := uniqueName("fresh")
	add(subj2)
	envs, err := a.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, len(before)+2, "the listing right after an outside delivery")
	var subjects []string
	for _, e := range envs {
		subjects = append(subjects, e.Subject)
	}
	assert.Contains(t, subjects, subj2)
	assert.Equal(t, box, a.Session().Selected(), "no SELECT needed")
}

// A message another connection appends to a mailbox this one has selected
// is found at once (issue 10 section 4), on imapmemserver and Dovecot.
func TestIMAPViewIsCurrentSecondConnection(t *testing.T) {
	for _, peer := range []string{"memserver", "dovecot"} {
		t.Run(peer, func(t *testing.T) {
			var a, b *IMAPClient
			if peer == "memserver" {
				addr := memIMAP(t)
				a, b = memClientAt(t, addr), memClientAt(t, addr)
			} else {
				a, b = dovecotClient(t), dovecotClient(t)
			}
			box := uniqueName("current")
			require.NoError(t, a.CreateMailbox(tctx(t), box))
			t.Cleanup(func() { b.DeleteMailbox(context.Background(), box) })
			checkCurrent(t, a, box, func(subject string) string {
				id, err := b.AddMessage(tctx(t), box, bytes.NewReader(currentMessage(subject)), nil)
				require.NoError(t, err)
				require.NotEmpty(t, id)
				return id
			})
		})
	}
}

// The same with doveadm delivering into Dovecot's store directly, as an
// MDA would.
func TestIMAPViewIsCurrentDoveadm(t *testing.T) {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	conf := env["PEERS_DOVECOT_CONF"]
	a := dovecotClient(t)
	box := uniqueName("current")
	require.NoError(t, a.CreateMailbox(tctx(t), box))
	t.Cleanup(func() { a.DeleteMailbox(context.Background(), box) })
	doveadm := func(stdin []byte, args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "doveadm", append([]string{"-c", conf}, args...)...)
		cmd.Stdin = bytes.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "doveadm %v: %s", args, out)
		return string(out)
	}
	uidNext := regexp.MustCompile(`uidnext=(\d+)`)
	checkCurrent(t, a, box, func(subject string) string {
		m := uidNext.FindStringSubmatch(doveadm(nil, "mailbox", "status", "-u", "alice", "uidnext", box))
		require.Len(t, m, 2)
		doveadm(currentMessage(subject), "save", "-u", "alice", "-m", box)
		// The UID doveadm gave it: the UIDNEXT before, as nothing else
		// writes to this mailbox.
		got := doveadm(nil, "fetch", "-u", "alice", "uid", "mailbox", box, "header", "Subject", subject)
		require.Contains(t, strings.Fields(got), m[1])
		return m[1]
	})
}
