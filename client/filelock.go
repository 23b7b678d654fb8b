package client

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/ioemail/ioemail/coroutine"
)

// ownerAlive answers a coroutine.FileOwnerAlive request: nil when process
// r.Limit exists on this host (even one of another user, which kill(pid,
// 0) refuses with EPERM), an error matching fs.ErrNotExist when no such
// process exists, and another error when the pid is not one or the system
// cannot tell.
func ownerAlive(r coroutine.FileRequest) coroutine.FileResult {
	pid := r.Limit
	if pid <= 0 || pid != int64(int(pid)) {
		return coroutine.FileResult{Err: fmt.Errorf("client: lock owner %d of %s is no process id", pid, r.Path)}
	}
	return coroutine.FileResult{Err: processExists(int(pid), r.Path)}
}

// errNoProcess wraps fs.ErrNotExist for a lock owner that is gone.
func errNoProcess(pid int, lock string) error {
	return fmt.Errorf("client: process %d, owner of %s, does not exist: %w", pid, lock, fs.ErrNotExist)
}

// lockOwner returns the LockOwner a store of this process writes into its
// locks: "<pid>:<host>", as Dovecot writes its own (see
// maildir.Store.LockOwner), or "" when the host name is unknown.
func lockOwner() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return ""
	}
	return strconv.Itoa(os.Getpid()) + ":" + h
}
