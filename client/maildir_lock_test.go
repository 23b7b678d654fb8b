//go:build unix

package client_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
)

// dovecotMaildirlock is Dovecot's own tool that takes a maildir's
// dovecot-uidlist.lock with Dovecot's dotlock code.
const dovecotMaildirlock = "/usr/lib/dovecot/maildirlock"

// lockDir returns an empty maildir (INBOX) and its lock file's path.
func lockDir(t *testing.T) (root, lock string) {
	root = t.TempDir()
	for _, s := range []string{"tmp", "new", "cur"} {
		require.NoError(t, os.Mkdir(filepath.Join(root, s), 0o700))
	}
	return root, filepath.Join(root, "dovecot-uidlist.lock")
}

// fastClock runs a second ahead at each call, so a machine waiting for a
// lock reaches its ten-second bound after a few real waits.
func fastClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return time.Now().Add(time.Duration(n.Add(1)) * time.Second) }
}

// addFresh adds a message with a keyword that needs dovecot-keywords.
func addFresh(t *testing.T, s maildir.Store) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := client.NewMaildir(s, nil).AddMessage(ctx, "INBOX", strings.NewReader("Subject: x\r\n\r\nx\r\n"), email.ParseFlags("Fresh"))
	return err
}

// deadPid returns the pid of a child that has exited and been reaped.
func deadPid(t *testing.T) int {
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	return cmd.Process.Pid
}

func hostname(t *testing.T) string {
	h, err := os.Hostname()
	require.NoError(t, err)
	return h
}

func writeLock(t *testing.T, lock, content string, age time.Duration) {
	require.NoError(t, os.WriteFile(lock, []byte(content), 0o644))
	mt := time.Now().Add(-age)
	require.NoError(t, os.Chtimes(lock, mt, mt))
}

// A lock left by a process of this host that has exited, in Dovecot's
// format, is taken at once although it is fresh (the age rule would wait
// two minutes, and ErrLocked comes after ten seconds).
func TestMaildirLockOfDeadProcess(t *testing.T) {
	root, lock := lockDir(t)
	writeLock(t, lock, strconv.Itoa(deadPid(t))+":"+hostname(t), 0)
	require.NoError(t, addFresh(t, maildir.Store{Root: root}))
	assert.NoFileExists(t, lock)
	kw, err := os.ReadFile(filepath.Join(root, "dovecot-keywords"))
	require.NoError(t, err)
	assert.Equal(t, "0 Fresh\n", string(kw))
}

// Locks that must be respected: a live process of this host (a child
// sleeping, or this very process, which may be running another
// operation), another host's, and an empty one. Each waits, fails with
// ErrLocked and stays; once two minutes old, the last three are stale,
// but the live process's is not.
func TestMaildirLockRespected(t *testing.T) {
	sleeper := exec.Command("sleep", "600")
	require.NoError(t, sleeper.Start())
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	host := hostname(t)
	for _, c := range []struct {
		name, owner string
		staleAfter  bool
	}{
		{"live child", strconv.Itoa(sleeper.Process.Pid) + ":" + host, false},
		{"this process", strconv.Itoa(os.Getpid()) + ":" + host, true},
		{"other host", strconv.Itoa(deadPid(t)) + ":not-" + host, true},
		{"empty", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, lock := lockDir(t)
			writeLock(t, lock, c.owner, 0)
			err := addFresh(t, maildir.Store{Root: root, Clock: fastClock()})
			assert.ErrorIs(t, err, maildir.ErrLocked)
			got, rerr := os.ReadFile(lock)
			require.NoError(t, rerr)
			assert.Equal(t, c.owner, string(got))

			writeLock(t, lock, c.owner, 3*time.Minute)
			err = addFresh(t, maildir.Store{Root: root, Clock: fastClock()})
			if c.staleAfter {
				require.NoError(t, err)
				assert.NoFileExists(t, lock)
			} else {
				assert.ErrorIs(t, err, maildir.ErrLocked, "a live process's lock is never stale")
				assert.FileExists(t, lock)
			}
		})
	}
}

// runMaildirlock runs Dovecot's maildirlock on root with an acquire
// timeout; it returns the pid of the process that took the lock, or 0
// when the lock was not taken in time. Dovecot 2.3's maildirlock holder
// panics right after locking ("No IOs or timeouts set"), so the lock it
// took stays behind, naming a process that is gone: a Dovecot crash.
func runMaildirlock(t *testing.T, root string, timeout int) int {
	t.Helper()
	if _, err := os.Stat(dovecotMaildirlock); err != nil {
		if os.Getenv("IOEMAIL_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s is missing (dovecot-core)", dovecotMaildirlock)
		}
		t.Skipf("%s is missing (dovecot-core)", dovecotMaildirlock)
	}
	cmd := exec.Command(dovecotMaildirlock, root, strconv.Itoa(timeout))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return 0
	}
	require.NoError(t, err, stderr.String())
	pid, err := strconv.Atoi(string(out))
	require.NoError(t, err, "maildirlock printed %q", out)
	return pid
}

// waitGone waits until process pid no longer exists.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	require.Eventually(t, func() bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }, 30*time.Second, 20*time.Millisecond)
}

// Dovecot writes "<pid>:<host>" into its lock, exactly what the store
// writes; its lock is taken at once once its process is gone.
func TestMaildirLockOfDovecot(t *testing.T) {
	root, lock := lockDir(t)
	pid := runMaildirlock(t, root, 5)
	require.NotZero(t, pid)
	got, err := os.ReadFile(lock)
	require.NoError(t, err)
	md := client.NewMaildir(maildir.Store{Root: root}, nil)
	assert.Equal(t, strconv.Itoa(pid)+":"+hostname(t), string(got), "Dovecot's dotlock content")
	assert.Equal(t, strconv.Itoa(os.Getpid())+":"+hostname(t), md.Store().LockOwner, "ours, in the same format")
	waitGone(t, pid)
	require.NoError(t, addFresh(t, maildir.Store{Root: root}))
	assert.NoFileExists(t, lock)
}

// Dovecot understands the store's locks: while an operation holds one,
// Dovecot's maildirlock cannot take it; a lock in the store's format
// naming a process that is gone, Dovecot takes.
func TestMaildirLockDovecotReadsOurs(t *testing.T) {
	root, lock := lockDir(t)
	s := client.NewMaildir(maildir.Store{Root: root}, nil).Store()
	d := client.NewFileDriver(0)
	ctx := context.Background()
	var held []string
	var dovecot []int
	do := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		if reqs[0].Op == coroutine.FileRename && strings.HasSuffix(reqs[0].Target, "/dovecot-keywords") {
			b, err := os.ReadFile(lock)
			require.NoError(t, err)
			held = append(held, string(b))
			// Older than Dovecot's two seconds, so it reads the pid.
			old := time.Now().Add(-10 * time.Second)
			require.NoError(t, os.Chtimes(lock, old, old))
			dovecot = append(dovecot, runMaildirlock(t, root, 3))
		}
		return d.Do(ctx, reqs)
	}
	_, err := coroutine.Run(s.AddMessage("INBOX", []byte("Subject: x\r\n\r\nx\r\n"), email.ParseFlags("Fresh")), do)
	require.NoError(t, err)
	assert.Equal(t, []string{s.LockOwner}, held)
	assert.Equal(t, []int{0}, dovecot, "Dovecot waited for our live lock and gave up")
	assert.NoFileExists(t, lock)

	writeLock(t, lock, strconv.Itoa(deadPid(t))+":"+hostname(t), 10*time.Second)
	pid := runMaildirlock(t, root, 3)
	assert.NotZero(t, pid, "Dovecot took the lock of our dead process")
	got, err := os.ReadFile(lock)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(pid)+":"+hostname(t), string(got))
}
