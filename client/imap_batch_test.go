package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

var _ interface {
	GetMessages(ctx context.Context, mailbox string, ids []string, fn func(id string, r io.Reader) error) error
} = (*IMAPClient)(nil)

// fillBox adds n small distinct messages to a new mailbox and returns it
// with the ids.
func fillBox(t *testing.T, ic *IMAPClient, n int) (string, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // 1,000 APPENDs under -race
	defer cancel()
	box := uniqueName("imapstream-batch")
	require.NoError(t, ic.CreateMailbox(ctx, box))
	t.Cleanup(func() { ic.DeleteMailbox(context.Background(), box) })
	ids := make([]string, n)
	for i := range n {
		msg := fmt.Sprintf("From: a@example.test\r\nSubject: message %d\r\nMessage-ID: <batch-%d@example.test>\r\n\r\n%s\r\n", i, i, strings.Repeat("body ", i%50))
		id, err := ic.AddMessage(ctx, box, strings.NewReader(msg), nil)
		require.NoError(t, err)
		ids[i] = id
	}
	return box, ids
}

// TestIMAPGetMessagesEqualsGetMessage fetches a mailbox in one
// GetMessages, with a missing and a duplicated id, and compares every
// message with GetMessage's; on imapmemserver (100 messages) and Dovecot
// (1,000).
func TestIMAPGetMessagesEqualsGetMessage(t *testing.T) {
	for peer, c := range map[string]struct {
		dial func(testing.TB) *IMAPClient
		n    int
	}{"imapmemserver": {memClient, 100}, "dovecot": {dovecotClient, 1000}} {
		t.Run(peer, func(t *testing.T) {
			ic := c.dial(t)
			box, ids := fillBox(t, ic, c.n)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			got := map[string]string{}
			ask := append(append([]string{}, ids...), ids[0], "999999")
			err := ic.GetMessages(ctx, box, ask, func(id string, r io.Reader) error {
				if _, dup := got[id]; dup {
					return fmt.Errorf("%s delivered twice", id)
				}
				b, err := io.ReadAll(r)
				got[id] = string(b)
				return err
			})
			var nf *email.NotFoundError
			require.ErrorAs(t, err, &nf)
			assert.Equal(t, "999999", nf.ID)
			require.Len(t, got, len(ids))
			for _, id := range ids {
				var buf bytes.Buffer
				_, err := ic.GetMessage(ctx, box, id, &buf)
				require.NoError(t, err)
				require.Equal(t, buf.String(), got[id], "message %s", id)
			}
		})
	}
}

// A callback that reads nothing, or part of a message, gets the next
// message whole; one that fails stops the fetch with its error, and the
// client goes on; a message over MaxMessageSize is reported, not given.
func TestIMAPGetMessagesEarlyReturn(t *testing.T) {
	ic := memClient(t)
	box, ids := fillBox(t, ic, 30)
	ctx := tctx(t)
	var order []string
	err := ic.GetMessages(ctx, box, ids, func(id string, r io.Reader) error {
		order = append(order, id)
		if len(order)%2 == 0 {
			return nil
		}
		b := make([]byte, 5)
		_, err := io.ReadFull(r, b)
		return err
	})
	require.NoError(t, err)
	assert.Len(t, order, 30)

	boom := errors.New("stop here")
	calls := 0
	err = ic.GetMessages(ctx, box, ids, func(string, io.Reader) error {
		calls++
		if calls == 3 {
			return boom
		}
		return nil
	})
	assert.Same(t, boom, err)
	assert.Equal(t, 3, calls)
	var buf bytes.Buffer
	_, err = ic.GetMessage(ctx, box, ids[29], &buf)
	require.NoError(t, err, "the client is usable")
	assert.Contains(t, buf.String(), "message 29")

	small, err := DialIMAP(ctx, "imap://"+ic.addr, &Options{AllowPlaintext: true, Auth: plainAlice(), MaxMessageSize: 100})
	require.NoError(t, err)
	t.Cleanup(func() { small.Close() })
	got := 0
	err = small.GetMessages(ctx, box, ids, func(string, io.Reader) error { got++; return nil })
	require.ErrorIs(t, err, email.ErrTooLarge)
	assert.NotErrorIs(t, err, email.ErrNotFound)
	assert.Less(t, got, 30)
	assert.Positive(t, got)
}
