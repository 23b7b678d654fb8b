package maildir

import (
	"errors"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// batchLog records the request batches a machine asks for, by operation.
type batchLog struct {
	batches [][]coroutine.FileOp
}

func (l *batchLog) do(m *memFS) func([]coroutine.FileRequest) []coroutine.FileResult {
	return func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		ops := make([]coroutine.FileOp, len(reqs))
		for i, r := range reqs {
			ops[i] = r.Op
		}
		l.batches = append(l.batches, ops)
		return m.do(reqs)
	}
}

// count returns how many requests of op were asked for.
func (l *batchLog) count(op coroutine.FileOp) int {
	n := 0
	for _, b := range l.batches {
		for _, o := range b {
			if o == op {
				n++
			}
		}
	}
	return n
}

func batchOf(raws ...string) []NewMessage {
	out := make([]NewMessage, len(raws))
	for i, r := range raws {
		out[i] = NewMessage{Raw: []byte(r)}
	}
	return out
}

// A batch is written with one create batch, one rename batch and one sync
// of cur/, which comes after every rename; the ids are in the order of the
// messages, each naming its file in cur/ with its flags, and tmp/ is left
// empty.
func TestAddMessagesDurablePerBatch(t *testing.T) {
	m := fixture()
	msgs := batchOf(msgA, msgB, msgC, msgN)
	msgs[0].Flags = email.ParseFlags(`\Seen`)
	msgs[1].Flags = email.ParseFlags(`\Flagged`, `\Seen`)
	got := time.Unix(1600000000, 0)
	msgs[2].Received = got
	var mtimes []time.Time
	synced := false
	m.before = func(r coroutine.FileRequest) {
		switch r.Op {
		case coroutine.FileCreate:
			mtimes = append(mtimes, r.ModTime)
		case coroutine.FileRename:
			assert.False(t, synced, "a rename after the sync of cur/")
		case coroutine.FileSyncDir:
			assert.Equal(t, "/m/cur", r.Path)
			synced = true
		}
	}
	var log batchLog
	ids, err := coroutine.Run(testStore().AddMessages("INBOX", msgs), log.do(m))
	require.NoError(t, err)
	require.Len(t, ids, 4)
	assert.Equal(t, [][]coroutine.FileOp{
		{coroutine.FileCreate, coroutine.FileCreate, coroutine.FileCreate, coroutine.FileCreate},
		{coroutine.FileRename, coroutine.FileRename, coroutine.FileRename, coroutine.FileRename},
		{coroutine.FileSyncDir},
	}, log.batches)
	assert.Equal(t, []time.Time{{}, {}, got, {}}, mtimes)
	for i, letters := range []string{"S", "FS", "", ""} {
		assert.Equal(t, string(msgs[i].Raw), string(m.files["/m/cur/"+ids[i]+":2,"+letters]), "message %d", i)
		assert.True(t, strings.HasSuffix(ids[i], ",S="+strconv.Itoa(len(msgs[i].Raw))), ids[i])
	}
	assert.Len(t, m.messages("/m"), 3+4)
	assertNoTmp(t, m)
}

func assertNoTmp(t *testing.T, m *memFS) {
	t.Helper()
	for f := range m.files {
		assert.False(t, strings.HasPrefix(f, "/m/tmp/"), "left in tmp/: %s", f)
	}
}

// A name that exists in tmp/ or in cur/ gets a new key for that message
// only; the others keep theirs.
func TestAddMessagesClash(t *testing.T) {
	for _, op := range []coroutine.FileOp{coroutine.FileCreate, coroutine.FileRename} {
		t.Run(op.String(), func(t *testing.T) {
			m := fixture()
			clashes := 0
			m.fail = func(r coroutine.FileRequest) error {
				if r.Op == op && strings.Contains(r.Path+r.Target, "Q2.") && clashes < 2 {
					clashes++
					return exist(op.String(), r.Path)
				}
				return nil
			}
			var log batchLog
			ids, err := coroutine.Run(testStore().AddMessages("INBOX", batchOf(msgA, msgB, msgC)), log.do(m))
			require.NoError(t, err)
			assert.Equal(t, 2, clashes)
			assert.Equal(t, 3+2, log.count(op), "two more tries of the clashing message")
			assert.Equal(t, 1, log.count(coroutine.FileSyncDir))
			for i, raw := range []string{msgA, msgB, msgC} {
				assert.Equal(t, raw, string(m.files["/m/cur/"+ids[i]+":2,"]))
			}
			assert.Len(t, m.messages("/m"), 3+3)
			assertNoTmp(t, m)
		})
	}
}

// A name that clashes every time fails the batch with email.ErrExists and
// leaves nothing in tmp/.
func TestAddMessagesClashForever(t *testing.T) {
	m := fixture()
	m.fail = func(r coroutine.FileRequest) error {
		if r.Op == coroutine.FileRename && strings.Contains(r.Target, "Q2.") {
			return exist("rename", r.Target)
		}
		return nil
	}
	_, err := coroutine.Run(testStore().AddMessages("INBOX", batchOf(msgA, msgB)), m.do)
	require.ErrorIs(t, err, email.ErrExists)
	assertNoTmp(t, m)
	assert.Len(t, m.messages("/m"), 3+1, "the first message is in cur/ (and cur/ synced)")
}

// A missing tmp/ is made when cur/ exists; a folder without cur/ is not
// found.
func TestAddMessagesMakesTmp(t *testing.T) {
	m := fixture()
	delete(m.dirs, "/m/tmp")
	ids, err := coroutine.Run(testStore().AddMessages("INBOX", batchOf(msgA, msgB)), m.do)
	require.NoError(t, err)
	assert.True(t, m.dirs["/m/tmp"])
	assert.Equal(t, msgB, string(m.files["/m/cur/"+ids[1]+":2,"]))

	m = newMemFS()
	m.mkdirAll("/m/.Gone")
	_, err = coroutine.Run(testStore().AddMessages("Gone", batchOf(msgA)), m.do)
	var nf *email.NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "Gone", nf.Mailbox)
}

// A write that fails fails the batch: the tmp/ files written are removed
// and nothing reaches cur/. A rename that fails leaves the messages
// already renamed in cur/, synced, and removes the others from tmp/.
func TestAddMessagesFailure(t *testing.T) {
	eio := &pathErr{syscall.EIO}
	for _, op := range []coroutine.FileOp{coroutine.FileCreate, coroutine.FileRename} {
		t.Run(op.String(), func(t *testing.T) {
			m := fixture()
			m.fail = func(r coroutine.FileRequest) error {
				if r.Op == op && strings.Contains(r.Path, "Q2.") {
					return eio
				}
				return nil
			}
			var log batchLog
			ids, err := coroutine.Run(testStore().AddMessages("INBOX", batchOf(msgA, msgB, msgC)), log.do(m))
			require.ErrorIs(t, err, syscall.EIO)
			assert.Nil(t, ids)
			assertNoTmp(t, m)
			if op == coroutine.FileCreate {
				assert.Len(t, m.messages("/m"), 3)
				assert.Zero(t, log.count(coroutine.FileRename))
				assert.Zero(t, log.count(coroutine.FileSyncDir))
				return
			}
			assert.Len(t, m.messages("/m"), 3+2)
			assert.Equal(t, 1, log.count(coroutine.FileSyncDir))
		})
	}
}

type pathErr struct{ err error }

func (e *pathErr) Error() string { return "injected: " + e.err.Error() }
func (e *pathErr) Unwrap() error { return e.err }

// A failed sync of cur/ fails the batch: the messages are in cur/ but not
// known durable, so no id is returned.
func TestAddMessagesSyncFails(t *testing.T) {
	m := fixture()
	m.fail = func(r coroutine.FileRequest) error {
		if r.Op == coroutine.FileSyncDir {
			return &pathErr{syscall.EIO}
		}
		return nil
	}
	ids, err := coroutine.Run(testStore().AddMessages("INBOX", batchOf(msgA)), m.do)
	require.ErrorIs(t, err, syscall.EIO)
	assert.Nil(t, ids)
}

// Invalid flags and a message over Store.MaxMessageSize fail before any
// I/O; an empty batch does nothing.
func TestAddMessagesRefusedBeforeIO(t *testing.T) {
	s := testStore()
	s.MaxMessageSize = 10
	for name, mach := range map[string]coroutine.FileMachine[[]string]{
		"large": s.AddMessages("INBOX", batchOf("short", strings.Repeat("x", 11))),
		"flag":  testStore().AddMessages("INBOX", []NewMessage{{Raw: []byte(msgA), Flags: email.ParseFlags("bad(atom")}}),
		"empty": testStore().AddMessages("INBOX", nil),
	} {
		reqs, done := mach.Resume(nil)
		assert.True(t, done, name)
		assert.Empty(t, reqs, name)
		ids, err := mach.Result()
		switch name {
		case "large":
			assert.ErrorIs(t, err, email.ErrTooLarge)
		case "flag":
			assert.ErrorIs(t, err, email.ErrInvalidArgument)
		default:
			assert.NoError(t, err)
			assert.Empty(t, ids)
		}
	}
}

// Keywords of the whole batch get letters in one change of
// dovecot-keywords, every rename into cur/ happens while holding
// dovecot-uidlist.lock, which is released at the end, and the lock is not
// held while the tmp/ files are written and synced.
func TestAddMessagesKeywords(t *testing.T) {
	m := fixture()
	renames, underLock, createsLocked := 0, 0, 0
	m.before = func(r coroutine.FileRequest) {
		_, locked := m.files[testLock]
		switch {
		case r.Op == coroutine.FileRename && strings.Contains(r.Target, "/cur/"):
			renames++
			if locked {
				underLock++
			}
		case r.Op == coroutine.FileCreate && locked && strings.HasPrefix(string(r.Data), "From: "):
			createsLocked++ // a message's tmp/ file
		}
	}
	msgs := batchOf(msgA, msgB, msgC)
	msgs[0].Flags = email.ParseFlags("Work", `\Seen`)
	msgs[1].Flags = email.ParseFlags("Home")
	msgs[2].Flags = email.ParseFlags("$Forwarded")
	ids, err := coroutine.Run(lockStore().AddMessages("INBOX", msgs), m.do)
	require.NoError(t, err)
	assert.Equal(t, 3, renames)
	assert.Equal(t, renames, underLock)
	assert.Zero(t, createsLocked)
	assert.NotContains(t, m.files, testLock)
	kw := ParseKeywords(m.files["/m/dovecot-keywords"])
	for i, raw := range []string{msgA, msgB, msgC} {
		var found string
		for f, data := range m.files {
			if strings.HasPrefix(f, "/m/cur/"+ids[i]+":2,") {
				found = f
				assert.Equal(t, raw, string(data))
			}
		}
		require.NotEmpty(t, found, "message %d", i)
		n, err := ParseName(found[len("/m/cur/"):], ':')
		require.NoError(t, err)
		for _, f := range msgs[i].Flags {
			assert.True(t, n.FlagSet(kw).Has(f), "message %d: %s lacks %s", i, found, f.Raw)
		}
	}
}

// The machine ends after a reply of the wrong length instead of reading
// out of range.
func TestAddMessagesShortReply(t *testing.T) {
	mach := testStore().AddMessages("INBOX", batchOf(msgA, msgB))
	reqs, done := mach.Resume(nil)
	require.False(t, done)
	require.Len(t, reqs, 2)
	_, done = mach.Resume(make([]coroutine.FileResult, 1))
	require.True(t, done)
	_, err := mach.Result()
	assert.True(t, errors.Is(err, email.ErrUnexpectedReply), "%v", err)
}

// A folder whose keyword table is full fails the batch after the tmp/
// files were written: they are removed, nothing reaches cur/, and the lock
// is released.
func TestAddMessagesKeywordsFull(t *testing.T) {
	m := fixture()
	var table strings.Builder
	for i := range 26 {
		table.WriteString(strconv.Itoa(i) + " k" + strconv.Itoa(i) + "\n")
	}
	m.write("/m/dovecot-keywords", table.String())
	msgs := batchOf(msgA, msgB)
	msgs[1].Flags = email.ParseFlags("Another")
	_, err := coroutine.Run(lockStore().AddMessages("INBOX", msgs), m.do)
	require.Error(t, err)
	assertNoTmp(t, m)
	assert.Len(t, m.messages("/m"), 3)
	assert.NotContains(t, m.files, testLock)
}
