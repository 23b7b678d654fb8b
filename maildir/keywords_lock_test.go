package maildir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

const testLock = "/m/dovecot-uidlist.lock"

// lockStore is testStore writing "7:host" into its locks.
func lockStore() Store {
	s := testStore()
	s.LockOwner = "7:host"
	return s
}

// lockedFixture is the fixture with a lock holding owner, age old.
func lockedFixture(owner string, age time.Duration) *memFS {
	m := fixture()
	m.write(testLock, owner)
	m.ftime = map[string]time.Time{testLock: time.Unix(1700000000, 0).Add(-age)}
	return m
}

// addUnder adds a message with a new keyword under lockStore and returns
// the pids the machine asked about.
func addUnder(m *memFS) (string, []int64, error) {
	var asked []int64
	before := m.before
	m.before = func(r coroutine.FileRequest) {
		if r.Op == coroutine.FileOwnerAlive {
			asked = append(asked, r.Limit)
		}
		if before != nil {
			before(r)
		}
	}
	id, err := coroutine.Run(lockStore().AddMessage("INBOX", []byte(msgN), email.ParseFlags("Fresh")), m.do)
	return id, asked, err
}

// A lock whose owner is a process of this host that is gone is taken at
// once, however young; the lock written meanwhile names us.
func TestLockDeadOwnerTaken(t *testing.T) {
	m := lockedFixture("4242:host", time.Second)
	m.procs = map[int64]bool{7: true}
	var ours []string
	m.before = func(r coroutine.FileRequest) {
		if r.Op == coroutine.FileRename && r.Target == "/m/dovecot-keywords" {
			ours = append(ours, string(m.files[testLock]))
		}
	}
	id, asked, err := addUnder(m)
	require.NoError(t, err)
	assert.Equal(t, []int64{4242}, asked)
	assert.Equal(t, []string{"7:host"}, ours, "the lock held while the table is replaced is ours")
	assert.Equal(t, "0 Work\n1 Fresh\n", string(m.files["/m/dovecot-keywords"]))
	assert.Contains(t, m.files, "/m/cur/"+id+":2,b")
	assert.NotContains(t, m.files, testLock)
}

// A lock of a live process of this host is respected however old, as
// Dovecot does: the machine waits, then fails with ErrLocked naming it.
func TestLockLiveOwnerWaits(t *testing.T) {
	m := lockedFixture("4242:host\n", time.Hour)
	m.procs = map[int64]bool{4242: true}
	_, asked, err := addUnder(m)
	assert.ErrorIs(t, err, ErrLocked)
	assert.ErrorContains(t, err, "held by 4242:host")
	assert.Equal(t, []int64{4242}, asked)
	assert.Equal(t, "4242:host\n", string(m.files[testLock]))
	assert.Equal(t, "0 Work\n", string(m.files["/m/dovecot-keywords"]))
	assert.Empty(t, m.tmpFiles("/m"), "the tmp/ file made to take the lock is removed")
}

// The lock appears with its owner in it: a process killed just before the
// rename that takes it leaves no lock, only a tmp/ file, and the next
// operation is not stopped.
func TestLockAppearsWhole(t *testing.T) {
	m := fixture()
	mach := lockStore().AddMessage("INBOX", []byte(msgN), email.ParseFlags("Fresh"))
	var in []coroutine.FileResult
	for {
		reqs, done := mach.Resume(in)
		require.False(t, done, "the lock was never taken")
		if reqs[0].Op == coroutine.FileRename && reqs[0].Target == testLock {
			break // killed here
		}
		assert.NotContains(t, m.files, testLock)
		in = m.do(reqs)
	}
	assert.NotContains(t, m.files, testLock)
	left := m.tmpFiles("/m")
	require.Len(t, left, 1)
	assert.Equal(t, "7:host", string(m.files[left[0]]))
	_, _, err := addUnder(m)
	require.NoError(t, err)
}

// Locks that name no process the driver can check are judged by age:
// another host's, our own pid's (another operation of this process may
// hold it), an empty one, and a local one when the driver cannot tell.
func TestLockAgeRule(t *testing.T) {
	for _, c := range []struct {
		name, owner string
		procs       map[int64]bool
	}{
		{"other host", "4242:elsewhere", map[int64]bool{}},
		{"own pid", "7:host", map[int64]bool{}},
		{"empty", "", map[int64]bool{}},
		{"no pid", "x:host", map[int64]bool{}},
		{"driver cannot tell", "4242:host", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := lockedFixture(c.owner, 10*time.Second)
			m.procs = c.procs
			_, asked, err := addUnder(m)
			assert.ErrorIs(t, err, ErrLocked)
			assert.Equal(t, c.owner, string(m.files[testLock]), "a young lock is left alone")
			if c.procs != nil {
				assert.Empty(t, asked)
			}

			m = lockedFixture(c.owner, 3*time.Minute)
			m.procs = c.procs
			id, _, err := addUnder(m)
			require.NoError(t, err, "a lock older than two minutes is stale")
			assert.Contains(t, m.files, "/m/cur/"+id+":2,b")
			assert.NotContains(t, m.files, testLock)
		})
	}
}

// A dead owner's lock replaced by a live writer's between the verdict and
// the removal is not removed.
func TestLockReplacedAfterVerdict(t *testing.T) {
	m := lockedFixture("4242:host", time.Second)
	m.procs = map[int64]bool{4343: true}
	m.before = func(r coroutine.FileRequest) {
		if r.Op == coroutine.FileOwnerAlive && r.Limit == 4242 {
			m.write(testLock, "4343:host")
		}
	}
	_, asked, err := addUnder(m)
	assert.ErrorIs(t, err, ErrLocked)
	assert.Equal(t, []int64{4242, 4343}, asked)
	assert.Equal(t, "4343:host", string(m.files[testLock]))
}

// A LockOwner that is not "<pid>:<host>" is refused before any lock.
func TestLockOwnerInvalid(t *testing.T) {
	for _, owner := range []string{"host", "0:host", "-1:host", "1:", "1:a/b", "01:host", "1:host\n"} {
		s := testStore()
		s.LockOwner = owner
		m := fixture()
		_, err := coroutine.Run(s.AddMessage("INBOX", []byte(msgN), email.ParseFlags("Fresh")), m.do)
		assert.ErrorIs(t, err, email.ErrInvalidArgument, owner)
		assert.NotContains(t, m.files, testLock)
	}
}

func TestParseLockOwner(t *testing.T) {
	for in, want := range map[string]lockOwner{
		"123:vm":      {123, "vm"},
		"123:vm\n":    {123, "vm"},
		"1:a:b":       {1, "a:b"},
		"007:h":       {7, "h"},
		"2147483647:": {2147483647, ""},
	} {
		got, ok := parseLockOwner([]byte(in))
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "\n", "123", ":vm", "+1:vm", "-1:vm", "0:vm", " 1:vm", "2147483648:vm", "12a:vm"} {
		_, ok := parseLockOwner([]byte(in))
		assert.False(t, ok, "%q", in)
	}
}

// The dead owner's lock, recorded: the script keeps the driver's answer
// about the owner, and a replay takes the lock the same way.
func TestReplayDeadOwner(t *testing.T) {
	build := func() coroutine.FileMachine[string] {
		return lockStore().AddMessage("INBOX", []byte(msgN), email.ParseFlags("Fresh"))
	}
	m := lockedFixture("4242:host", time.Second)
	m.procs = map[int64]bool{}
	rec := &coroutine.Recorder{Do: m.do}
	want, err := coroutine.Run(build(), rec.Perform)
	require.NoError(t, err)
	file := filepath.Join("..", "testdata", "maildir", "replay", "keywords_dead_owner.json")
	got, err := json.MarshalIndent(rec.Steps, "", "  ")
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(file, append(got, '\n'), 0o644))
	}
	script, err := os.ReadFile(file)
	require.NoError(t, err, "run go test ./maildir -run TestReplayDeadOwner -update to record")
	var steps []coroutine.FileStep
	require.NoError(t, json.Unmarshal(script, &steps))
	var ops []coroutine.FileOp
	for _, s := range steps {
		for _, r := range s.Requests {
			ops = append(ops, r.Op)
		}
	}
	assert.Contains(t, ops, coroutine.FileOwnerAlive)
	out, err := coroutine.ReplayFiles(build(), steps)
	require.NoError(t, err)
	assert.Equal(t, want, out)
}
