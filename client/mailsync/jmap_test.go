package mailsync

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/imaptest"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// TestJMAPCyrusMaildir syncs a Maildir (A) with Cyrus over JMAP (B, as
// alice, under a prefix of the test's own): new messages both ways, a flag
// merge, a deletion and a move.
func TestJMAPCyrusMaildir(t *testing.T) {
	env := testpeers.Load(t, "PEERS_JMAP_SESSION_URL")
	jc, err := client.DialJMAP(tctx(t), env["PEERS_JMAP_SESSION_URL"], &client.Options{Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	t.Cleanup(func() { jc.Close() })
	nonce := fmt.Sprint(time.Now().UnixNano())
	prefix := "syncengine-" + nonce
	t.Cleanup(func() {
		ctx := context.Background()
		mbs, _ := jc.ListMailboxes(ctx, email.ListMailboxesOptions{})
		var mine []string
		for _, mb := range mbs {
			if mb.ID == prefix || strings.HasPrefix(mb.ID, prefix+"/") {
				mine = append(mine, mb.ID)
			}
		}
		slices.SortFunc(mine, func(x, y string) int { return len(y) - len(x) }) // children first
		for _, n := range mine {
			_ = jc.DeleteMailbox(ctx, n)
		}
	})
	require.NoError(t, jc.CreateMailbox(tctx(t), prefix))
	require.NoError(t, jc.CreateMailbox(tctx(t), prefix+"/INBOX"))
	a := newMaildir(t, t.TempDir())
	require.NoError(t, a.CreateMailbox(tctx(t), "INBOX"))
	e, err := New(a, jc, statePath(t), Options{Names: PrefixMap(prefix)})
	require.NoError(t, err)
	f := &pairFixture{t: t, st: [2]client.Storage{a, jc}, e: e, boxes: []string{"INBOX", "Archive"},
		toB: func(n string) string { return prefix + "/" + n }}
	m1, m2 := "m1."+nonce+"@j", "m2."+nonce+"@j"
	add(t, a, "INBOX", m1, email.FlagSeen)
	add(t, jc, f.toB("INBOX"), m2)
	sm := f.sync()
	require.Equal(t, 1, sm.A.Copied)
	require.Equal(t, 1, sm.B.Copied)

	require.NoError(t, jc.StoreFlags(tctx(t), f.toB("INBOX"), []string{idOf(t, jc, f.toB("INBOX"), m1)}, email.FlagAdd, email.Flags{email.FlagFlagged}))
	require.NoError(t, a.StoreFlags(tctx(t), "INBOX", []string{idOf(t, a, "INBOX", m2)}, email.FlagAdd, email.Flags{email.FlagAnswered}))
	sm = f.sync()
	require.Equal(t, 1, sm.A.FlagsChanged)
	require.Equal(t, 1, sm.B.FlagsChanged)

	require.NoError(t, a.CreateMailbox(tctx(t), "Archive"))
	_, err = a.MoveMessages(tctx(t), "INBOX", "Archive", []string{idOf(t, a, "INBOX", m1)})
	require.NoError(t, err)
	require.NoError(t, jc.DeleteMessages(tctx(t), f.toB("INBOX"), []string{idOf(t, jc, f.toB("INBOX"), m2)}))
	sm = f.sync()
	require.Equal(t, 1, sm.B.Moved)
	require.Equal(t, 1, sm.A.Deleted)
	require.Zero(t, sm.A.Copied+sm.B.Copied)
}

// TestIMAPWithIMAP syncs two IMAP stores: the shared Dovecot (A, alice,
// under a prefix) and an imapmemserver (B).
func TestIMAPWithIMAP(t *testing.T) {
	f := newDovecotFixture(t, Options{})
	b := memIMAP(t)
	e, err := New(f.ic, b, statePath(t), Options{Names: unprefix(f.prefix)})
	require.NoError(t, err)
	p := &pairFixture{t: t, st: [2]client.Storage{f.ic, b}, e: e, boxes: []string{f.prefix + "/INBOX", f.prefix + "/Archive"},
		toB: func(n string) string { return strings.TrimPrefix(n, f.prefix+"/") }}
	f.save("INBOX", "d1@ii")
	add(t, b, "INBOX", "m1@ii", email.FlagSeen)
	sm := p.sync()
	require.Equal(t, 1, sm.A.Copied)
	require.Equal(t, 1, sm.B.Copied)
	f.doveadm(append([]string{"flags", "add", "-u", "alice", `\Flagged`}, f.query("INBOX", "m1@ii")...)...)
	require.NoError(t, b.DeleteMessages(tctx(t), "INBOX", []string{idOf(t, b, "INBOX", "d1@ii")}))
	sm = p.sync()
	require.Equal(t, 1, sm.B.FlagsChanged)
	require.Equal(t, 1, sm.A.Deleted)
}

// unprefix maps A names under prefix to B names without it: the inverse
// of PrefixMap.
type unprefix string

func (u unprefix) ToB(a string) (string, bool) {
	rest, ok := strings.CutPrefix(a, string(u)+"/")
	return rest, ok && rest != ""
}

func (u unprefix) ToA(b string) (string, bool) { return string(u) + "/" + b, true }

func memIMAP(t *testing.T) *client.IMAPClient {
	ic, err := client.DialIMAP(tctx(t), "imap://"+imaptest.Serve(t), &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return ic
}
