package client_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

func TestJMAPCyrusDiffMailboxes(t *testing.T) {
	ctx := context.Background()
	c, jc, box := cyrus(t)
	d, err := c.DiffMailboxes(ctx, nil)
	require.NoError(t, err)
	require.True(t, d.FullListRequired)
	require.NotEmpty(t, d.State)
	d2, err := c.DiffMailboxes(ctx, d.State)
	require.NoError(t, err)
	assert.True(t, d2.Unchanged(), "%+v", d2)

	id := fmt.Sprintf("d%d", time.Now().UnixNano())
	require.NoError(t, jc.CreateMailbox(ctx, id))
	_, err = c.AddMessage(ctx, box, bytes.NewReader(msg("x", "Mon, 1 Jan 2024 10:00:00 +0000")), nil)
	require.NoError(t, err)
	d3, err := c.DiffMailboxes(ctx, d2.State)
	require.NoError(t, err)
	assert.Contains(t, d3.Created, id)
	assert.Contains(t, d3.Updated, box, "counts changed")
	require.NoError(t, c.DeleteMailbox(ctx, id))
	d4, err := c.DiffMailboxes(ctx, d3.State)
	require.NoError(t, err)
	assert.Equal(t, []string{id}, d4.Deleted)

	d5, err := c.DiffMailboxes(ctx, email.State("no-such-state"))
	require.NoError(t, err)
	assert.True(t, d5.FullListRequired, "cannotCalculateChanges asks for a full list")
	assert.NotEmpty(t, d5.State)
}

// cyrusIMAP logs in to Cyrus over IMAP as alice (same account as JMAP).
func cyrusIMAP(t *testing.T) *imapclient.Client {
	env := testpeers.Load(t, "PEERS_CYRUS_IMAP_ADDR")
	ic, err := imapclient.DialStartTLS(env["PEERS_CYRUS_IMAP_ADDR"], &imapclient.Options{TLSConfig: env.TLSConfig(t)})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	require.NoError(t, ic.Login("alice", "alicepass").Wait())
	return ic
}

func TestJMAPCyrusDiffEnvelopes(t *testing.T) {
	ctx := context.Background()
	c, jc, box := cyrus(t)
	other := fmt.Sprintf("o%d", time.Now().UnixNano())
	err := jc.CreateMailbox(ctx, other)
	require.NoError(t, err)
	defer c.DeleteMailbox(ctx, other)

	var ids []string
	for i := range 3 {
		id, err := c.AddMessage(ctx, box, bytes.NewReader(msg(fmt.Sprintf("d%d", i), "Mon, 1 Jan 2024 10:00:00 +0000")), nil)
		require.NoError(t, err)
		ids = append(ids, id)
	}
	d, err := c.DiffEnvelopes(ctx, box, nil)
	require.NoError(t, err)
	require.True(t, d.FullListRequired)
	require.NotEmpty(t, d.State)

	since := d.State
	d, err = c.DiffEnvelopes(ctx, box, since)
	require.NoError(t, err)
	if requireDiffOrLostHistory(t, jc, since, d) {
		assert.True(t, d.Empty(), "%+v", d)
	}

	// Changes over JMAP: a new message, a flag, a move out, a move in.
	newID, err := c.AddMessage(ctx, box, bytes.NewReader(msg("d3", "Tue, 2 Jan 2024 10:00:00 +0000")), nil)
	require.NoError(t, err)
	inOther, err := c.AddMessage(ctx, other, bytes.NewReader(msg("o1", "Tue, 2 Jan 2024 10:00:00 +0000")), nil)
	require.NoError(t, err)
	require.NoError(t, c.StoreFlags(ctx, box, ids[:1], email.FlagAdd, email.ParseFlags(`\Flagged`)))
	_, err = c.MoveMessages(ctx, box, other, ids[1:2])
	require.NoError(t, err)
	_, err = c.MoveMessages(ctx, other, box, []string{inOther})
	require.NoError(t, err)
	d2, err := c.DiffEnvelopes(ctx, box, d.State)
	require.NoError(t, err)
	// A full list is legitimate only when another test deleted a mailbox
	// holding messages on the account meanwhile (Cyrus then refuses
	// Email/changes); the listing must then show the same changes.
	if requireDiffOrLostHistory(t, jc, d.State, d2) {
		var newIDs []string
		for _, e := range d2.New {
			newIDs = append(newIDs, e.ID)
		}
		assert.ElementsMatch(t, []string{newID, inOther}, newIDs, "created and moved in")
		assert.Equal(t, []string{ids[1]}, d2.Vanished, "moved out")
		require.Len(t, d2.FlagUpdates, 1)
		assert.Equal(t, ids[0], d2.FlagUpdates[0].ID)
		assert.True(t, d2.FlagUpdates[0].Flags.Equal(email.ParseFlags(`\Flagged`)))
	} else {
		got := envelopesByID(t, c, box)
		assert.Len(t, got, 4)
		assert.Contains(t, got, newID)
		assert.Contains(t, got, inOther)
		assert.NotContains(t, got, ids[1], "moved out")
		assert.True(t, got[ids[0]].Flags.Equal(email.ParseFlags(`\Flagged`)))
	}

	// Changes over IMAP on the same account.
	name := box
	ic := cyrusIMAP(t)
	_, err = ic.Select(name, nil).Wait()
	require.NoError(t, err)
	// The message with subject d0 is the first appended: UID 1.
	require.NoError(t, ic.Store(imap.UIDSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}, nil).Close())
	app := ic.Append(name, int64(len(msg("i1", "Wed, 3 Jan 2024 10:00:00 +0000"))), nil)
	_, err = app.Write(msg("i1", "Wed, 3 Jan 2024 10:00:00 +0000"))
	require.NoError(t, err)
	require.NoError(t, app.Close())
	_, err = app.Wait()
	require.NoError(t, err)
	require.NoError(t, ic.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close())
	require.NoError(t, ic.UIDExpunge(imap.UIDSetNum(3)).Close())

	d3, err := c.DiffEnvelopes(ctx, box, d2.State)
	require.NoError(t, err)
	if requireDiffOrLostHistory(t, jc, d2.State, d3) {
		require.Len(t, d3.New, 1, "%+v", d3)
		assert.Equal(t, "i1", d3.New[0].Subject)
		assert.Equal(t, []string{ids[2]}, d3.Vanished, "expunged over IMAP")
		require.Len(t, d3.FlagUpdates, 1, "%+v", d3.FlagUpdates)
		assert.Equal(t, ids[0], d3.FlagUpdates[0].ID)
		assert.True(t, d3.FlagUpdates[0].Flags.Equal(email.ParseFlags(`\Flagged`, `\Seen`)))
	} else {
		got := envelopesByID(t, c, box)
		assert.Len(t, got, 4)
		assert.NotContains(t, got, ids[2], "expunged over IMAP")
		assert.True(t, got[ids[0]].Flags.Equal(email.ParseFlags(`\Flagged`, `\Seen`)))
		var subjects []string
		for _, e := range got {
			subjects = append(subjects, e.Subject)
		}
		assert.Contains(t, subjects, "i1")
	}

	// A state of another mailbox, or garbage, asks for a full list.
	d4, err := c.DiffEnvelopes(ctx, other, d3.State)
	require.NoError(t, err)
	assert.True(t, d4.FullListRequired)
	d5, err := c.DiffEnvelopes(ctx, box, email.State(`{"m":"`+box+`","e":"1","q":"zz"}`))
	require.NoError(t, err)
	assert.True(t, d5.FullListRequired)
}
