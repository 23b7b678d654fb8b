package maildir

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ioemail/ioemail/email"
)

// maxLockRead bounds the read of a lock file: Dovecot reads at most 511
// bytes of a dotlock, and a longer one names no owner.
const maxLockRead = 511

// lockOwner is the writer a dotlock names: Dovecot writes "<pid>:<host>"
// (its process id in decimal, a colon, its host name as gethostname
// gives it, no newline) into every dotlock it creates.
type lockOwner struct {
	pid  int
	host string
}

func (o lockOwner) String() string { return strconv.Itoa(o.pid) + ":" + o.host }

// parseLockOwner reads a dotlock's content as Dovecot does: one trailing
// newline is dropped, the host is everything after the first ':', and the
// pid is a positive decimal number. Anything else (an empty lock, a lock
// written by a program that leaves no owner) names no owner.
func parseLockOwner(data []byte) (lockOwner, bool) {
	if len(data) > maxLockRead {
		return lockOwner{}, false
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	num, host, ok := strings.Cut(string(data), ":")
	if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
		return lockOwner{}, false
	}
	pid, err := strconv.ParseInt(num, 10, 32)
	if err != nil || pid <= 0 {
		return lockOwner{}, false
	}
	return lockOwner{pid: int(pid), host: host}, true
}

// lockSelf returns the owner the Store writes into its locks, or false
// when LockOwner is empty (its locks are then empty and judged by age
// only). A LockOwner that is not "<pid>:<host>" with a host Dovecot would
// accept (not empty, no "/", tab, CR or LF) is an email.ErrInvalidArgument.
func (s Store) lockSelf() (lockOwner, bool, error) {
	if s.LockOwner == "" {
		return lockOwner{}, false, nil
	}
	o, ok := parseLockOwner([]byte(s.LockOwner))
	if !ok || o.host == "" || strings.ContainsAny(o.host, "/\t\r\n") || o.String() != s.LockOwner {
		return lockOwner{}, false, fmt.Errorf("maildir: Store.LockOwner %q is not \"<pid>:<host>\": %w", s.LockOwner, email.ErrInvalidArgument)
	}
	return o, true, nil
}

// lockSeen is what a read of the lock file found, to tell whether the lock
// judged stale is still the one there when it is removed.
type lockSeen struct {
	data  []byte
	size  int64
	mtime time.Time
}

func (a *lockSeen) same(b lockSeen) bool {
	return a != nil && bytes.Equal(a.data, b.data) && a.size == b.size && a.mtime.Equal(b.mtime)
}
