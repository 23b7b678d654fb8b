package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// tool is one syncer under test, with its own pair: a Dovecot mailbox and
// a Maildir++ tree whose folder .box mirrors it.
type tool struct {
	name string
	box  string
	root string // the Maildir (its root is INBOX; the box is root/.box)
	// cmd builds the command of one sync run.
	cmd func() *exec.Cmd
	// reset forgets the pair: the Maildir and the syncer's state.
	reset func() error
}

// timing is what one run cost: wall time, and the CPU time of the process
// (user + system, from its rusage).
type timing struct{ wall, cpu time.Duration }

// run runs one sync and returns its cost; the output is kept for errors.
func (t *tool) run() (timing, error) {
	c := t.cmd()
	start := time.Now()
	out, err := c.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		return timing{}, fmt.Errorf("%s: %v\n%s", t.name, err, tail(out))
	}
	ps := c.ProcessState
	return timing{wall: wall, cpu: ps.UserTime() + ps.SystemTime()}, nil
}

// tail is the end of a command's output.
func tail(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-15):], "\n")
}

// ours is examples/sync, built into dir, over plain IMAP to the private
// Dovecot (the same link mbsync gets).
func ours(dir, bin, addr, box string) *tool {
	root, state := filepath.Join(dir, "ours-mail"), filepath.Join(dir, "ours.state")
	return &tool{
		name: "ours", box: box, root: root,
		cmd: func() *exec.Cmd {
			c := exec.Command(bin, "-insecure-plaintext", "-folders", box, "-state", state, "imap://alice@"+addr, "maildir://"+root)
			c.Env = append(os.Environ(), "IOEMAIL_A_PASSWORD=alicepass")
			return c
		},
		reset: func() error { return removeAll(root, state) },
	}
}

// mbsync is isync's mbsync with a generated configuration: the same
// mailbox pairing, both ways, Maildir++ (SubFolders Maildir++), its state
// beside the messages (SyncState *).
func mbsync(dir, addr, box string) (*tool, error) {
	root, rc := filepath.Join(dir, "mbsync-mail"), filepath.Join(dir, "mbsyncrc")
	host, port, _ := strings.Cut(addr, ":")
	conf := fmt.Sprintf(`IMAPAccount bench
Host %s
Port %s
User alice
Pass alicepass
SSLType None
AuthMechs LOGIN

IMAPStore far
Account bench

MaildirStore near
Inbox %s/
SubFolders Maildir++

Channel pair
Far :far:%s
Near :near:%s
Create Both
Expunge Both
SyncState *
`, host, port, root, box, box)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	return &tool{
		name: "mbsync", box: box, root: root,
		cmd:   func() *exec.Cmd { return exec.Command("mbsync", "-q", "-c", rc, "pair") },
		reset: func() error { return removeAll(root) },
	}, nil
}

func removeAll(paths ...string) error {
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}
