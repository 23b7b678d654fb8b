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
	"github.com/ioemail/ioemail/m2dir"
)

// Client.AddMessages gives the same result through a backend that takes
// batches (Maildir) and one that takes one message at a time (m2dir): the
// ids in order, each message listed with its subject, flags and received
// time; on m2dir a failing message ends the call with the ids stored
// before it.
func TestClientAddMessages(t *testing.T) {
	ctx := context.Background()
	mdc, _ := mdNew(t, 0)
	m2 := client.New().WithM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir())})
	require.NoError(t, m2.CreateMailbox(ctx, "INBOX"))
	recv := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	var msgs []client.NewMessage
	for i := range 5 {
		m := client.NewMessage{Raw: []byte(mdMsg(fmt.Sprintf("add %d", i), "Tue, 02 Jan 2024 10:00:00 +0000"))}
		if i%2 == 1 {
			m.Flags, m.Received = email.Flags{email.FlagSeen}, recv.Add(time.Duration(i)*time.Hour)
		}
		msgs = append(msgs, m)
	}
	for name, c := range map[string]*client.Client{"maildir": mdc, "m2dir": m2} {
		ids, err := c.AddMessages(ctx, "INBOX", msgs)
		require.NoError(t, err, name)
		require.Len(t, ids, len(msgs), name)
		envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
		require.NoError(t, err, name)
		byID := map[string]email.Envelope{}
		for _, e := range envs {
			byID[e.ID] = e
		}
		for i, id := range ids {
			e, ok := byID[id]
			require.True(t, ok, "%s: id %d not listed", name, i)
			assert.Equal(t, fmt.Sprintf("add %d", i), e.Subject, name)
			assert.Equal(t, msgs[i].Flags.Has(email.FlagSeen), e.Flags.Has(email.FlagSeen), "%s: message %d", name, i)
			if !msgs[i].Received.IsZero() {
				assert.True(t, msgs[i].Received.Equal(e.Received), "%s: message %d received %v", name, i, e.Received)
			}
		}
	}
	// One by one: the ids before a failure come back with it.
	root := filepath.ToSlash(t.TempDir())
	small := client.New().WithM2dir(m2dir.Store{Root: root, MaxMessageSize: int64(len(msgs[0].Raw) + 10)})
	require.NoError(t, small.CreateMailbox(ctx, "INBOX"))
	big := client.NewMessage{Raw: []byte(mdMsg(fmt.Sprintf("big %0200d", 0), "Tue, 02 Jan 2024 10:00:00 +0000"))}
	ids, err := small.AddMessages(ctx, "INBOX", []client.NewMessage{msgs[0], msgs[1], big, msgs[2]})
	require.ErrorIs(t, err, email.ErrTooLarge)
	require.Len(t, ids, 2)
	envs, err := small.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, envs, 2, "the messages after the failing one are not stored")
}
