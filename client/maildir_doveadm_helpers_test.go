package client_test

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// capDACOverride is CAP_DAC_OVERRIDE (linux/capability.h).
const capDACOverride = 1

// doveadm runs Dovecot's doveadm on a temporary maildir with a private
// configuration (no server, no userdb lookup: USER and HOME come from the
// environment), so tests can see a store exactly as Dovecot does.
type doveadm struct {
	conf     string
	home     string
	uid, gid int
	root     bool // we are root: doveadm runs as uid with CAP_DAC_OVERRIDE
}

// newDoveadm writes the private configuration. Dovecot refuses mail access
// as root, so under root doveadm runs as the "mail" user (or nobody), with
// CAP_DAC_OVERRIDE as an ambient capability to read the files this process
// writes; own(dir) then hands the maildir's directories to that user, for
// Dovecot checks with access(2) that it may write them. doveadm missing
// skips the test, or fails it under IOEMAIL_REQUIRE_PEERS=1.
func newDoveadm(t *testing.T) *doveadm {
	t.Helper()
	if _, err := exec.LookPath("doveadm"); err != nil {
		msg := "doveadm is not installed (apt-get install -y dovecot-core)"
		if os.Getenv("IOEMAIL_REQUIRE_PEERS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	d := &doveadm{uid: os.Getuid(), gid: os.Getgid()}
	if d.uid == 0 {
		d.root, d.uid, d.gid = true, 65534, 65534
		if u, err := user.Lookup("mail"); err == nil {
			d.uid, _ = strconv.Atoi(u.Uid)
			d.gid, _ = strconv.Atoi(u.Gid)
		}
	}
	dir := t.TempDir()
	d.home = filepath.Join(dir, "home")
	for _, sub := range []string{"run", "state", "home"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, sub), 0o755))
	}
	d.conf = filepath.Join(dir, "dovecot.conf")
	conf := "base_dir = " + dir + "/run\nstate_dir = " + dir + "/state\nlog_path = /dev/stderr\n" +
		"mail_uid = " + strconv.Itoa(d.uid) + "\nmail_gid = " + strconv.Itoa(d.gid) + "\n" +
		"first_valid_uid = 1\nfirst_valid_gid = 1\nmail_location = maildir:" + dir + "/unused\n"
	require.NoError(t, os.WriteFile(d.conf, []byte(conf), 0o644))
	d.open(t, dir)
	return d
}

// open makes dir and its parents traversable by doveadm's user.
func (d *doveadm) open(t *testing.T, dir string) {
	t.Helper()
	if !d.root {
		return
	}
	for p := dir; p != "/" && p != "." && strings.HasPrefix(p, os.TempDir()); p = filepath.Dir(p) {
		if p == filepath.Clean(os.TempDir()) {
			break
		}
		require.NoError(t, os.Chmod(p, 0o755))
	}
	require.NoError(t, os.Chown(d.home, d.uid, d.gid))
}

// own gives every directory under root (and root) to doveadm's user.
func (d *doveadm) own(t *testing.T, root string) {
	t.Helper()
	if !d.root {
		return
	}
	d.open(t, filepath.Dir(root))
	require.NoError(t, filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.IsDir() {
			return err
		}
		return os.Chown(p, d.uid, d.gid)
	}))
}

// cmd returns doveadm with args on the maildir location loc (for example
// "maildir:/x/Mail:LAYOUT=fs").
func (d *doveadm) cmd(loc string, args ...string) *exec.Cmd {
	cmd := exec.Command("doveadm", append([]string{"-c", d.conf, "-o", "mail_location=" + loc}, args...)...)
	cmd.Env = append(os.Environ(), "USER=ioemail", "HOME="+d.home)
	if d.root {
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Credential:  &syscall.Credential{Uid: uint32(d.uid), Gid: uint32(d.gid)},
			AmbientCaps: []uintptr{capDACOverride},
		}
	}
	return cmd
}

// run runs doveadm and returns its standard output.
func (d *doveadm) run(t *testing.T, loc string, args ...string) string {
	t.Helper()
	out, err := d.cmd(loc, args...).Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("doveadm %v: %v\n%s", args, err, ee.Stderr)
	}
	require.NoError(t, err, "doveadm %v", args)
	return string(out)
}

// flags returns the flags Dovecot reads for each message of mailbox, by
// Dovecot's maildir GUID (the file name's unique part, our id), without
// \Recent.
func (d *doveadm) flags(t *testing.T, loc, mailbox string) map[string][]string {
	t.Helper()
	out := d.run(t, loc, "-f", "flow", "fetch", "guid flags", "mailbox", mailbox, "all")
	got := map[string][]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		guid, flags, ok := strings.Cut(strings.TrimPrefix(line, "guid="), " flags=")
		require.True(t, ok, "doveadm fetch line %q", line)
		var fs []string
		for f := range strings.FieldsSeq(flags) {
			if f != `\Recent` {
				fs = append(fs, f)
			}
		}
		got[guid] = fs
	}
	return got
}

// mailboxes returns the mailbox names Dovecot lists.
func (d *doveadm) mailboxes(t *testing.T, loc string) []string {
	t.Helper()
	return strings.Split(strings.TrimSpace(d.run(t, loc, "mailbox", "list")), "\n")
}
