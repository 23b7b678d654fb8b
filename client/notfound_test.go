package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/search"
)

// TestMissingMailboxNotFound asks every backend for a mailbox that does
// not exist, through every shared call that names one: each fails with an
// error matching email.ErrNotFound, so a program need not know which
// backend it talks to.
func TestMissingMailboxNotFound(t *testing.T) {
	backends := map[string]func(t *testing.T) *Client{
		"maildir": func(t *testing.T) *Client {
			return New().WithMaildir(maildir.Store{Root: filepath.ToSlash(filepath.Join(t.TempDir(), "Mail"))})
		},
		"maildir-fs": func(t *testing.T) *Client {
			return New().WithMaildir(maildir.Store{Root: filepath.ToSlash(filepath.Join(t.TempDir(), "Mail")), Layout: maildir.LayoutFS})
		},
		"m2dir":         func(t *testing.T) *Client { return New().WithM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir())}) },
		"imapmemserver": func(t *testing.T) *Client { return New().WithStorage(slotIMAP, memClient(t)) },
		"dovecot":       func(t *testing.T) *Client { return New().WithStorage(slotIMAP, dovecotClient(t)) },
		"cyrus": func(t *testing.T) *Client {
			env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
			jc, err := DialJMAP(tctx(t), env["PEERS_JMAP_SESSION_URL"], &Options{Auth: Password("alice", "alicepass")})
			require.NoError(t, err)
			return New().WithStorage(slotJMAP, jc)
		},
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			ctx := tctx(t)
			c := open(t)
			src := uniqueName("nf-src")
			require.NoError(t, c.CreateMailbox(ctx, src))
			t.Cleanup(func() { c.DeleteMailbox(context.Background(), src) })
			raw := fmt.Sprintf("From: a@example.org\r\nSubject: nf %s\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <%s@example.org>\r\n\r\nbody\r\n", src, src)
			id, err := c.AddMessage(ctx, src, strings.NewReader(raw), nil)
			require.NoError(t, err)
			require.NotEmpty(t, id)

			missing := uniqueName("nf-missing")
			var buf bytes.Buffer
			calls := map[string]func() error{
				"list_envelopes": func() error { _, err := c.ListEnvelopes(ctx, missing, email.ListOptions{}); return err },
				"search_envelopes": func() error {
					_, err := c.SearchEnvelopes(ctx, missing, search.MustParse("subject nf"), email.ListOptions{})
					return err
				},
				"get_message": func() error { _, err := c.GetMessage(ctx, missing, id, &buf); return err },
				"add_message": func() error {
					_, err := c.AddMessage(ctx, missing, strings.NewReader(raw), nil)
					return err
				},
				"copy_messages":   func() error { _, err := c.CopyMessages(ctx, src, missing, []string{id}); return err },
				"move_messages":   func() error { _, err := c.MoveMessages(ctx, missing, src, []string{id}); return err },
				"delete_messages": func() error { return c.DeleteMessages(ctx, missing, []string{id}) },
				"store_flags": func() error {
					return c.StoreFlags(ctx, missing, []string{id}, email.FlagAdd, email.ParseFlags(`\Seen`))
				},
				"diff_envelopes": func() error { _, err := c.DiffEnvelopes(ctx, missing, nil); return err },
				"delete_mailbox": func() error { return c.DeleteMailbox(ctx, missing) },
				"watch_mailbox": func() error {
					// Bounded: a backend that does not check would watch
					// until the deadline and return nil, failing the test.
					wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					defer cancel()
					return c.WatchMailbox(wctx, missing, func(email.WatchEvent) error { return errors.New("event for a missing mailbox") })
				},
			}
			for op, call := range calls {
				err := call()
				assert.ErrorIs(t, err, email.ErrNotFound, "%s: %v", op, err)
			}
			// Nothing was created by the failed calls.
			boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{})
			require.NoError(t, err)
			for _, b := range boxes {
				assert.NotEqual(t, missing, b.Name)
			}
			envs, err := c.ListEnvelopes(ctx, src, email.ListOptions{})
			require.NoError(t, err)
			assert.Len(t, envs, 1, "the source message stays where it was")
		})
	}
}
