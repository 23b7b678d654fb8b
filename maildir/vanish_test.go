package maildir

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// renameOnce renames a file the first time a request of kind op touches
// from, as a concurrent flag change would.
func renameOnce(m *memFS, op coroutine.FileOp, from, to string) {
	done := false
	m.before = func(r coroutine.FileRequest) {
		if !done && r.Op == op && r.Path == from {
			done = true
			if to == "" {
				delete(m.files, from)
			} else {
				m.files[to] = m.files[from]
				delete(m.files, from)
			}
			m.touch(from)
		}
	}
}

// A file renamed between the listing and the read is found again.
func TestListEnvelopesFileRenamedMeanwhile(t *testing.T) {
	m := fixture()
	renameOnce(m, coroutine.FileRead, "/m/new/1.a.host", "/m/cur/1.a.host:2,S")
	envs, err := coroutine.Run(testStore().ListEnvelopes("INBOX", email.ListOptions{}), m.do)
	require.NoError(t, err)
	require.Len(t, envs, 3)
	for _, e := range envs {
		if e.ID == "1.a.host" {
			assert.Equal(t, "A", e.Subject)
			assert.True(t, e.Flags.Equal(email.ParseFlags(`\Seen`)), "the new name's flags: %v", e.Flags)
		}
	}
}

// A file removed between the listing and the read is left out.
func TestListEnvelopesFileRemovedMeanwhile(t *testing.T) {
	m := fixture()
	renameOnce(m, coroutine.FileRead, "/m/cur/2.b.host,S=80:2,S", "")
	envs, err := coroutine.Run(testStore().ListEnvelopes("INBOX", email.ListOptions{}), m.do)
	require.NoError(t, err)
	assert.Len(t, envs, 2)
}

// A directory changing while it is listed makes the scan start over.
func TestScanRestartsOnChange(t *testing.T) {
	m := fixture()
	n := 0
	m.before = func(r coroutine.FileRequest) {
		if r.Op == coroutine.FileStat && r.Path == "/m/cur" && n == 0 {
			n++
			m.write("/m/cur/4.d.host:2,", "Subject: late\r\n\r\n")
		}
	}
	f, err := coroutine.Run(testStore().Scan("INBOX"), m.do)
	require.NoError(t, err)
	_, ok := f.Find("4.d.host")
	assert.True(t, ok, "the rescan sees the file added during the first listing")
	assert.Equal(t, 2, m.seen[coroutine.FileList]/2)
}

// Operations that rename or read a message locate it again when another
// writer renamed it first.
func TestOperationsRelocate(t *testing.T) {
	m := fixture()
	renameOnce(m, coroutine.FileRead, "/m/cur/3.c.host:2,Fa", "/m/cur/3.c.host:2,FSa")
	data, err := coroutine.Run(testStore().GetMessage("INBOX", "3.c.host"), m.do)
	require.NoError(t, err)
	assert.Equal(t, msgC, string(data))

	m = fixture()
	renameOnce(m, coroutine.FileRename, "/m/new/1.a.host", "/m/cur/1.a.host:2,D")
	_, err = coroutine.Run(testStore().StoreFlags("INBOX", []string{"1.a.host"}, email.FlagAdd, email.ParseFlags(`\Seen`)), m.do)
	require.NoError(t, err)
	assert.Contains(t, m.files, "/m/cur/1.a.host:2,DS", "the concurrent D is kept, S added")

	m = fixture()
	renameOnce(m, coroutine.FileRemove, "/m/new/1.a.host", "/m/cur/1.a.host:2,S")
	_, err = coroutine.Run(testStore().DeleteMessages("INBOX", []string{"1.a.host"}), m.do)
	require.NoError(t, err)
	assert.NotContains(t, m.messages("/m"), "1.a.host")

	m = fixture()
	renameOnce(m, coroutine.FileRename, "/m/new/1.a.host", "/m/cur/1.a.host:2,S")
	ids, err := coroutine.Run(testStore().MoveMessages("INBOX", "Archive", []string{"1.a.host"}), m.do)
	require.NoError(t, err)
	assert.Equal(t, []string{msgA}, m.messages("/m/.Archive")[ids[0]])
	assert.NotContains(t, m.messages("/m"), "1.a.host")

	m = fixture()
	renameOnce(m, coroutine.FileRead, "/m/new/1.a.host", "/m/cur/1.a.host:2,S")
	ids, err = coroutine.Run(testStore().CopyMessages("INBOX", "Archive", []string{"1.a.host"}), m.do)
	require.NoError(t, err)
	assert.Equal(t, []string{msgA}, m.messages("/m/.Archive")[ids[0]])
}

// A message removed for good while an operation runs gives NotFound.
func TestOperationsVanished(t *testing.T) {
	m := fixture()
	renameOnce(m, coroutine.FileRead, "/m/new/1.a.host", "")
	_, err := coroutine.Run(testStore().GetMessage("INBOX", "1.a.host"), m.do)
	assert.ErrorIs(t, err, email.ErrNotFound)

	m = fixture()
	renameOnce(m, coroutine.FileRename, "/m/new/1.a.host", "")
	err = func() error {
		_, err := coroutine.Run(testStore().StoreFlags("INBOX", []string{"1.a.host"}, email.FlagAdd, email.ParseFlags(`\Seen`)), m.do)
		return err
	}()
	assert.ErrorIs(t, err, email.ErrNotFound)
}

// The contract: resuming after done, results before done, wrong replies.
func TestMachineContract(t *testing.T) {
	mach := testStore().GetMessage("INBOX", "1.a.host")
	_, err := mach.Result()
	assert.ErrorIs(t, err, coroutine.ErrNotDone)
	reqs, done := mach.Resume(nil)
	require.False(t, done)
	require.Greater(t, len(reqs), 1)
	_, done = mach.Resume(make([]coroutine.FileResult, len(reqs)-1)) // a result missing
	assert.True(t, done)
	_, err = mach.Result()
	assert.ErrorIs(t, err, email.ErrUnexpectedReply)
	_, done = mach.Resume(nil)
	assert.True(t, done, "resuming after done stays done")
	_, err2 := mach.Result()
	assert.Equal(t, err, err2)
}

// mbsync inserts ",U=<uid>" into keys; the old id still finds the message,
// and only when that is unambiguous.
func TestFindAfterMbsyncRename(t *testing.T) {
	m := fixture()
	m.files["/m/cur/1.a.host,U=7:2,S"] = m.files["/m/new/1.a.host"]
	delete(m.files, "/m/new/1.a.host")
	m.write("/m/cur/5.e.host,U=1,S=9:2,", "x")
	m.write("/m/cur/6.f.host,U=2:2,", "y")
	m.write("/m/cur/6.f.host,U=3:2,", "z")
	f, err := coroutine.Run(testStore().Scan("INBOX"), m.do)
	require.NoError(t, err)
	e, ok := f.Find("1.a.host")
	require.True(t, ok)
	assert.Equal(t, "1.a.host,U=7", e.Name.Key)
	e, ok = f.Find("5.e.host,S=9")
	require.True(t, ok)
	assert.Equal(t, "5.e.host,U=1,S=9", e.Name.Key)
	_, ok = f.Find("6.f.host")
	assert.False(t, ok, "ambiguous")
	_, ok = f.Find("1.a.hos")
	assert.False(t, ok, "never a prefix")
	data, err := coroutine.Run(testStore().GetMessage("INBOX", "1.a.host"), m.do)
	require.NoError(t, err)
	assert.Equal(t, msgA, string(data))
}

// Repeated ids act once.
func TestRepeatedIDs(t *testing.T) {
	m := fixture()
	ids, err := coroutine.Run(testStore().MoveMessages("INBOX", "Archive", []string{"1.a.host", "3.c.host", "1.a.host"}), m.do)
	require.NoError(t, err)
	require.Len(t, ids, 3)
	assert.Equal(t, ids[0], ids[2])
	assert.Len(t, m.messages("/m/.Archive"), 2)

	m = fixture()
	_, err = coroutine.Run(testStore().DeleteMessages("INBOX", []string{"1.a.host", "1.a.host"}), m.do)
	require.NoError(t, err)
	assert.Len(t, m.messages("/m"), 2)

	m = fixture()
	_, err = coroutine.Run(testStore().StoreFlags("INBOX", []string{"1.a.host", "1.a.host"}, email.FlagAdd, email.ParseFlags(`\Seen`)), m.do)
	require.NoError(t, err)
	assert.Contains(t, m.files, "/m/cur/1.a.host:2,S")
}

// In the fs layout a directory without cur is a container whose children
// are still found; dot directories and the maildir's own are skipped.
func TestListMailboxesFSContainers(t *testing.T) {
	m := newMemFS()
	m.maildir("/m")
	m.maildir("/m/A/B")
	m.maildir("/m/A/B/C")
	m.maildir("/m/.hidden")
	m.maildir("/m/INBOX")
	m.mkdirAll("/m/Empty")
	s := testStore()
	s.Layout = LayoutFS
	assert.Equal(t, []string{"INBOX", ".hidden", "A/B", "A/B/C"}, listNames(t, s, m))
	// Deleting A/B is refused while A/B/C exists.
	_, err := coroutine.Run(s.DeleteMailbox("A/B"), m.do)
	assert.ErrorIs(t, err, email.ErrRefused)
	_, err = coroutine.Run(s.DeleteMailbox("A/B/C"), m.do)
	require.NoError(t, err)
	_, err = coroutine.Run(s.DeleteMailbox("A/B"), m.do)
	require.NoError(t, err)
	assert.True(t, m.dirs["/m/A"], "the container stays")
}
