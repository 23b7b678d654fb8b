package harness

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The ways Cold can empty the page cache before a round.
const (
	// ColdFadvise calls posix_fadvise(POSIX_FADV_DONTNEED) on every file
	// and directory of the tree: their data pages leave the page cache,
	// while the kernel keeps their dentries and inodes (so a cold round
	// still finds names and metadata in memory). It needs no privilege
	// and touches nothing outside the tree.
	ColdFadvise = "fadvise"
	// ColdDrop syncs, then writes 3 to /proc/sys/vm/drop_caches: page
	// cache, dentries and inodes of the whole machine go, the coldest
	// cache there is short of a reboot. It needs root and also slows
	// every other process on the machine for a moment.
	ColdDrop = "drop"
)

// Cold returns the Options.Before of cold-cache rounds: it empties the
// page cache of the tree root the way mode (ColdFadvise or ColdDrop) says.
func Cold(mode, root string) (func() error, error) {
	switch mode {
	case ColdFadvise:
		return func() error { return fadviseTree(root) }, nil
	case ColdDrop:
		return dropCaches, nil
	}
	return nil, fmt.Errorf("cold cache mode %q: want %q or %q", mode, ColdFadvise, ColdDrop)
}

func fadviseTree(root string) error {
	return filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
		if err != nil {
			return &os.PathError{Op: "open", Path: p, Err: err}
		}
		defer unix.Close(fd)
		if err := unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED); err != nil {
			return &os.PathError{Op: "fadvise", Path: p, Err: err}
		}
		return nil
	})
}

func dropCaches() error {
	unix.Sync()
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o200)
}
