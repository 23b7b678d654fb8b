package coroutine

// OwnerAlive returns a FileOwnerAlive request: is process pid, which wrote
// the lock file lock, still running on this host?
//
// A machine that finds a lock file naming a process of its own host (as
// Dovecot's dotlocks do, "<pid>:<host>") asks this instead of waiting for
// the lock to age: a lock whose writer is gone can be taken at once. The
// question is a request, not a callback the machine is built with, so the
// driver answers it like any file request (the client's driver with
// kill(pid, 0)) and a recorded script keeps the answer: a replay asks the
// same question and gets the same answer, whatever runs on the replaying
// host. A driver that does not know the request answers with an error
// other than fs.ErrNotExist, and the machine then treats the owner as
// possibly alive.
func OwnerAlive(lock string, pid int) FileRequest {
	return FileRequest{Op: FileOwnerAlive, Path: lock, Limit: int64(pid)}
}
