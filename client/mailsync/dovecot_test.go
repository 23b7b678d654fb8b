package mailsync

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// dovecotFixture pairs a temporary Maildir (A) with the shared Dovecot
// (B, as alice) under a mailbox prefix of the test's own.
type dovecotFixture struct {
	*pairFixture
	conf   string
	prefix string
	dir    string // the Maildir root
	ic     *client.IMAPClient
}

// ids returns the ids of the messages of box, sorted.
func ids(t *testing.T, s client.Storage, box string) []string {
	envs, err := s.ListEnvelopes(tctx(t), box, email.ListOptions{})
	require.NoError(t, err)
	var out []string
	for _, e := range envs {
		out = append(out, e.ID)
	}
	slices.Sort(out)
	return out
}

func dialDovecot(t *testing.T) *client.IMAPClient {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	ic, err := client.DialIMAP(tctx(t), "imap://"+env["PEERS_IMAP_ADDR"], &client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	return ic
}

func newDovecotFixture(t *testing.T, opts Options) *dovecotFixture {
	env := testpeers.Load(t, "PEERS_IMAP_ADDR")
	ic := dialDovecot(t)
	prefix := fmt.Sprintf("syncengine-%d-%d", os.Getpid(), time.Now().UnixNano()%1e9)
	f := &dovecotFixture{conf: env["PEERS_DOVECOT_CONF"], prefix: prefix, dir: t.TempDir(), ic: ic}
	t.Cleanup(func() {
		// only this test's mailboxes
		exec.Command("doveadm", "-c", f.conf, "mailbox", "delete", "-r", "-s", "-u", "alice", prefix).Run()
		exec.Command("doveadm", "-c", f.conf, "mailbox", "delete", "-s", "-u", "alice", prefix).Run()
	})
	require.NoError(t, ic.CreateMailbox(tctx(t), prefix+"/INBOX"))
	a := newMaildir(t, f.dir)
	require.NoError(t, a.CreateMailbox(tctx(t), "INBOX"))
	opts.Names = PrefixMap(prefix)
	e, err := New(a, ic, statePath(t), opts)
	require.NoError(t, err)
	f.pairFixture = &pairFixture{t: t, st: [2]client.Storage{a, ic}, e: e,
		boxes: []string{"INBOX", "Archive", "Lists", "Renamed", "Trash"},
		toB:   func(n string) string { return prefix + "/" + n }}
	return f
}

// doveadm runs doveadm as alice on the shared Dovecot.
func (f *dovecotFixture) doveadm(args ...string) string {
	f.t.Helper()
	cmd := exec.Command("doveadm", append([]string{"-c", f.conf}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(f.t, err, "doveadm %v: %s", args, out)
	return string(out)
}

// save delivers a message into B's mailbox (A name) with doveadm save.
func (f *dovecotFixture) save(box, msgid string) {
	f.t.Helper()
	cmd := exec.Command("doveadm", "-c", f.conf, "save", "-u", "alice", "-m", f.toB(box))
	cmd.Stdin = strings.NewReader(rawMsg(msgid))
	out, err := cmd.CombinedOutput()
	require.NoError(f.t, err, "doveadm save: %s", out)
}

// query is the doveadm search query for one message of B's mailbox.
func (f *dovecotFixture) query(box, msgid string) []string {
	return []string{"mailbox", f.toB(box), "header", "Message-ID", msgid}
}

// file returns the path of the Maildir file of msgid in box (A name).
func (f *dovecotFixture) file(box, msgid string) string {
	f.t.Helper()
	dir := f.dir
	if box != "INBOX" {
		dir = filepath.Join(f.dir, "."+box)
	}
	for _, sub := range []string{"cur", "new"} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			p := filepath.Join(dir, sub, e.Name())
			b, err := os.ReadFile(p)
			require.NoError(f.t, err)
			if strings.Contains(string(b), "<"+msgid+">") {
				return p
			}
		}
	}
	f.t.Fatalf("%s not in Maildir %s", msgid, box)
	return ""
}

type dovecotScenario struct {
	name   string
	opts   Options
	change func(f *dovecotFixture)
	check  func(t *testing.T, f *dovecotFixture, sm Summary)
}

// dovecotScenarios make their outside changes with doveadm on Dovecot and
// with plain file operations on the Maildir. Each starts from A (Maildir)
// and B (Dovecot) holding m1 (seen) and m2 in INBOX, synced.
var dovecotScenarios = []dovecotScenario{
	{"doveadm save and a new Maildir file", Options{}, func(f *dovecotFixture) {
		f.save("INBOX", "nb@d")
		raw := rawMsg("na@d")
		require.NoError(f.t, os.WriteFile(filepath.Join(f.dir, "new", "1700000000.na.host"), []byte(raw), 0o600))
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.A.Copied)
		require.Equal(t, 1, sm.B.Copied)
	}},
	{"doveadm flags and a renamed Maildir file merge", Options{}, func(f *dovecotFixture) {
		f.doveadm(append([]string{"flags", "add", "-u", "alice", `\Flagged`}, f.query("INBOX", "m1@d")...)...)
		p := f.file("INBOX", "m2@d")
		base := filepath.Base(p)
		if i := strings.Index(base, ":2,"); i >= 0 {
			base = base[:i]
		}
		require.NoError(f.t, os.Rename(p, filepath.Join(f.dir, "cur", base+":2,RS")))
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.A.FlagsChanged)
		require.Equal(t, 1, sm.B.FlagsChanged)
		require.Equal(t, []string{"m1@d [i:flagged i:seen]", "m2@d [i:answered i:seen]"}, storeContent(t, f.st[B], []string{"INBOX"}, f.toB)["INBOX"])
	}},
	{"doveadm expunge and rm propagate", Options{}, func(f *dovecotFixture) {
		f.doveadm(append([]string{"expunge", "-u", "alice"}, f.query("INBOX", "m1@d")...)...)
		require.NoError(f.t, os.Remove(f.file("INBOX", "m2@d")))
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.A.Deleted)
		require.Equal(t, 1, sm.B.Deleted)
		require.Equal(t, []string{}, storeContent(t, f.st[B], []string{"INBOX"}, f.toB)["INBOX"])
	}},
	{"deletions go to the trash", Options{Trash: "Trash"}, func(f *dovecotFixture) {
		f.doveadm(append([]string{"expunge", "-u", "alice"}, f.query("INBOX", "m1@d")...)...)
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.A.Deleted)
		require.Equal(t, 1, sm.B.Copied, "the trash mailboxes synced in the same run")
		// the Maildir's trash got it, then the trash mailboxes were synced
		require.Equal(t, []string{"m1@d [i:seen]"}, storeContent(t, f.st[A], []string{"Trash"}, nil)["Trash"])
	}},
	{"mv between Maildir folders is a move", Options{}, func(f *dovecotFixture) {
		require.NoError(f.t, f.st[A].CreateMailbox(tctx(f.t), "Archive"))
		p := f.file("INBOX", "m1@d")
		require.NoError(f.t, os.Rename(p, filepath.Join(f.dir, ".Archive", "cur", filepath.Base(p))))
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.B.Moved)
		require.Equal(t, 1, sm.B.MailboxesCreated)
		require.Zero(t, sm.B.Copied+sm.B.Deleted)
	}},
	{"doveadm move is a move", Options{}, func(f *dovecotFixture) {
		f.doveadm("mailbox", "create", "-u", "alice", f.toB("Archive"))
		f.doveadm(append([]string{"move", "-u", "alice", f.toB("Archive")}, f.query("INBOX", "m2@d")...)...)
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.A.Moved)
		require.Zero(t, sm.A.Copied+sm.A.Deleted)
	}},
	{"folders: new, renamed, deleted", Options{}, func(f *dovecotFixture) {
		f.doveadm("mailbox", "create", "-u", "alice", f.toB("Lists"))
		f.save("Lists", "l1@d")
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.A.MailboxesCreated)
		require.Equal(t, 1, sm.A.Copied)
		f.doveadm("mailbox", "rename", "-u", "alice", f.toB("Lists"), f.toB("Renamed"))
		sm = f.sync()
		require.Equal(t, 1, sm.A.MailboxesCreated)
		require.Equal(t, 1, sm.A.MailboxesDeleted)
		require.Equal(t, 1, sm.A.Moved)
		require.Zero(t, sm.A.Copied+sm.B.Copied)
		require.NoError(t, os.RemoveAll(filepath.Join(f.dir, ".Renamed")))
		sm = f.sync()
		require.Equal(t, 1, sm.B.MailboxesDeleted)
	}},
	{"UIDVALIDITY change rebuilt without duplicates", Options{}, func(f *dovecotFixture) {
		// The mailbox made again with the messages in the other order:
		// a new UIDVALIDITY, and UID 1 is now the other message.
		before := ids(f.t, f.st[B], f.toB("INBOX"))
		f.doveadm("expunge", "-u", "alice", "mailbox", f.toB("INBOX"), "all")
		f.doveadm("mailbox", "delete", "-u", "alice", f.toB("INBOX"))
		f.doveadm("mailbox", "create", "-u", "alice", f.toB("INBOX"))
		f.save("INBOX", "m1@d")
		f.save("INBOX", "m2@d")
		f.save("INBOX", "after@d")
		require.Equal(f.t, before, ids(f.t, f.st[B], f.toB("INBOX"))[:2], "the same UIDs, other messages")
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.A.Copied)
		require.Equal(t, 1, sm.B.FlagsChanged, "m1's \\Seen, the union")
		require.Zero(t, sm.A.Deleted+sm.B.Deleted+sm.B.Copied)
	}},
	{"MaxSize leaves big messages out", Options{MaxSize: 1000}, func(f *dovecotFixture) {
		cmd := exec.Command("doveadm", "-c", f.conf, "save", "-u", "alice", "-m", f.toB("Archive"))
		cmd.Stdin = strings.NewReader(rawMsg("big@d") + strings.Repeat("x", 2000) + "\r\n")
		f.doveadm("mailbox", "create", "-u", "alice", f.toB("Archive"))
		out, err := cmd.CombinedOutput()
		require.NoError(f.t, err, "%s", out)
		f.boxes = []string{"INBOX"}
	}, func(t *testing.T, f *dovecotFixture, sm Summary) {
		require.Equal(t, 1, sm.Skipped)
		require.Equal(t, []string{}, storeContent(t, f.st[A], []string{"Archive"}, nil)["Archive"])
	}},
}

func TestScenariosDovecotMaildir(t *testing.T) {
	for _, sc := range dovecotScenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newDovecotFixture(t, sc.opts)
			add(t, f.st[A], "INBOX", "m1@d", email.FlagSeen)
			f.save("INBOX", "m2@d")
			sm := f.sync()
			require.Equal(t, 1, sm.A.Copied)
			require.Equal(t, 1, sm.B.Copied)
			sc.change(f)
			sc.check(t, f, f.sync())
		})
	}
}

// TestRunDovecotMaildir runs the continuous mode between the shared
// Dovecot (watched over a second connection) and a Maildir (watched with
// fsnotify): a message delivered with doveadm save, one APPENDed by
// another client, and one written into the Maildir each appear on the
// other side, each seen by a run the engine signals.
func TestRunDovecotMaildir(t *testing.T) {
	f := newDovecotFixture(t, Options{})
	watchConn := dialDovecot(t)
	e, err := New(f.st[A], f.st[B], statePath(t), Options{Names: PrefixMap(f.prefix), Watch: [2]client.Watcher{nil, watchConn},
		WatchMailboxes: []string{"INBOX"}, PollInterval: time.Hour})
	require.NoError(t, err)
	f.save("INBOX", "first@run")
	r := startRun(t, e)
	r.waitFor(t, "copying the first message", func(sm Summary) bool { return sm.A.Copied == 1 })
	other := dialDovecot(t)
	steps := []struct {
		what string
		do   func()
		ok   func(Summary) bool
	}{
		{"doveadm save", func() { f.save("INBOX", "saved@run") }, func(sm Summary) bool { return sm.A.Copied == 1 }},
		{"APPEND from another client", func() { add(t, other, f.toB("INBOX"), "appended@run") }, func(sm Summary) bool { return sm.A.Copied == 1 }},
		{"a new Maildir file", func() {
			require.NoError(t, os.WriteFile(filepath.Join(f.dir, "new", "1700000001.file.host"), []byte(rawMsg("file@run")), 0o600))
		}, func(sm Summary) bool { return sm.B.Copied == 1 }},
	}
	for _, s := range steps {
		s.do()
		r.waitFor(t, "after "+s.what, s.ok)
		require.Equal(t, storeContent(t, f.st[A], []string{"INBOX"}, nil), storeContent(t, f.st[B], []string{"INBOX"}, f.toB))
	}
}
