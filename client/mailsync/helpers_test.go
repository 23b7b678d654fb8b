package mailsync

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

func tctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newMaildir(t testing.TB, dir string) *client.MaildirClient {
	return client.NewMaildir(maildir.Store{Root: dir}, client.NewFileDriver(0))
}

func newM2dir(t testing.TB, dir string) *client.M2dirClient {
	return client.NewM2dir(m2dir.Store{Root: dir}, client.NewFileDriver(0))
}

// rawMsg returns a small message with the given Message-ID.
func rawMsg(msgid string) string {
	return fmt.Sprintf("From: a@example.test\r\nTo: b@example.test\r\nSubject: %s\r\nDate: Mon, 2 Jan 2026 10:00:00 +0000\r\nMessage-ID: <%s>\r\n\r\nbody of %s\r\n", msgid, msgid, msgid)
}

// add stores a message in a store through the shared API.
func add(t testing.TB, s client.Storage, box, msgid string, flags ...email.Flag) string {
	t.Helper()
	id, err := s.AddMessage(tctx(t), box, strings.NewReader(rawMsg(msgid)), email.NewFlags(flags...))
	require.NoError(t, err)
	return id
}

// storeContent returns, for the mailboxes names (A names mapped with
// names, nil for the identity), sorted "msgid [flags]" lines, the flags by
// their logical keys, reading through the shared API only.
func storeContent(t testing.TB, s client.Storage, boxes []string, toSide func(string) string) map[string][]string {
	t.Helper()
	ctx := tctx(t)
	out := map[string][]string{}
	mbs, err := s.ListMailboxes(ctx, email.ListMailboxesOptions{})
	require.NoError(t, err)
	have := map[string]bool{}
	for _, mb := range mbs {
		have[mb.ID] = true
	}
	for _, b := range boxes {
		name := b
		if toSide != nil {
			name = toSide(b)
		}
		if !have[name] {
			continue
		}
		envs, err := s.ListEnvelopes(ctx, name, email.ListOptions{})
		require.NoError(t, err)
		lines := []string{}
		for _, e := range envs {
			var ks []string
			for _, f := range e.Flags {
				if f.IANA == email.Deleted {
					continue
				}
				ks = append(ks, f.Key())
			}
			slices.Sort(ks)
			lines = append(lines, email.NormalizeMessageID(e.MessageID)+" ["+strings.Join(ks, " ")+"]")
		}
		slices.Sort(lines)
		out[b] = lines
	}
	return out
}

// idOf returns the id of the message msgid in box.
func idOf(t testing.TB, s client.Storage, box, msgid string) string {
	t.Helper()
	envs, err := s.ListEnvelopes(tctx(t), box, email.ListOptions{})
	require.NoError(t, err)
	for _, e := range envs {
		if email.NormalizeMessageID(e.MessageID) == msgid {
			return e.ID
		}
	}
	t.Fatalf("%s not in %s", msgid, box)
	return ""
}

func statePath(t testing.TB) string { return filepath.Join(t.TempDir(), "state.json") }
