package client

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// servers runs f against imapmemserver and Dovecot.
func servers(t *testing.T, f func(t *testing.T, ic *IMAPClient)) {
	t.Run("memserver", func(t *testing.T) { f(t, memClient(t)) })
	t.Run("dovecot", func(t *testing.T) { f(t, dovecotClient(t)) })
}

func TestIMAPMailboxes(t *testing.T) {
	servers(t, func(t *testing.T, ic *IMAPClient) {
		ctx := tctx(t)
		name := uniqueName("Tëst/子")
		require.NoError(t, ic.CreateMailbox(ctx, name))
		t.Cleanup(func() {
			ic.DeleteMailbox(tctx(t), name)
			ic.DeleteMailbox(tctx(t), name[:len(name)-len("/子")])
		})
		err := ic.CreateMailbox(ctx, name)
		require.ErrorIs(t, err, email.ErrExists)

		for _, counts := range []bool{false, true} {
			boxes, err := ic.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: counts})
			require.NoError(t, err)
			var found, inbox bool
			for _, b := range boxes {
				if b.ID == name {
					found = true
					assert.Equal(t, name, b.Name)
					if counts {
						require.NotNil(t, b.Total)
						assert.Equal(t, 0, *b.Total)
						require.NotNil(t, b.Unread)
					} else {
						assert.Nil(t, b.Total)
					}
				}
				if b.ID == "INBOX" {
					inbox = true
					assert.Equal(t, email.RoleInbox, b.Role)
				}
				assert.NotEqual(t, name[:len(name)-len("/子")], b.ID, "a \\Noselect parent is filtered (Dovecot)")
			}
			assert.True(t, found, "created mailbox listed")
			assert.True(t, inbox)
		}
		require.NoError(t, ic.DeleteMailbox(ctx, name))
		err = ic.DeleteMailbox(ctx, name)
		require.ErrorIs(t, err, email.ErrNotFound)
		var oe *email.OpError
		assert.True(t, errors.As(err, &oe))
		assert.ErrorIs(t, ic.DeleteMailbox(ctx, "inbox"), email.ErrRefused)
	})
}

func TestIMAPDeleteSelectedMailbox(t *testing.T) {
	servers(t, func(t *testing.T, ic *IMAPClient) {
		ctx := tctx(t)
		name := uniqueName("selected")
		require.NoError(t, ic.CreateMailbox(ctx, name))
		_, err := ic.ListEnvelopes(ctx, name, email.ListOptions{}) // selects it
		require.NoError(t, err)
		require.NoError(t, ic.DeleteMailbox(ctx, name))
		// Dovecot says BYE to a session whose selected mailbox is deleted;
		// UNSELECT first keeps the session alive.
		_, err = ic.ListMailboxes(ctx, email.ListMailboxesOptions{})
		require.NoError(t, err)
	})
}
