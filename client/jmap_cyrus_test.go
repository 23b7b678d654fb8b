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

// basic returns the options that authenticate to JMAP with HTTP Basic.
func basic(user, pass string) *client.Options {
	return &client.Options{Auth: client.Password(user, pass)}
}

// bearer returns the options that send the Authorization value auth
// ("Bearer <token>").
func bearer(auth string) *client.Options {
	return &client.Options{Auth: client.Bearer("", strings.TrimPrefix(auth, "Bearer "))}
}

// cyrus connects to the loopback Cyrus as alice and creates a mailbox with
// a unique name, removed when the test ends; it returns that name.
func cyrus(t *testing.T) (*client.Client, *client.JMAPClient, string) {
	t.Helper()
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	ctx := context.Background()
	c := client.New()
	require.NoError(t, c.ConnectJMAP(ctx, env["PEERS_JMAP_SESSION_URL"], basic("alice", "alicepass")))
	jc := c.JMAP()
	require.NotNil(t, jc)
	name := fmt.Sprintf("t%d", time.Now().UnixNano())
	require.NoError(t, jc.CreateMailbox(ctx, name))
	t.Cleanup(func() { _ = jc.DeleteMailbox(context.Background(), name) })
	return c, jc, name
}

// runNonce makes the test messages of each run distinct, as Cyrus keeps one
// email per distinct message.
var runNonce = fmt.Sprint(time.Now().UnixNano())

func msg(subject, date string) []byte {
	return []byte("X-Run: " + runNonce + "\r\nFrom: Alice <alice@jmap.test>\r\nTo: bob@jmap.test\r\nSubject: " + subject +
		"\r\nDate: " + date + "\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@test>\r\n\r\nHello " + subject + "\r\n")
}

func TestJMAPCyrusSession(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	jc, err := client.DialJMAP(context.Background(), env["PEERS_JMAP_SESSION_URL"], basic("alice", "alicepass"))
	require.NoError(t, err)
	s := jc.Session()
	assert.Equal(t, "alice", s.AccountID)
	assert.True(t, strings.HasPrefix(s.APIURL, "http://127.0.0.1:18080/jmap"), s.APIURL)
	assert.Equal(t, 4096, s.MaxGet())
	assert.Equal(t, 50, s.MaxCalls())
	assert.True(t, s.Submission)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", s, s, s), "YWxpY2", "credentials never printed")

	_, err = client.DialJMAP(context.Background(), env["PEERS_JMAP_SESSION_URL"], basic("alice", "wrong"))
	require.Error(t, err)
	assert.ErrorIs(t, err, email.ErrRefused)
	assert.NotContains(t, err.Error(), "d3Jvbmc")
}

func TestJMAPCyrusMailboxes(t *testing.T) {
	ctx := context.Background()
	c, jc, top := cyrus(t)
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	require.NoError(t, err)
	require.NotEmpty(t, boxes)
	assert.Equal(t, email.RoleInbox, boxes[0].Role, "inbox first")
	found := false
	for _, b := range boxes {
		if b.ID == top {
			found = true
			assert.Equal(t, top, b.Name, "ID and Name are the name")
			require.NotNil(t, b.Total)
			assert.Equal(t, 0, *b.Total)
		}
	}
	require.True(t, found)

	childID, err := jc.CreateMailboxID(ctx, top+"/a/b")
	require.NoError(t, err)
	got, err := jc.MailboxID(ctx, top+"/a/b")
	require.NoError(t, err)
	assert.Equal(t, childID, got, "the server id stays available")
	err = c.CreateMailbox(ctx, top+"/a/b")
	assert.ErrorIs(t, err, email.ErrExists)
	assert.ErrorIs(t, c.CreateMailbox(ctx, top+"//x"), email.ErrInvalidName)

	boxes, err = c.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	var names []string
	for _, b := range boxes {
		names = append(names, b.Name)
		if b.Name == top+"/a/b" {
			assert.Nil(t, b.Total, "no counts unless asked")
		}
	}
	require.Contains(t, names, top+"/a", "the parent was created")
	require.Contains(t, names, top+"/a/b", "hierarchical name from parentId")
	err = c.DeleteMailbox(ctx, top+"/a")
	assert.ErrorIs(t, err, email.ErrRefused, "a mailbox with a child is refused: %v", err)
	require.NoError(t, c.DeleteMailbox(ctx, top+"/a/b"))
	require.NoError(t, c.DeleteMailbox(ctx, top+"/a"))
	assert.ErrorIs(t, c.DeleteMailbox(ctx, top+"/a"), email.ErrNotFound)
}

func TestJMAPCyrusMessages(t *testing.T) {
	ctx := context.Background()
	c, jc, box := cyrus(t)
	other := fmt.Sprintf("o%d", time.Now().UnixNano())
	err := jc.CreateMailbox(ctx, other)
	require.NoError(t, err)
	defer c.DeleteMailbox(ctx, other)

	var ids []string
	for i := range 5 {
		raw := msg(fmt.Sprintf("m%d", i), fmt.Sprintf("Mon, %d Jan 2024 10:00:00 +0200", 10+i))
		id, err := c.AddMessage(ctx, box, bytes.NewReader(raw), email.ParseFlags(`\Seen`, "Work"))
		require.NoError(t, err)
		ids = append(ids, id)
	}
	envs, err := c.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 5)
	assert.Equal(t, "m4", envs[0].Subject, "newest Date first")
	assert.Equal(t, "m4@test", envs[0].MessageID)
	_, off := envs[0].Date.Zone()
	assert.Equal(t, 7200, off, "original offset kept")
	assert.True(t, envs[0].Flags.Equal(email.ParseFlags("$seen", "work")), "%v", envs[0].Flags)
	assert.Equal(t, "alice@jmap.test", envs[0].From[0].Email)
	assert.Equal(t, "Alice", envs[0].From[0].Name)

	before := jc.Exchanges()
	page, err := c.ListEnvelopes(ctx, box, email.ListOptions{Page: 2, PageSize: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.Equal(t, []string{"m2", "m1"}, []string{page[0].Subject, page[1].Subject})
	assert.EqualValues(t, 1, jc.Exchanges()-before, "one exchange per page")

	var buf bytes.Buffer
	_, err = c.GetMessage(ctx, box, ids[1], &buf)
	require.NoError(t, err)
	assert.Equal(t, string(msg("m1", "Mon, 11 Jan 2024 10:00:00 +0200")), buf.String())
	_, err = c.GetMessage(ctx, other, ids[1], &buf)
	assert.ErrorIs(t, err, email.ErrNotFound, "not in that mailbox")

	require.NoError(t, c.StoreFlags(ctx, box, ids[:2], email.FlagAdd, email.ParseFlags(`\Flagged`)))
	require.NoError(t, c.StoreFlags(ctx, box, ids[:1], email.FlagRemove, email.ParseFlags(`\Seen`, "WORK")))
	require.NoError(t, c.StoreFlags(ctx, box, ids[2:3], email.FlagSet, email.ParseFlags(`$Forwarded`)))
	envs, err = c.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err)
	flags := map[string]email.Flags{}
	for _, e := range envs {
		flags[e.ID] = e.Flags
	}
	assert.True(t, flags[ids[0]].Equal(email.ParseFlags(`\Flagged`)), "%v", flags[ids[0]])
	assert.True(t, flags[ids[1]].Equal(email.ParseFlags(`\Flagged`, `\Seen`, "Work")), "%v", flags[ids[1]])
	assert.True(t, flags[ids[2]].Equal(email.ParseFlags(`$Forwarded`)), "%v", flags[ids[2]])

	// Copy: the same email is now in both mailboxes.
	got, err := c.CopyMessages(ctx, box, other, ids[:2])
	require.NoError(t, err)
	assert.Equal(t, ids[:2], got)
	inOther, err := c.ListEnvelopes(ctx, other, email.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, inOther, 2)
	// Delete from one mailbox keeps it in the other.
	require.NoError(t, c.DeleteMessages(ctx, box, ids[:1]))
	_, err = c.GetMessage(ctx, other, ids[0], &buf)
	require.NoError(t, err, "still in the other mailbox")
	// Move the remaining copy of ids[1] out of box into other: only in other.
	_, err = c.MoveMessages(ctx, box, other, ids[1:2])
	require.NoError(t, err)
	envs, err = c.ListEnvelopes(ctx, box, email.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, envs, 3)
	// Delete from the last mailbox destroys.
	require.NoError(t, c.DeleteMessages(ctx, other, ids[:1]))
	_, err = c.GetMessage(ctx, other, ids[0], &buf)
	assert.ErrorIs(t, err, email.ErrNotFound, "destroyed")
	assert.ErrorIs(t, c.DeleteMessages(ctx, box, ids[:1]), email.ErrNotFound)
	assert.ErrorIs(t, c.DeleteMessages(ctx, box, ids[1:2]), email.ErrNotFound, "not in that mailbox")
}
