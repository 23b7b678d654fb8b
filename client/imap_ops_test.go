package client

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func testMessage(i int, date string) string {
	return fmt.Sprintf("From: Sender %d <s%d@example.test>\r\nTo: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.test>\r\nSubject: message %d\r\nDate: %s\r\nMessage-ID: <m%d@example.test>\r\n\r\nBody %d\r\n", i, i, i, date, i, i)
}

// box creates a unique mailbox and removes it when the test ends.
func box(t *testing.T, ic *IMAPClient, prefix string) string {
	name := uniqueName(prefix)
	require.NoError(t, ic.CreateMailbox(tctx(t), name))
	t.Cleanup(func() { ic.DeleteMailbox(tctx(t), name) })
	return name
}

func TestIMAPMessages(t *testing.T) {
	servers(t, func(t *testing.T, ic *IMAPClient) {
		ctx := tctx(t)
		a := box(t, ic, "ops-a")
		b := box(t, ic, "ops-b")
		dates := []string{
			"Mon, 02 Jan 2006 15:04:05 -0700", // oldest
			"Wed, 04 Jan 2006 10:00:00 +0000", // newest
			"Tue, 03 Jan 2006 10:00:00 +0100",
		}
		var ids []string
		for i, d := range dates {
			flags := email.Flags{}
			if i == 0 {
				flags = email.NewFlags(email.FlagSeen, email.FlagForwarded, email.ParseFlag("custom1"))
			}
			id, err := ic.AddMessage(ctx, a, strings.NewReader(testMessage(i, d)), flags)
			require.NoError(t, err)
			require.NotEmpty(t, id, "APPENDUID")
			ids = append(ids, id)
		}

		envs, err := ic.ListEnvelopes(ctx, a, email.ListOptions{WithAttachment: true})
		require.NoError(t, err)
		require.Len(t, envs, 3)
		assert.Equal(t, []string{ids[1], ids[2], ids[0]}, []string{envs[0].ID, envs[1].ID, envs[2].ID}, "newest Date first")
		e := envs[2]
		assert.Equal(t, "message 0", e.Subject)
		assert.Equal(t, "m0@example.test", e.MessageID)
		assert.Equal(t, []email.Address{{Name: "Sender 0", Email: "s0@example.test"}}, e.From)
		assert.Equal(t, []email.Address{{Name: "Jörg", Email: "jorg@example.test"}}, e.To)
		assert.True(t, e.Flags.Has(email.FlagSeen))
		assert.True(t, e.Flags.Has(email.FlagForwarded))
		assert.True(t, e.Flags.Has(email.ParseFlag("custom1")))
		assert.Equal(t, int64(len(testMessage(0, dates[0]))), e.Size)
		_, off := e.Date.Zone()
		assert.Equal(t, -7*3600, off)
		require.NotNil(t, e.HasAttachment)
		assert.False(t, *e.HasAttachment)

		page, err := ic.ListEnvelopes(ctx, a, email.ListOptions{Page: 2, PageSize: 2})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, ids[0], page[0].ID)
		assert.Nil(t, page[0].HasAttachment)

		var buf bytes.Buffer
		n, err := ic.GetMessage(ctx, a, ids[1], &buf)
		require.NoError(t, err)
		assert.Equal(t, testMessage(1, dates[1]), buf.String())
		assert.Equal(t, int64(buf.Len()), n)
		_, err = ic.GetMessage(ctx, a, "999999", &buf)
		assert.ErrorIs(t, err, email.ErrNotFound)
		_, err = ic.GetMessage(ctx, a, "x1", &buf)
		assert.ErrorIs(t, err, email.ErrInvalidID)

		// Flags: add, remove, set; GetMessage did not set \Seen.
		flagsOf := func(id string) email.Flags {
			envs, err := ic.ListEnvelopes(ctx, a, email.ListOptions{})
			require.NoError(t, err)
			for _, e := range envs {
				if e.ID == id {
					return e.Flags
				}
			}
			t.Fatalf("id %s not listed", id)
			return nil
		}
		assert.False(t, flagsOf(ids[1]).Has(email.FlagSeen))
		require.NoError(t, ic.StoreFlags(ctx, a, []string{ids[1]}, email.FlagAdd, email.ParseFlags("$seen", "$junk", "\\Flagged")))
		assert.True(t, flagsOf(ids[1]).Equal(email.NewFlags(email.FlagSeen, email.FlagJunk, email.FlagFlagged)))
		require.NoError(t, ic.StoreFlags(ctx, a, []string{ids[1]}, email.FlagRemove, email.ParseFlags("\\seen")))
		assert.True(t, flagsOf(ids[1]).Equal(email.NewFlags(email.FlagJunk, email.FlagFlagged)))
		require.NoError(t, ic.StoreFlags(ctx, a, []string{ids[1]}, email.FlagSet, email.NewFlags(email.FlagAnswered)))
		assert.True(t, flagsOf(ids[1]).Equal(email.NewFlags(email.FlagAnswered)))
		assert.ErrorIs(t, ic.StoreFlags(ctx, a, []string{ids[1]}, email.FlagAdd, email.ParseFlags("bad flag")), email.ErrInvalidArgument)

		// Copy then move.
		copied, err := ic.CopyMessages(ctx, a, b, []string{ids[0], ids[1]})
		require.NoError(t, err)
		require.Len(t, copied, 2)
		assert.NotEmpty(t, copied[0])
		assert.NotEmpty(t, copied[1])
		moved, err := ic.MoveMessages(ctx, a, b, []string{ids[2]})
		require.NoError(t, err)
		require.Len(t, moved, 1)
		assert.NotEmpty(t, moved[0])
		inB, err := ic.ListEnvelopes(ctx, b, email.ListOptions{})
		require.NoError(t, err)
		assert.Len(t, inB, 3)
		inA, err := ic.ListEnvelopes(ctx, a, email.ListOptions{})
		require.NoError(t, err)
		assert.Len(t, inA, 2)
		var buf2 bytes.Buffer
		_, err = ic.GetMessage(ctx, b, moved[0], &buf2)
		require.NoError(t, err)
		assert.Equal(t, testMessage(2, dates[2]), buf2.String())

		// Delete exactly one message, even when another is marked \Deleted.
		require.NoError(t, ic.StoreFlags(ctx, b, []string{copied[1]}, email.FlagAdd, email.NewFlags(email.FlagDeleted)))
		require.NoError(t, ic.DeleteMessages(ctx, b, []string{copied[0]}))
		inB, err = ic.ListEnvelopes(ctx, b, email.ListOptions{})
		require.NoError(t, err)
		var left []string
		for _, e := range inB {
			left = append(left, e.ID)
		}
		assert.ElementsMatch(t, []string{copied[1], moved[0]}, left)

		// Errors.
		_, err = ic.ListEnvelopes(ctx, "no-such-"+a, email.ListOptions{})
		assert.ErrorIs(t, err, email.ErrNotFound)
		empty := box(t, ic, "ops-empty")
		envs, err = ic.ListEnvelopes(ctx, empty, email.ListOptions{})
		require.NoError(t, err)
		assert.Empty(t, envs)
	})
}
