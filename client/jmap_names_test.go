package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// TestJMAPCyrusNames runs the shared calls on Cyrus with mailbox names, as
// on the other backends: INBOX is the mailbox with role inbox, paths are
// "/"-separated, DiffMailboxes speaks names, unknown names are not found.
func TestJMAPCyrusNames(t *testing.T) {
	ctx := context.Background()
	c, jc, box := cyrus(t)

	// INBOX, in any case, is the mailbox with role inbox.
	_, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{PageSize: 1})
	require.NoError(t, err, "INBOX lists")
	_, err = c.ListEnvelopes(ctx, "inbox", email.ListOptions{PageSize: 1})
	require.NoError(t, err)
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	require.Equal(t, "INBOX", boxes[0].Name)
	require.Equal(t, "INBOX", boxes[0].ID)
	inboxID, err := jc.MailboxID(ctx, "INBOX")
	require.NoError(t, err)
	assert.NotEqual(t, "INBOX", inboxID, "the server id")

	// A child path, by name through every call.
	child := box + "/sub"
	require.NoError(t, c.CreateMailbox(ctx, child))
	id, err := c.AddMessage(ctx, child, bytes.NewReader(msg("names "+child, "Mon, 1 Jan 2024 10:00:00 +0000")), nil)
	require.NoError(t, err)
	envs, err := c.ListEnvelopes(ctx, child, email.ListOptions{})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, id, envs[0].ID)
	var buf bytes.Buffer
	_, err = c.GetMessage(ctx, child, id, &buf)
	require.NoError(t, err)
	_, err = c.CopyMessages(ctx, child, box, []string{id})
	require.NoError(t, err)
	require.NoError(t, c.StoreFlags(ctx, box, []string{id}, email.FlagAdd, email.ParseFlags(`\Seen`)))

	// DiffMailboxes reports names.
	d0, err := c.DiffMailboxes(ctx, nil)
	require.NoError(t, err)
	made := box + "/made"
	require.NoError(t, c.CreateMailbox(ctx, made))
	d1, err := c.DiffMailboxes(ctx, d0.State)
	require.NoError(t, err)
	require.False(t, d1.FullListRequired)
	assert.Contains(t, d1.Created, made)
	require.NoError(t, c.DeleteMessages(ctx, child, []string{id}))
	require.NoError(t, c.DeleteMailbox(ctx, made))
	d2, err := c.DiffMailboxes(ctx, d1.State)
	require.NoError(t, err)
	assert.Equal(t, []string{made}, d2.Deleted)
	assert.Contains(t, d2.Updated, child, "its count changed")
	require.NoError(t, c.DeleteMailbox(ctx, child))

	// A mailbox removed by another client behind our cache is not found,
	// and one made behind it is found.
	other := client.New()
	env := cyrusURL(t)
	require.NoError(t, other.ConnectJMAP(ctx, env, basic("alice", "alicepass")))
	behind := box + "/behind"
	require.NoError(t, other.CreateMailbox(ctx, behind))
	_, err = c.ListEnvelopes(ctx, behind, email.ListOptions{})
	require.NoError(t, err, "a miss reads the tree again")
	require.NoError(t, other.DeleteMailbox(ctx, behind))
	require.NoError(t, other.CreateMailbox(ctx, behind))
	_, err = c.ListEnvelopes(ctx, behind, email.ListOptions{})
	require.NoError(t, err, "a stale id is looked up again")
	require.NoError(t, other.DeleteMailbox(ctx, behind))
	_, err = c.ListEnvelopes(ctx, behind, email.ListOptions{})
	assert.ErrorIs(t, err, email.ErrNotFound)

	missing := box + "/missing"
	for name, err := range map[string]error{
		"list_envelopes": func() error { _, err := c.ListEnvelopes(ctx, missing, email.ListOptions{}); return err }(),
		"get_message":    func() error { _, err := c.GetMessage(ctx, missing, id, &buf); return err }(),
		"add_message": func() error {
			_, err := c.AddMessage(ctx, missing, bytes.NewReader(msg("x", "Mon, 1 Jan 2024 10:00:00 +0000")), nil)
			return err
		}(),
		"copy_messages":  func() error { _, err := c.CopyMessages(ctx, box, missing, []string{id}); return err }(),
		"move_messages":  func() error { _, err := c.MoveMessages(ctx, missing, box, []string{id}); return err }(),
		"delete_message": c.DeleteMessages(ctx, missing, []string{id}),
		"store_flags":    c.StoreFlags(ctx, missing, []string{id}, email.FlagAdd, email.ParseFlags(`\Seen`)),
		"diff_envelopes": func() error { _, err := c.DiffEnvelopes(ctx, missing, nil); return err }(),
		"delete_mailbox": c.DeleteMailbox(ctx, missing),
		"mailbox_id":     func() error { _, err := jc.MailboxID(ctx, missing); return err }(),
		"watch_mailbox":  jc.WatchMailbox(ctx, missing, func(email.WatchEvent) error { return nil }),
	} {
		assert.ErrorIs(t, err, email.ErrNotFound, name)
		var nf *email.NotFoundError
		assert.True(t, errors.As(err, &nf), "%s: %v", name, err)
	}
	assert.ErrorIs(t, c.DeleteMailbox(ctx, "INBOX"), email.ErrRefused)
}

func cyrusURL(t *testing.T) string {
	return testpeers.Load(t, "PEERS_JMAP_SESSION_URL")["PEERS_JMAP_SESSION_URL"]
}

// TestJMAPCreateMailboxChecksNames refuses, before any request, the names
// the local stores refuse; on Cyrus "../evil" used to make a mailbox
// literally named "..".
func TestJMAPCreateMailboxChecksNames(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if mailboxGet(w, r) {
			return
		}
		fmt.Fprint(w, `{"methodResponses":[["Mailbox/set",{"created":{"c1":{"id":"n"},"c2":{"id":"n2"}}},"0"]]}`)
	})
	jc, err := client.DialJMAP(ctx, srv.URL, bearer(secretAuth))
	require.NoError(t, err)
	for _, name := range []string{"", "../evil", "a/../b", "./x", "a/.", "a//b", "/a", "a/", " ", "a\x00b", "a\r\nb", "tab\there", "del\x7f"} {
		err := jc.CreateMailbox(ctx, name)
		var ne *email.NameError
		assert.True(t, errors.As(err, &ne), "%q: %v", name, err)
		assert.ErrorIs(t, err, email.ErrInvalidName, "%q", name)
	}
	assert.Zero(t, calls.Load(), "no request for a bad name")
	require.NoError(t, jc.CreateMailbox(ctx, "m/..x/y"), "dots inside a level are fine")
	assert.ErrorIs(t, jc.CreateMailbox(ctx, "m"), email.ErrExists)
	assert.ErrorIs(t, jc.CreateMailbox(ctx, "inbox"), email.ErrExists, "the inbox exists whatever its display name")
}

// TestJMAPNamesCached resolves names from the session's snapshot: one
// Mailbox/get for many calls, another only on a miss.
func TestJMAPNamesCached(t *testing.T) {
	ctx := context.Background()
	var gets atomic.Int32
	srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		if mailboxGet(w, r) {
			gets.Add(1)
			return
		}
		fmt.Fprint(w, `{"methodResponses":[["Email/query",{"ids":[]},"q"],["Email/get",{"state":"1","list":[]},"g"]]}`)
	})
	jc, err := client.DialJMAP(ctx, srv.URL, bearer(secretAuth))
	require.NoError(t, err)
	for range 3 {
		_, err := jc.ListEnvelopes(ctx, "m", email.ListOptions{PageSize: 5})
		require.NoError(t, err)
		_, err = jc.ListEnvelopes(ctx, "INBOX", email.ListOptions{PageSize: 5})
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), gets.Load(), "names resolved from the snapshot")
	_, err = jc.ListEnvelopes(ctx, "nope", email.ListOptions{PageSize: 5})
	assert.ErrorIs(t, err, email.ErrNotFound)
	assert.Contains(t, err.Error(), `"nope"`)
	assert.Equal(t, int32(2), gets.Load(), "a miss reads the tree again")
	assert.False(t, strings.Contains(err.Error(), "s3cr3t"))
}
