package m2dir_test

import (
	"context"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

// TestHelperProcess is the child of the crash and concurrency tests: it
// writes into the store named by M2DIR_HELPER_ROOT until it has done
// M2DIR_HELPER_N rounds (forever when 0) or is killed.
func TestHelperProcess(t *testing.T) {
	root := os.Getenv("M2DIR_HELPER_ROOT")
	if root == "" {
		t.Skip("only run as a child process")
	}
	n, _ := strconv.Atoi(os.Getenv("M2DIR_HELPER_N"))
	mode := os.Getenv("M2DIR_HELPER_MODE")
	s := m2dir.Store{Root: root, Entropy: rand.Reader, Clock: time.Now}
	ctx := context.Background()
	raw := msg("same", "Mon, 1 Jan 2024 10:00:00 +0000")
	for i := 0; n == 0 || i < n; i++ {
		id, err := runFiles(ctx, driver, s.AddMessage("INBOX", raw, email.ParseFlags("$seen", "Work")))
		if err != nil {
			t.Fatal(err)
		}
		if mode != "churn" {
			continue
		}
		// Every flag set and every place a message goes keeps $seen, so a
		// message found without it lost its flags.
		if _, err := runFiles(ctx, driver, s.StoreFlags("INBOX", []string{id}, email.FlagSet, email.ParseFlags("$seen"))); err != nil {
			t.Fatal(err)
		}
		moved, err := runFiles(ctx, driver, s.MoveMessages("INBOX", "Other", []string{id}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runFiles(ctx, driver, s.CopyMessages("Other", "INBOX", moved)); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := runFiles(ctx, driver, s.DeleteMessages("Other", moved)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func helper(t *testing.T, root, mode string, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "M2DIR_HELPER_ROOT="+root, "M2DIR_HELPER_N="+strconv.Itoa(n), "M2DIR_HELPER_MODE="+mode)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	return cmd
}

// countFiles counts the entries of a directory (0 when it is missing).
func countFiles(dir string) int {
	ents, _ := os.ReadDir(dir)
	return len(ents)
}

// TestCrashSafety kills a writer with SIGKILL in the middle of adds, flag
// rewrites, moves, copies and deletes, several times, and checks the store
// after each: it lists, every message reads back with a valid checksum, and
// no message lost its flags.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	s := newStore(t)
	run(t, s.CreateMailbox("Other"))
	for round := range 4 {
		cmd := helper(t, s.Root, "churn", 0)
		deadline := time.Now().Add(20 * time.Second)
		for countFiles(filepath.Join(s.Root, "INBOX")) < 3+5*(round+1) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(round*7) * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()

		total := 0
		for _, box := range []string{"INBOX", "Other"} {
			envs := run(t, s.ListEnvelopes(box, email.ListOptions{}))
			total += len(envs)
			for _, e := range envs {
				assert.True(t, e.Flags.HasIANA(email.Seen), "round %d: %s/%s lost its flags", round, box, e.ID)
				got := run(t, s.GetMessage(box, e.ID))
				assert.Equal(t, msg("same", "Mon, 1 Jan 2024 10:00:00 +0000"), got)
			}
		}
		assert.Positive(t, total, "round %d", round)
	}
}

// TestTwoWriters runs two processes adding 1000 identical messages each
// into one folder: all 2000 must be there, with distinct ids and flags.
func TestTwoWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	s := newStore(t)
	a, b := helper(t, s.Root, "add", 1000), helper(t, s.Root, "add", 1000)
	require.NoError(t, a.Wait())
	require.NoError(t, b.Wait())
	envs := run(t, s.ListEnvelopes("INBOX", email.ListOptions{}))
	ids := map[string]bool{}
	for _, e := range envs {
		ids[e.ID] = true
		assert.True(t, e.Flags.HasIANA(email.Seen))
	}
	assert.Len(t, envs, 2000)
	assert.Len(t, ids, 2000)
}
