package client

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestIMAPDiffEnvelopesDovecot(t *testing.T) {
	for _, mode := range []string{"qresync", "condstore"} {
		t.Run(mode, func(t *testing.T) {
			ic := dovecotClient(t)
			if mode == "condstore" {
				// Exercise the CONDSTORE-only path against Dovecot's answers.
				ic.Session().IgnoreCapability("QRESYNC")
			}
			ctx := tctx(t)
			name := box(t, ic, "diff")
			var ids []string
			for i := range 3 {
				id, err := ic.AddMessage(ctx, name, strings.NewReader(testMessage(i, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
				require.NoError(t, err)
				ids = append(ids, id)
			}
			d0, err := ic.DiffEnvelopes(ctx, name, nil)
			require.NoError(t, err)
			require.True(t, d0.FullListRequired)
			require.NotNil(t, d0.State)

			d1, err := ic.DiffEnvelopes(ctx, name, d0.State)
			require.NoError(t, err)
			assert.True(t, d1.Empty(), "nothing changed: %+v", d1)

			newID, err := ic.AddMessage(ctx, name, strings.NewReader(testMessage(9, "Tue, 03 Jan 2006 10:00:00 +0000")), email.NewFlags(email.FlagSeen))
			require.NoError(t, err)
			require.NoError(t, ic.StoreFlags(ctx, name, []string{ids[0]}, email.FlagAdd, email.NewFlags(email.FlagFlagged)))
			require.NoError(t, ic.DeleteMessages(ctx, name, []string{ids[2]}))

			d2, err := ic.DiffEnvelopes(ctx, name, d1.State)
			require.NoError(t, err)
			require.False(t, d2.FullListRequired)
			require.Len(t, d2.New, 1)
			assert.Equal(t, newID, d2.New[0].ID)
			assert.Equal(t, "message 9", d2.New[0].Subject)
			assert.Equal(t, []string{ids[2]}, d2.Vanished)
			require.Len(t, d2.FlagUpdates, 1, "%+v", d2.FlagUpdates)
			assert.Equal(t, ids[0], d2.FlagUpdates[0].ID)
			assert.True(t, d2.FlagUpdates[0].Flags.Has(email.FlagFlagged))

			d3, err := ic.DiffEnvelopes(ctx, name, d2.State)
			require.NoError(t, err)
			assert.True(t, d3.Empty(), "nothing new when nothing is: %+v", d3)

			// A state of another mailbox, or garbage, asks for a full list.
			d4, err := ic.DiffEnvelopes(ctx, "INBOX", d3.State)
			require.NoError(t, err)
			assert.True(t, d4.FullListRequired)
			d5, err := ic.DiffEnvelopes(ctx, name, email.State("imap-diff-1\x00"+name+"\x001\x001\x001\x001:4294967295"))
			require.NoError(t, err)
			assert.True(t, d5.FullListRequired, "UIDVALIDITY differs")
		})
	}
	t.Run("memserver without CONDSTORE", func(t *testing.T) {
		ic := memClient(t)
		require.NotContains(t, ic.Session().EnabledCapabilities(), "CONDSTORE")
		diffSnapshot(t, ic)
	})
	t.Run("dovecot without CONDSTORE", func(t *testing.T) {
		ic := dovecotClient(t)
		ic.Session().IgnoreCapability("QRESYNC")
		ic.Session().IgnoreCapability("CONDSTORE")
		diffSnapshot(t, ic)
	})
}

// diffSnapshot runs DiffEnvelopes through its snapshot path (no QRESYNC, no
// CONDSTORE): baseline, no change, new + vanished + flag update at once,
// foreign and garbage states, and a UIDVALIDITY change.
func diffSnapshot(t *testing.T, ic *IMAPClient) {
	ctx := tctx(t)
	name := box(t, ic, "diffsnap")
	d, err := ic.DiffEnvelopes(ctx, name, nil)
	require.NoError(t, err)
	require.True(t, d.FullListRequired, "empty mailbox, first call")
	require.NotNil(t, d.State)
	d, err = ic.DiffEnvelopes(ctx, name, d.State)
	require.NoError(t, err)
	assert.True(t, d.Empty(), "empty and unchanged: %+v", d)

	var ids []string
	for i := range 4 {
		id, err := ic.AddMessage(ctx, name, strings.NewReader(testMessage(i, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
		require.NoError(t, err)
		ids = append(ids, id)
	}
	d0, err := ic.DiffEnvelopes(ctx, name, nil)
	require.NoError(t, err)
	require.True(t, d0.FullListRequired)
	require.NotNil(t, d0.State)
	assert.Empty(t, d0.New)

	d1, err := ic.DiffEnvelopes(ctx, name, d0.State)
	require.NoError(t, err)
	assert.True(t, d1.Empty(), "nothing changed: %+v", d1)

	// From the previous state (d, the empty mailbox), all four are new.
	dn, err := ic.DiffEnvelopes(ctx, name, d.State)
	require.NoError(t, err)
	require.False(t, dn.FullListRequired)
	require.Len(t, dn.New, 4)
	for i, e := range dn.New {
		assert.Equal(t, ids[i], e.ID)
		assert.Equal(t, fmt.Sprintf("message %d", i), e.Subject)
	}

	newID, err := ic.AddMessage(ctx, name, strings.NewReader(testMessage(9, "Tue, 03 Jan 2006 10:00:00 +0000")), email.NewFlags(email.FlagSeen))
	require.NoError(t, err)
	require.NoError(t, ic.StoreFlags(ctx, name, []string{ids[0]}, email.FlagAdd, email.NewFlags(email.FlagFlagged)))
	require.NoError(t, ic.StoreFlags(ctx, name, []string{ids[3]}, email.FlagAdd, email.NewFlags(email.FlagSeen, email.ParseFlag("$Label1"))))
	// A flag added and removed again is no change.
	require.NoError(t, ic.StoreFlags(ctx, name, []string{ids[1]}, email.FlagAdd, email.NewFlags(email.FlagAnswered)))
	require.NoError(t, ic.StoreFlags(ctx, name, []string{ids[1]}, email.FlagRemove, email.NewFlags(email.FlagAnswered)))
	require.NoError(t, ic.DeleteMessages(ctx, name, []string{ids[2]}))

	d2, err := ic.DiffEnvelopes(ctx, name, d1.State)
	require.NoError(t, err)
	require.False(t, d2.FullListRequired)
	require.Len(t, d2.New, 1)
	assert.Equal(t, newID, d2.New[0].ID)
	assert.Equal(t, "message 9", d2.New[0].Subject)
	assert.True(t, d2.New[0].Flags.Has(email.FlagSeen))
	assert.Equal(t, []string{ids[2]}, d2.Vanished)
	require.Len(t, d2.FlagUpdates, 2, "%+v", d2.FlagUpdates)
	assert.Equal(t, ids[0], d2.FlagUpdates[0].ID)
	assert.True(t, d2.FlagUpdates[0].Flags.Has(email.FlagFlagged))
	assert.False(t, d2.FlagUpdates[0].Flags.Has(email.FlagSeen))
	assert.Equal(t, ids[3], d2.FlagUpdates[1].ID)
	assert.True(t, d2.FlagUpdates[1].Flags.Has(email.FlagSeen))
	assert.True(t, d2.FlagUpdates[1].Flags.Has(email.ParseFlag("$Label1")))

	d3, err := ic.DiffEnvelopes(ctx, name, d2.State)
	require.NoError(t, err)
	assert.True(t, d3.Empty(), "nothing new when nothing is: %+v", d3)

	// A state of another mailbox, or garbage, asks for a full list.
	d4, err := ic.DiffEnvelopes(ctx, "INBOX", d3.State)
	require.NoError(t, err)
	assert.True(t, d4.FullListRequired)
	assert.NotNil(t, d4.State)
	d5, err := ic.DiffEnvelopes(ctx, name, email.State("ioei\x01garbage"))
	require.NoError(t, err)
	assert.True(t, d5.FullListRequired)

	// The mailbox deleted and created again: a new UIDVALIDITY.
	require.NoError(t, ic.DeleteMailbox(ctx, name))
	require.NoError(t, ic.CreateMailbox(ctx, name))
	_, err = ic.AddMessage(ctx, name, strings.NewReader(testMessage(5, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
	require.NoError(t, err)
	d6, err := ic.DiffEnvelopes(ctx, name, d3.State)
	require.NoError(t, err)
	assert.True(t, d6.FullListRequired, "UIDVALIDITY changed: %+v", d6)
	assert.Empty(t, d6.New)
	require.NotNil(t, d6.State)
	d7, err := ic.DiffEnvelopes(ctx, name, d6.State)
	require.NoError(t, err)
	assert.True(t, d7.Empty(), "%+v", d7)
}

func TestIMAPDiffMailboxes(t *testing.T) {
	servers(t, func(t *testing.T, ic *IMAPClient) {
		ctx := tctx(t)
		d0, err := ic.DiffMailboxes(ctx, nil)
		require.NoError(t, err)
		require.True(t, d0.FullListRequired)
		a := box(t, ic, "dm-a")
		b := box(t, ic, "dm-b")
		d1, err := ic.DiffMailboxes(ctx, d0.State)
		require.NoError(t, err)
		assert.Subset(t, d1.Created, []string{a, b})
		d2, err := ic.DiffMailboxes(ctx, d1.State)
		require.NoError(t, err)
		assert.NotContains(t, d2.Created, a)
		assert.NotContains(t, d2.Updated, a)
		_, err = ic.AddMessage(ctx, a, strings.NewReader(testMessage(1, "Mon, 02 Jan 2006 15:04:05 -0700")), nil)
		require.NoError(t, err)
		require.NoError(t, ic.DeleteMailbox(ctx, b))
		d3, err := ic.DiffMailboxes(ctx, d2.State)
		require.NoError(t, err)
		assert.Contains(t, d3.Updated, a)
		assert.Contains(t, d3.Deleted, b)
		assert.NotContains(t, d3.Created, a)
	})
}
