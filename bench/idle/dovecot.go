package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// private is a Dovecot this program starts on loopback for itself, as
// internal/testpeers/private.go starts one for a test, with the limits
// raised for many connections of one user from one address: imap
// processes serve up to clientLimit connections each (not one process per
// connection), imap-login runs in high-performance mode, and
// mail_max_userip_connections allows every watcher.
type private struct {
	addr string
	dir  string
	cmd  *exec.Cmd
}

// mailUID is the uid and gid of the "mail" user Dovecot's mail processes
// run as, as for the shared peers.
const mailUID = 8

const clientLimit = 100

func startDovecot(conns int) (*private, error) {
	if _, err := exec.LookPath("dovecot"); err != nil {
		return nil, err
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("not running as root (the Dovecot master must switch to the mail user)")
	}
	dir, err := os.MkdirTemp("", "idle-dovecot-")
	if err != nil {
		return nil, err
	}
	d := &private{dir: dir}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.addr = ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(d.addr)
	home := filepath.Join(dir, "mail", "alice")
	for _, p := range []string{filepath.Join(dir, "run"), filepath.Join(dir, "state"), filepath.Join(home, "Maildir", "cur"), filepath.Join(home, "Maildir", "new"), filepath.Join(home, "Maildir", "tmp")} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, err
		}
	}
	for _, p := range []string{filepath.Join(dir, "mail"), home, filepath.Join(home, "Maildir"), filepath.Join(home, "Maildir", "cur"), filepath.Join(home, "Maildir", "new"), filepath.Join(home, "Maildir", "tmp")} {
		if err := os.Chown(p, mailUID, mailUID); err != nil {
			return nil, err
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	users := fmt.Sprintf("alice:{PLAIN}alicepass:%d:%d::%s::\n", mailUID, mailUID, home)
	if err := os.WriteFile(filepath.Join(dir, "users"), []byte(users), 0o644); err != nil {
		return nil, err
	}
	procs := conns/clientLimit + 2
	conf := strings.NewReplacer("$DIR", dir, "$PORT", port, "$CONNS", fmt.Sprint(conns+100),
		"$PROCS", fmt.Sprint(procs), "$CLIENTS", fmt.Sprint(clientLimit)).Replace(confText)
	confPath := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	d.cmd = exec.Command("dovecot", "-F", "-c", confPath)
	logf, err := os.Create(filepath.Join(dir, "startup.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- d.cmd.Wait() }()
	end := time.Now().Add(30 * time.Second)
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		select {
		case err := <-exited:
			out, _ := os.ReadFile(filepath.Join(dir, "startup.log"))
			return nil, fmt.Errorf("dovecot exited: %v\n%s", err, out)
		default:
		}
		if c, err := net.DialTimeout("tcp", d.addr, time.Second); err == nil {
			buf := make([]byte, 64)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, _ := c.Read(buf)
			c.Close()
			if strings.HasPrefix(string(buf[:n]), "* OK") {
				return d, nil
			}
		}
		if time.Now().After(end) {
			return nil, fmt.Errorf("private dovecot did not greet on %s", d.addr)
		}
		time.Sleep(wait)
	}
}

// problems returns the distinct warnings and errors of Dovecot's log
// (with the time and pid cut off), at most max of them.
func (d *private) problems(max int) []string {
	data, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		i := strings.Index(line, ": Warning: ")
		if i < 0 {
			i = strings.Index(line, ": Error: ")
		}
		if i < 0 {
			i = strings.Index(line, ": Fatal: ")
		}
		if i < 0 || seen[line[i:]] || len(out) >= max {
			continue
		}
		seen[line[i:]] = true
		out = append(out, line[i+2:])
	}
	return out
}

// stop ends the Dovecot this program started (its master, by pid; the
// master stops its children) and removes its directory.
func (d *private) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { d.cmd.Process.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		d.cmd.Process.Kill()
	}
	os.RemoveAll(d.dir)
}

const confText = `# private Dovecot of bench/idle
instance_name = ioemail-idle-$PORT
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
default_client_limit = $CONNS
default_process_limit = $PROCS
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
namespace inbox {
  inbox = yes
  separator = /
}
protocol imap {
  mail_max_userip_connections = $CONNS
}
service anvil {
  client_limit = $CONNS
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  client_limit = $CONNS
}
service imap-login {
  service_count = 0
  client_limit = $CONNS
  process_min_avail = 2
  process_limit = 2
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  service_count = 0
  client_limit = $CLIENTS
  process_min_avail = $PROCS
  vsz_limit = 1G
  process_limit = $PROCS
}
`
