package mailsync

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/imaptest"
)

// pairFixture is a pair of real stores and an engine over them, for the
// scenario table.
type pairFixture struct {
	t     *testing.T
	st    [2]client.Storage
	e     *Engine
	boxes []string
	toB   func(string) string
}

// sync runs Once and checks the rules every run must keep: the sides are
// equal over boxes, and a second run changes nothing.
func (f *pairFixture) sync() Summary {
	f.t.Helper()
	sm, err := f.e.Once(tctx(f.t))
	require.NoError(f.t, err)
	ca, cb := storeContent(f.t, f.st[A], f.boxes, nil), storeContent(f.t, f.st[B], f.boxes, f.toB)
	require.Equal(f.t, ca, cb, "the sides differ after %+v", sm)
	again, err := f.e.Once(tctx(f.t))
	require.NoError(f.t, err)
	require.Zero(f.t, changes(again), "a second run changed something: %+v", again)
	return sm
}

// scenario is one row of the scenario table: outside changes on the
// pair, then the expected summary of the next run.
type scenario struct {
	name   string
	change func(f *pairFixture)
	check  func(t *testing.T, f *pairFixture, sm Summary)
}

// scenarios covers every rule of the package documentation on a pair whose
// A and B each start with INBOX holding m1 (seen) and m2.
var scenarios = []scenario{
	{"new both ways", func(f *pairFixture) {
		add(f.t, f.st[A], "INBOX", "na@s")
		add(f.t, f.st[B], "INBOX", "nb@s", email.FlagFlagged)
	}, func(t *testing.T, f *pairFixture, sm Summary) {
		require.Equal(t, 1, sm.A.Copied)
		require.Equal(t, 1, sm.B.Copied)
	}},
	{"flags merged per flag", func(f *pairFixture) {
		require.NoError(f.t, f.st[A].StoreFlags(tctx(f.t), "INBOX", []string{idOf(f.t, f.st[A], "INBOX", "m1@s")}, email.FlagAdd, email.Flags{email.FlagFlagged}))
		require.NoError(f.t, f.st[B].StoreFlags(tctx(f.t), "INBOX", []string{idOf(f.t, f.st[B], "INBOX", "m1@s")}, email.FlagRemove, email.Flags{email.FlagSeen}))
	}, func(t *testing.T, f *pairFixture, sm Summary) {
		require.Equal(t, []string{"m1@s [i:flagged]", "m2@s []"}, storeContent(t, f.st[A], []string{"INBOX"}, nil)["INBOX"])
		require.Zero(t, sm.Conflicts)
	}},
	{"flag conflict: A wins", func(f *pairFixture) {
		require.NoError(f.t, f.st[A].StoreFlags(tctx(f.t), "INBOX", []string{idOf(f.t, f.st[A], "INBOX", "m2@s")}, email.FlagAdd, email.Flags{email.FlagAnswered}))
		require.NoError(f.t, f.st[A].StoreFlags(tctx(f.t), "INBOX", []string{idOf(f.t, f.st[A], "INBOX", "m1@s")}, email.FlagRemove, email.Flags{email.FlagSeen}))
		require.NoError(f.t, f.st[B].StoreFlags(tctx(f.t), "INBOX", []string{idOf(f.t, f.st[B], "INBOX", "m1@s")}, email.FlagRemove, email.Flags{email.FlagSeen}))
	}, func(t *testing.T, f *pairFixture, sm Summary) {
		require.Equal(t, []string{"m1@s []", "m2@s [i:answered]"}, storeContent(t, f.st[B], []string{"INBOX"}, f.toB)["INBOX"])
	}},
	{"deletion propagated", func(f *pairFixture) {
		require.NoError(f.t, f.st[B].DeleteMessages(tctx(f.t), "INBOX", []string{idOf(f.t, f.st[B], "INBOX", "m2@s")}))
	}, func(t *testing.T, f *pairFixture, sm Summary) {
		require.Equal(t, 1, sm.A.Deleted)
		require.Equal(t, []string{"m1@s [i:seen]"}, storeContent(t, f.st[A], []string{"INBOX"}, nil)["INBOX"])
	}},
	{"move propagated as a move", func(f *pairFixture) {
		require.NoError(f.t, f.st[A].CreateMailbox(tctx(f.t), "Archive"))
		_, err := f.st[A].MoveMessages(tctx(f.t), "INBOX", "Archive", []string{idOf(f.t, f.st[A], "INBOX", "m1@s")})
		require.NoError(f.t, err)
	}, func(t *testing.T, f *pairFixture, sm Summary) {
		require.Equal(t, 1, sm.B.Moved)
		require.Equal(t, 1, sm.B.MailboxesCreated)
		require.Zero(t, sm.B.Copied+sm.B.Deleted)
		require.Equal(t, []string{"m1@s [i:seen]"}, storeContent(t, f.st[B], []string{"Archive"}, f.toB)["Archive"])
	}},
	{"new folder", func(f *pairFixture) {
		require.NoError(f.t, f.st[B].CreateMailbox(tctx(f.t), f.bName("Lists")))
		add(f.t, f.st[B], f.bName("Lists"), "l1@s")
	}, func(t *testing.T, f *pairFixture, sm Summary) {
		require.Equal(t, 1, sm.A.MailboxesCreated)
		require.Equal(t, 1, sm.A.Copied)
	}},
}

// runScenarios syncs the fixture's starting point, then each scenario on
// a fresh pair made by mk.
func runScenarios(t *testing.T, mk func(t *testing.T) *pairFixture) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := mk(t)
			add(t, f.st[A], "INBOX", "m1@s", email.FlagSeen)
			add(t, f.st[B], "INBOX", "m2@s")
			sm := f.sync()
			require.Equal(t, 1, sm.A.Copied)
			require.Equal(t, 1, sm.B.Copied)
			sc.change(f)
			sc.check(t, f, f.sync())
		})
	}
}

func TestScenariosMaildirM2dir(t *testing.T) {
	runScenarios(t, func(t *testing.T) *pairFixture {
		a, b := newMaildir(t, t.TempDir()), newM2dir(t, t.TempDir())
		require.NoError(t, a.CreateMailbox(tctx(t), "INBOX"))
		require.NoError(t, b.CreateMailbox(tctx(t), "INBOX"))
		e, err := New(a, b, statePath(t), Options{})
		require.NoError(t, err)
		return &pairFixture{t: t, st: [2]client.Storage{a, b}, e: e, boxes: []string{"INBOX", "Archive", "Lists"}}
	})
}

// bName returns B's name for A's mailbox name.
func (f *pairFixture) bName(a string) string {
	if f.toB == nil {
		return a
	}
	return f.toB(a)
}

func TestScenariosIMAPMemMaildir(t *testing.T) {
	runScenarios(t, func(t *testing.T) *pairFixture {
		ic, err := client.DialIMAP(tctx(t), "imap://"+imaptest.Serve(t), &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
		require.NoError(t, err)
		t.Cleanup(func() { ic.Close() })
		b := newMaildir(t, t.TempDir())
		require.NoError(t, b.CreateMailbox(tctx(t), "INBOX"))
		e, err := New(ic, b, statePath(t), Options{})
		require.NoError(t, err)
		return &pairFixture{t: t, st: [2]client.Storage{ic, b}, e: e, boxes: []string{"INBOX", "Archive", "Lists"}}
	})
}
