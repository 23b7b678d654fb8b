package client_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// AddMessages on a real tree stores every message of the batch in cur/
// with its flags (a keyword too) and received time, returns the ids a
// listing reports, in order, and leaves tmp/ empty; a message over the
// size limit fails the batch before anything is written.
func TestMaildirAddMessages(t *testing.T) {
	ctx := context.Background()
	c, root := mdNew(t, 0)
	md := c.Maildir()
	var _ client.MessagesAdder = md
	recv := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	var msgs []client.NewMessage
	for i := range 20 {
		m := client.NewMessage{Raw: []byte(mdMsg(fmt.Sprintf("batch %d", i), "Mon, 01 Jan 2024 10:00:00 +0000"))}
		switch i % 3 {
		case 1:
			m.Flags = email.Flags{email.FlagSeen}
		case 2:
			m.Flags = email.ParseFlags("Work", `\Flagged`)
		}
		if i%2 == 0 {
			m.Received = recv.Add(time.Duration(i) * time.Hour)
		}
		msgs = append(msgs, m)
	}
	ids, err := md.AddMessages(ctx, "INBOX", msgs)
	require.NoError(t, err)
	require.Len(t, ids, len(msgs))
	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	byID := map[string]email.Envelope{}
	for _, e := range envs {
		byID[e.ID] = e
	}
	require.Len(t, byID, len(msgs))
	for i, id := range ids {
		e, ok := byID[id]
		require.True(t, ok, "id %d (%s) not listed", i, id)
		assert.Equal(t, fmt.Sprintf("batch %d", i), e.Subject)
		assert.Equal(t, email.NewFlags(msgs[i].Flags...).Raw(), email.NewFlags(e.Flags...).Raw(), "message %d", i)
		if !msgs[i].Received.IsZero() {
			assert.True(t, msgs[i].Received.Equal(e.Received), "message %d received %v", i, e.Received)
		}
	}
	assert.Empty(t, mdFiles(t, filepath.Join(root, "tmp")))
	assert.Len(t, mdFiles(t, filepath.Join(root, "cur")), len(msgs))

	small := md.Store()
	small.MaxMessageSize = 100
	_, err = client.NewMaildir(small, nil).AddMessages(ctx, "INBOX", msgs[:2])
	require.ErrorIs(t, err, email.ErrTooLarge)
	assert.Len(t, mdFiles(t, filepath.Join(root, "cur")), len(msgs))
	_, err = md.AddMessages(ctx, "Nope", msgs[:1])
	require.ErrorIs(t, err, email.ErrNotFound)
}
