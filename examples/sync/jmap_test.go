package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/maildir"
)

// TestJMAPToMaildir runs the built command between a mailbox of its own on
// the shared Cyrus, through its JMAP session URL (jmap+http://alice@...),
// and an empty Maildir: every message arrives once, byte-equal with its
// flags; a message added on the Maildir side reaches Cyrus on the next run.
func TestJMAPToMaildir(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	sessionURL := env["PEERS_JMAP_SESSION_URL"]
	ctx := testCtx(t)
	jc, err := client.DialJMAP(ctx, sessionURL, &client.Options{Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	defer jc.Close()
	box := fmt.Sprintf("synccmd-jmap-%08x", rand.Uint32())
	msgs := genMessages("jmap-"+box, 30, 8)
	add(t, jc, box, msgs)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		jc.DeleteMailbox(ctx, box)
	})

	bin := buildCommand(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "mail")
	storeURL := "jmap+http://alice@" + strings.TrimPrefix(sessionURL, "http://")
	args := []string{"-folders", box, "-state", filepath.Join(dir, "state"), storeURL, "maildir://" + root}
	runAs(t, bin, "alicepass", args...)
	md := client.NewMaildir(maildir.Store{Root: filepath.ToSlash(root)}, nil)
	assertHolds(t, "cyrus", readBox(t, jc, box), msgs, true)
	assertHolds(t, "maildir", readBox(t, md, box), msgs, true)

	later := genMessages("jmap-later-"+box, 1, 9)
	add(t, md, box, later)
	runAs(t, bin, "alicepass", args...)
	all := append(msgs, later...)
	assertHolds(t, "cyrus after a Maildir addition", readBox(t, jc, box), all, true)
	assertHolds(t, "maildir after a Maildir addition", readBox(t, md, box), all, true)
}
