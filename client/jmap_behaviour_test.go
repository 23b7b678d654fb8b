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

// TestJMAPCyrusAddMessageCanonical stores what the other backends store: a
// message with bare LF line ends and a leading mbox "From " line, which
// Cyrus refused, is stored with CRLF and without that line.
func TestJMAPCyrusAddMessageCanonical(t *testing.T) {
	ctx := context.Background()
	c, _, box := cyrus(t)
	raw := "From alice@jmap.test Mon Jan  1 10:00:00 2024\nX-Run: " + runNonce + "\nFrom: Alice <alice@jmap.test>\nTo: bob@jmap.test\nSubject: bare lf\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\nline one\nline two\r\n"
	id, err := c.AddMessage(ctx, box, strings.NewReader(raw), nil)
	require.NoError(t, err, "bare LF is accepted")
	var buf bytes.Buffer
	_, err = c.GetMessage(ctx, box, id, &buf)
	require.NoError(t, err)
	want := "X-Run: " + runNonce + "\r\nFrom: Alice <alice@jmap.test>\r\nTo: bob@jmap.test\r\nSubject: bare lf\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nline one\r\nline two\r\n"
	assert.Equal(t, want, buf.String())
	envs, err := c.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, "bare lf", envs[0].Subject)
	require.Len(t, envs[0].From, 1)
	assert.Equal(t, "alice@jmap.test", envs[0].From[0].Email)
}

// TestJMAPCyrusSendPartialRefusal: a send with one recipient Postfix
// refuses and one it accepts succeeds, the refused one in Rejected, as on
// SMTP; the accepted one gets the message once.
func TestJMAPCyrusSendPartialRefusal(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	testpeers.Load(t, "PEERS_SMTP_RELAY_ADDR")
	ctx := context.Background()
	c := client.New()
	require.NoError(t, c.ConnectJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], basic("alice", "alicepass")))
	subject := fmt.Sprintf("jmap partial %d", time.Now().UnixNano())
	raw := []byte("From: Alice <alice@jmap.test>\r\nTo: Bob <bob@jmap.test>, nosuchuser@example.test\r\nSubject: " + subject +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@jmap.test>\r\n\r\nHi\r\n")
	res, err := c.SendMessage(ctx, raw, email.SendOptions{})
	require.NoError(t, err, "one recipient accepted: the send succeeds")
	assert.Equal(t, []string{"bob@jmap.test"}, res.Accepted)
	require.Len(t, res.Rejected, 1)
	assert.Equal(t, "nosuchuser@example.test", res.Rejected[0].Address)
	assert.ErrorIs(t, res.Rejected[0].Err, email.ErrRefused)
	assert.NotEmpty(t, res.Rejected[0].Reason)

	id, got := findBySubject(t, "bob", "bobpass", email.RoleInbox, subject)
	assert.Contains(t, string(got), "Hi")
	sentID, _ := findBySubject(t, "alice", "alicepass", email.RoleSent, subject)
	assert.NotEmpty(t, sentID, "the sent copy is in Sent")
	// Bob got exactly one copy.
	bob, err := client.DialJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], basic("bob", "bobpass"))
	require.NoError(t, err)
	envs, err := bob.ListEnvelopes(ctx, "INBOX", email.ListOptions{PageSize: 50})
	require.NoError(t, err)
	n := 0
	for _, e := range envs {
		if e.Subject == subject {
			n++
			assert.Equal(t, id, e.ID)
		}
	}
	assert.Equal(t, 1, n)

	// Every recipient refused: the send fails as before.
	bad := []byte("From: alice@jmap.test\r\nTo: nosuchuser@example.test, nosuchuser2@example.test\r\nSubject: " + subject + " all bad\r\n\r\nx\r\n")
	_, err = c.SendMessage(ctx, bad, email.SendOptions{})
	assert.ErrorIs(t, err, email.ErrRefused)
}

// TestJMAPCyrusWatchDefaultInterval: Cyrus has no push (its eventSourceUrl
// answers 204), so the watch polls; with no interval set a change made by
// another client is reported within the 5 s default poll interval (plus
// one diff exchange).
func TestJMAPCyrusWatchDefaultInterval(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	_, jc, box := cyrus(t)
	require.Zero(t, jc.Watch.Interval, "the default applies")
	other, err := client.DialJMAP(ctx, jc.Session().URL, basic("alice", "alicepass"))
	require.NoError(t, err)
	added := make(chan time.Time, 1)
	var seen time.Time
	err = jc.WatchMailbox(ctx, box, func(ev email.WatchEvent) error {
		switch ev.Kind {
		case email.KeepAlive:
			if seen.IsZero() {
				seen = time.Now()
				go func() {
					_, err := other.AddMessage(context.Background(), box, bytes.NewReader(msg("watch default", "Mon, 1 Jan 2024 10:00:00 +0000")), nil)
					if err == nil {
						added <- time.Now()
					}
				}()
			}
		case email.EnvelopeAdded:
			return errStop
		}
		return nil
	})
	require.ErrorIs(t, err, errStop, "the change was reported")
	at := <-added
	assert.Less(t, time.Since(at), 5*time.Second+2*time.Second, "reported within the default interval")
}
