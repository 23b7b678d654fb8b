package client

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// renameNoReplace renames from to to, failing with an error matching
// fs.ErrExist when to exists. It uses renameat2(RENAME_NOREPLACE) and falls
// back to link + unlink on file systems that lack it.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if err == nil {
		return nil
	}
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return linkRename(from, to)
	}
	return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
}
