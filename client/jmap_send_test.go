package client_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// findBySubject polls the mailbox with the given role of user's account
// until a message with subject shows up, and returns its raw bytes.
func findBySubject(t *testing.T, user, pass string, role email.Role, subject string) (string, []byte) {
	t.Helper()
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	ctx := context.Background()
	jc, err := client.DialJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], basic(user, pass))
	require.NoError(t, err)
	boxes, err := jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	var box string
	for _, b := range boxes {
		if b.Role == role {
			box = b.ID
		}
	}
	require.NotEmpty(t, box, "no %s mailbox for %s", role, user)
	for range 100 {
		envs, err := jc.ListEnvelopes(ctx, box, email.ListOptions{PageSize: 50})
		require.NoError(t, err)
		for _, e := range envs {
			if e.Subject == subject {
				var buf bytes.Buffer
				_, err := jc.GetMessage(ctx, box, e.ID, &buf)
				require.NoError(t, err)
				return e.ID, buf.Bytes()
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%q never reached %s's %s", subject, user, role)
	return "", nil
}

func TestJMAPCyrusSend(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	testpeers.Load(t, "PEERS_SMTP_RELAY_ADDR")
	ctx := context.Background()
	c := client.New()
	require.NoError(t, c.ConnectJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], basic("alice", "alicepass")))
	subject := fmt.Sprintf("jmap send %d", time.Now().UnixNano())
	raw := []byte("From: Alice <alice@jmap.test>\r\nTo: Bob <bob@jmap.test>\r\nBcc: alice@jmap.test\r\nSubject: " + subject +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@jmap.test>\r\n\r\nHi Bob\r\n")
	res, err := c.SendMessage(ctx, raw, email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@jmap.test", "alice@jmap.test"}, res.Accepted)

	_, got := findBySubject(t, "bob", "bobpass", email.RoleInbox, subject)
	assert.Contains(t, string(got), "Hi Bob")
	assert.NotContains(t, string(got), "Bcc:", "the Bcc field is not delivered")
	_, got = findBySubject(t, "alice", "alicepass", email.RoleInbox, subject)
	assert.NotContains(t, string(got), "Bcc:", "the Bcc recipient got it without the field")

	id, sent := findBySubject(t, "alice", "alicepass", email.RoleSent, subject)
	assert.NotContains(t, string(sent), "Bcc:", "the stored copy has no Bcc")
	envs, err := c.ListEnvelopes(ctx, sentBox(t, c), email.ListOptions{PageSize: 50})
	require.NoError(t, err)
	for _, e := range envs {
		if e.ID == id {
			assert.False(t, e.Flags.HasIANA(email.Draft), "$draft cleared: %v", e.Flags)
			assert.True(t, e.Flags.HasIANA(email.Seen))
		}
	}

	_, err = c.SendMessage(ctx, []byte("Subject: x\r\n\r\n"), email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	bad := []byte("From: alice@jmap.test\r\nTo: nobody@example.test\r\nSubject: " + subject + " bad\r\n\r\nx\r\n")
	_, err = c.SendMessage(ctx, bad, email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrRefused, "a recipient the relay refuses: %v", err)
	// The refused message does not stay in Drafts.
	var drafts string
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	for _, b := range boxes {
		if b.Role == email.RoleDrafts {
			drafts = b.ID
		}
	}
	envs, err = c.ListEnvelopes(ctx, drafts, email.ListOptions{})
	require.NoError(t, err)
	for _, e := range envs {
		assert.NotEqual(t, subject+" bad", e.Subject, "the refused draft was destroyed")
	}
}

func sentBox(t *testing.T, c *client.Client) string {
	boxes, err := c.ListMailboxes(context.Background(), email.ListMailboxesOptions{})
	require.NoError(t, err)
	for _, b := range boxes {
		if b.Role == email.RoleSent {
			return b.ID
		}
	}
	t.Fatal("no Sent mailbox")
	return ""
}
