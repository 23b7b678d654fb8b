package client_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

var _ interface {
	SendMessageReader(ctx context.Context, r io.Reader, size int64, opts email.SendOptions) (email.SendResult, error)
} = (*client.JMAPClient)(nil)

// TestJMAPCyrusSendReader sends a message read in small pieces through
// Cyrus and Postfix: the Bcc recipient gets it, no delivered or stored
// copy has the Bcc field, and the body arrives whole.
func TestJMAPCyrusSendReader(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	testpeers.Load(t, "PEERS_SMTP_RELAY_ADDR")
	ctx := context.Background()
	jc, err := client.DialJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], basic("alice", "alicepass"))
	require.NoError(t, err)
	subject := fmt.Sprintf("jmapstream send %d", time.Now().UnixNano())
	body := strings.Repeat("a line of the streamed body\n", 20000) // bare LF: canonicalised on the way
	raw := "From: Alice <alice@jmap.test>\nTo: Bob <bob@jmap.test>\nBcc: alice@jmap.test\nSubject: " + subject +
		"\nDate: " + time.Now().Format(time.RFC1123Z) + "\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@jmap.test>\n\n" + body
	res, err := jc.SendMessageReader(ctx, &pieces{data: []byte(raw), n: 1000}, -1, email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"bob@jmap.test", "alice@jmap.test"}, res.Accepted)

	wantBody := strings.ReplaceAll(body, "\n", "\r\n")
	_, got := findBySubject(t, "bob", "bobpass", email.RoleInbox, subject)
	assert.NotContains(t, string(got), "Bcc:")
	assert.True(t, strings.HasSuffix(string(got), "\r\n\r\n"+wantBody), "the body arrived whole")
	_, got = findBySubject(t, "alice", "alicepass", email.RoleInbox, subject)
	assert.NotContains(t, string(got), "Bcc:", "the Bcc recipient got it without the field")
	assert.True(t, strings.HasSuffix(string(got), wantBody))
	_, sent := findBySubject(t, "alice", "alicepass", email.RoleSent, subject)
	assert.NotContains(t, string(sent), "Bcc:", "the stored copy has no Bcc")

	// A header block without end over the bound is refused before any
	// exchange; a message without recipients too.
	_, err = jc.SendMessageReader(ctx, strings.NewReader("X: "+strings.Repeat("y", 2<<20)), -1, email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrTooLarge)
	_, err = jc.SendMessageReader(ctx, strings.NewReader("Subject: x\r\n\r\nbody\r\n"), -1, email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
}
