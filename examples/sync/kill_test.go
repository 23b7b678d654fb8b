package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/maildir"
)

// minKills is how many times TestKillAtRandomPoints kills the command
// before it lets a run finish.
const minKills = 30

// TestKillAtRandomPoints syncs 3,000 messages from a mailbox of its own on
// the shared Dovecot to an empty Maildir with the built command, killing
// it with SIGKILL at least 30 times at random moments: at a random copy
// count shown by its progress lines (early in the run, or, at every
// eighth kill, past the checkpoint saved every 200 copies), or after a
// random number of output lines (the scan, the folders, the state
// writes). After each kill, every Maildir id the state file records is a
// file in the folder (copies are recorded only once their batch is in
// cur/). Then it lets a run finish, which must delete nothing (no earlier
// run made a message twice), and checks that both sides hold exactly the
// 3,000 Message-IDs, once each, byte-equal, with the flags they were
// appended with; and that one more run changes nothing. The seed is
// printed; IOEMAIL_SYNC_KILL_SEED replays its choice of moments (where
// within a moment the signal lands is the machine's timing).
func TestKillAtRandomPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and syncs 3,000 messages")
	}
	d := dialBob(t)
	bin := buildCommand(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("IOEMAIL_SYNC_KILL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
		seed = v
	}
	t.Logf("seed %d (IOEMAIL_SYNC_KILL_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 15))
	msgs := genMessages("kill", 3000, seed)
	box := d.newBox(t, "kill", msgs)

	dir := t.TempDir()
	root := filepath.Join(dir, "mail")
	state := filepath.Join(dir, "state")
	args := []string{"-ca", d.env["PEERS_CA_CERT"], "-folders", box, "-state", state, d.url(), "maildir://" + root}
	kills, locks := 0, 0
	for runs := 0; ; runs++ {
		require.Less(t, runs, 300, "the sync did not finish after %d runs (%d kills)", runs, kills)
		if left := leftLocks(t, root); len(left) > 0 {
			locks++
			t.Logf("run %d starts with the lock a killed run left: %s", runs, strings.Join(left, ", "))
		}
		killed, lines, err := runKilled(t, bin, args, kills < minKills, kills%8 == 4, rng)
		// A run killed while it held dovecot-uidlist.lock (writing the
		// dovecot-keywords file for $Label1) leaves the lock behind,
		// naming its pid and host: the next run sees that process gone
		// and takes the lock at once, so no run fails on it.
		require.NoError(t, err, "the sync failed:\n%s", strings.Join(lines, "\n"))
		if killed {
			kills++
			t.Logf("run %d: killed after %d lines: %s", runs, len(lines), last(lines))
			// What the state records as copied must be in place: a
			// copy is recorded only once its file is in cur/ (and
			// synced, which a kill cannot show).
			recorded := recordedIDs(t, state)
			inPlace := maildirKeys(t, filepath.Join(root, "."+box))
			for _, id := range recorded {
				require.True(t, inPlace[id], "run %d: the state records %s, which is not in the Maildir", runs, id)
			}
			continue
		}
		require.GreaterOrEqual(t, kills, minKills, "a run finished before %d kills (run %d); its output:\n%s", minKills, runs, strings.Join(lines, "\n"))
		t.Logf("run %d finished after %d kills (%d runs started with a left lock): %s", runs, kills, locks, strings.Join(lines[max(0, len(lines)-4):], " | "))
		// Nothing was deleted on either side: no run made a message
		// twice that a later one had to remove.
		require.Contains(t, strings.Join(lines, "\n"), "deleted_a=0 deleted_b=0", "the finishing run deleted messages:\n%s", strings.Join(lines, "\n"))
		break
	}

	md := client.NewMaildir(maildir.Store{Root: filepath.ToSlash(root)}, nil)
	assertHolds(t, "dovecot", readBox(t, d.ic, box), msgs, true)
	assertHolds(t, "maildir", readBox(t, md, box), msgs, true)

	out := runCommand(t, bin, args...)
	require.Contains(t, out, "copied 0 (0 B), flagged 0, deleted 0, moved 0", "a run after the sync changed something:\n%s", out)
	assertHolds(t, "maildir after one more run", readBox(t, md, box), msgs, true)
}

// runKilled runs the command once. When kill is set it picks a moment
// from rng (a copy count in the progress lines, past the first
// checkpoint of the copies when late is set, or a number of lines) and
// sends SIGKILL there; it returns whether the process was killed, the
// lines it printed, and the error of a run that ended on its own.
func runKilled(t *testing.T, bin string, args []string, kill, late bool, rng *rand.Rand) (bool, []string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "IOEMAIL_A_PASSWORD=bobpass")
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = w, w
	require.NoError(t, cmd.Start())
	w.Close()
	defer r.Close()

	// Three kinds of moment: a copy count past the first checkpoint of
	// the copies (late: the state then holds ids recorded mid-run when
	// the kill lands), an early copy count (most runs), or a line count.
	atCopy, atLine := 0, 0
	switch {
	case late:
		atCopy = 200 + rng.IntN(100)
	case rng.IntN(4) == 0:
		atLine = 1 + rng.IntN(8)
	default:
		atCopy = 1 + rng.IntN(40)
	}
	var lines []string
	killed := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if !kill || killed {
			continue
		}
		if (atLine > 0 && len(lines) >= atLine) || (atCopy > 0 && copyDone(line) >= atCopy) {
			require.NoError(t, cmd.Process.Kill())
			killed = true
		}
	}
	io.Copy(io.Discard, r)
	err = cmd.Wait()
	if killed && err != nil {
		return true, lines, nil
	}
	// Not killed, or it finished between the line and the signal.
	return false, lines, err
}

// leftLocks returns the dovecot-uidlist.lock files under root, each with
// its content.
func leftLocks(t *testing.T, root string) []string {
	locks, err := filepath.Glob(filepath.Join(root, "*", "dovecot-uidlist.lock"))
	require.NoError(t, err)
	top, _ := filepath.Glob(filepath.Join(root, "dovecot-uidlist.lock"))
	var out []string
	for _, l := range append(locks, top...) {
		b, _ := os.ReadFile(l)
		out = append(out, fmt.Sprintf("%s (%q)", l, b))
	}
	return out
}

// copyDone returns the done count of a copy progress line, or -1.
func copyDone(line string) int {
	if !strings.Contains(line, "msg=progress") || !strings.Contains(line, " phase=copy ") {
		return -1
	}
	_, rest, ok := strings.Cut(line, " done=")
	if !ok {
		return -1
	}
	v, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func last(lines []string) string {
	if len(lines) == 0 {
		return "(no output)"
	}
	return lines[len(lines)-1]
}

// recordedIDs returns the B ids (Maildir keys) of the pairs in the state
// file at path (format version 2: "p" lines, the B id second), none when
// there is no file yet.
func recordedIDs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) > 2 && f[0] == "p" && f[2] != "" {
			out = append(out, unescapeState(f[2]))
		}
	}
	return out
}

// unescapeState undoes the state file's escapes (\\ \t \n \r).
func unescapeState(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n", `\r`, "\r").Replace(s)
}

// maildirKeys returns the keys of the message files in the Maildir folder
// dir (new/ and cur/).
func maildirKeys(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, sub := range []string{"new", "cur"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		for _, e := range ents {
			key, _, _ := strings.Cut(e.Name(), ":2,")
			out[key] = true
		}
	}
	return out
}
