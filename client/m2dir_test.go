package client_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

func TestM2dirClient(t *testing.T) {
	ctx := context.Background()
	root := filepath.ToSlash(t.TempDir())
	c := client.New().WithM2dir(m2dir.Store{Root: root})
	require.NotNil(t, c.M2dir())
	assert.Equal(t, "m2dir", c.M2dir().Name())
	assert.NotNil(t, c.M2dir().Store().Entropy, "defaults filled")

	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	require.NoError(t, c.CreateMailbox(ctx, "Archive"))
	raw := "From: a@example.org\r\nSubject: hi\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n"
	id, err := c.AddMessage(ctx, "INBOX", strings.NewReader(raw), email.ParseFlags(`\Seen`))
	require.NoError(t, err)

	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	require.NoError(t, err)
	require.Len(t, boxes, 2)
	assert.Equal(t, "INBOX", boxes[0].ID)
	assert.Equal(t, 1, *boxes[0].Total)
	assert.Equal(t, 0, *boxes[0].Unread)

	envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, id, envs[0].ID)
	assert.Equal(t, "hi", envs[0].Subject)

	var buf bytes.Buffer
	n, err := c.GetMessage(ctx, "INBOX", id, &buf)
	require.NoError(t, err)
	assert.Equal(t, int64(len(raw)), n)
	assert.Equal(t, raw, buf.String())

	require.NoError(t, c.StoreFlags(ctx, "INBOX", []string{id}, email.FlagAdd, email.ParseFlags(`\Flagged`)))
	ids, err := c.CopyMessages(ctx, "INBOX", "Archive", []string{id})
	require.NoError(t, err)
	moved, err := c.MoveMessages(ctx, "Archive", "INBOX", ids)
	require.NoError(t, err)
	require.NoError(t, c.DeleteMessages(ctx, "INBOX", moved))
	envs, err = c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.True(t, envs[0].Flags.HasIANA(email.Flagged))
	require.NoError(t, c.DeleteMailbox(ctx, "Archive"))
	assert.ErrorIs(t, c.DeleteMailbox(ctx, "INBOX"), email.ErrRefused)
}

func TestM2dirClientLimits(t *testing.T) {
	ctx := context.Background()
	c := client.New().WithM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir()), MaxMessageSize: 16})
	require.NoError(t, c.CreateMailbox(ctx, "INBOX"))
	_, err := c.AddMessage(ctx, "INBOX", strings.NewReader(strings.Repeat("x", 17)), nil)
	assert.ErrorIs(t, err, email.ErrTooLarge)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.ListMailboxes(cctx, email.ListMailboxesOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}
