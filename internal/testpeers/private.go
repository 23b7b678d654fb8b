package testpeers

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Dovecot is a private Dovecot instance owned by one test: its own
// configuration, base_dir, state and Maildir under a temporary directory,
// a free loopback port, plain-text IMAP (no TLS, so that a test proxy can
// read the commands) and one passwd-file user, alice/alicepass. A test may
// stop and start it at will, which the shared peers must never be.
type Dovecot struct {
	// Addr is the IMAP address, "127.0.0.1:port" (imap://, no STARTTLS).
	Addr string
	// Dir holds the configuration, the logs and the mail.
	Dir    string
	t      testing.TB
	conf   string
	cmd    *exec.Cmd
	seq    atomic.Int64
	exited chan error
}

// mailUID is the uid and gid of the "mail" user the shared Dovecot also
// runs its mail processes as (see .ci/peers/start.sh).
const mailUID = 8

// StartDovecot starts a private Dovecot and stops it when t ends. It skips
// t when dovecot is not installed or the test does not run as root (the
// master must be able to switch to the mail user), and fails it instead
// under IOEMAIL_REQUIRE_PEERS=1.
func StartDovecot(t testing.TB) *Dovecot {
	t.Helper()
	_, err := exec.LookPath("dovecot")
	if err == nil && os.Geteuid() != 0 {
		err = fmt.Errorf("not running as root")
	}
	if err != nil {
		msg := "private Dovecot not available: " + err.Error()
		if os.Getenv("IOEMAIL_REQUIRE_PEERS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	// Not t.TempDir: the mail processes (uid 8) must traverse it, and the
	// unix sockets under base_dir need a short path.
	dir, err := os.MkdirTemp("", "dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	d := &Dovecot{Dir: dir, t: t, conf: filepath.Join(dir, "dovecot.conf")}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d.Addr = ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(d.Addr)
	home := filepath.Join(dir, "mail", "alice")
	for _, p := range []string{"run", "state", "cur", "new", "tmp"} {
		path := filepath.Join(dir, p)
		if p == "cur" || p == "new" || p == "tmp" {
			path = filepath.Join(home, "Maildir", p)
		}
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(dir, "mail"), home, filepath.Join(home, "Maildir"), filepath.Join(home, "Maildir", "cur"), filepath.Join(home, "Maildir", "new"), filepath.Join(home, "Maildir", "tmp")} {
		if err := os.Chown(p, mailUID, mailUID); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	users := fmt.Sprintf("alice:{PLAIN}alicepass:%d:%d::%s::\n", mailUID, mailUID, home)
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(users), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := strings.NewReplacer("$DIR", dir, "$PORT", port).Replace(privateConf)
	if err := os.WriteFile(d.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d.Start()
	t.Cleanup(d.Stop)
	return d
}

// Start starts the server (after Stop) and returns once it greets on Addr.
func (d *Dovecot) Start() {
	d.t.Helper()
	if d.cmd != nil {
		d.t.Fatal("testpeers: Dovecot already running")
	}
	cmd := exec.Command("dovecot", "-F", "-c", d.conf)
	log, err := os.OpenFile(filepath.Join(d.Dir, "startup.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		d.t.Fatal(err)
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.cmd = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Wait for the greeting: each dial either connects or is refused at
	// once; a refused dial is tried again after a short backoff, until the
	// master has bound its listener.
	end := time.Now().Add(30 * time.Second)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		select {
		case err := <-exited:
			out, _ := os.ReadFile(filepath.Join(d.Dir, "startup.log"))
			d.cmd = nil
			d.t.Fatalf("testpeers: dovecot exited: %v\n%s", err, out)
		default:
		}
		if greets(d.Addr) {
			d.exited = exited
			return
		}
		if time.Now().After(end) {
			d.t.Fatalf("testpeers: private dovecot did not greet on %s", d.Addr)
		}
		time.Sleep(wait)
	}
}

// greets reports whether an IMAP server answers on addr with "* OK".
func greets(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK")
}

// Stop stops the server (SIGTERM to the master, which ends every session
// with BYE) and returns once the master has exited. It is a no-op when the
// server is not running.
func (d *Dovecot) Stop() {
	if d.cmd == nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	<-d.exited
	d.cmd, d.exited = nil, nil
}

// Deliver writes raw into alice's INBOX as a new message, directly in the
// Maildir (the server may be stopped), and returns the file name.
func (d *Dovecot) Deliver(raw []byte) string {
	d.t.Helper()
	name := strconv.FormatInt(time.Now().Unix(), 10) + ".P" + strconv.Itoa(os.Getpid()) + "Q" + strconv.FormatInt(d.seq.Add(1), 10) + ".ioemail-test"
	md := filepath.Join(d.Dir, "mail", "alice", "Maildir")
	tmp := filepath.Join(md, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o644); err != nil {
		d.t.Fatal(err)
	}
	if err := os.Chown(tmp, mailUID, mailUID); err != nil {
		d.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(md, "new", name)); err != nil {
		d.t.Fatal(err)
	}
	return name
}

const privateConf = `# private Dovecot of one test (internal/testpeers/private.go)
instance_name = ioemail-test-$PORT
base_dir = $DIR/run
state_dir = $DIR/state
protocols = imap
listen = 127.0.0.1
log_path = $DIR/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DIR/users
}
userdb {
  driver = passwd-file
  args = $DIR/users
}
first_valid_uid = 8
first_valid_gid = 8
mail_location = maildir:~/Maildir:LAYOUT=fs
mailbox_idle_check_interval = 1 secs
namespace inbox {
  inbox = yes
  separator = /
}
protocol imap {
  mail_max_userip_connections = 200
  imap_idle_notify_interval = 10 secs
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
`
