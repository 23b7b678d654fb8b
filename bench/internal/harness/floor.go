package harness

import (
	"os"
	"syscall"
)

// Dir is a directory opened for a floor: its descriptor, for openat(2),
// and the names of the entries the floor reads.
type Dir struct {
	FD    int
	Names []string
}

// OpenDir opens the directory path with open(2) and lists it (os.ReadDir,
// as the client's driver lists), keeping the regular entries whose names
// do not start with "." and for which keep (nil: all) reports true.
func OpenDir(path string, keep func(name string) bool) (Dir, error) {
	des, err := os.ReadDir(path)
	if err != nil {
		return Dir{}, err
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return Dir{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	d := Dir{FD: fd}
	for _, de := range des {
		if n := de.Name(); !de.IsDir() && n[0] != '.' && (keep == nil || keep(n)) {
			d.Names = append(d.Names, n)
		}
	}
	return d, nil
}

// Close closes the directory's descriptor.
func (d Dir) Close() { syscall.Close(d.FD) }

// ReadHeadAt is the floor's read: openat(2) of name relative to the
// directory descriptor dirfd, one read(2) into buf, close(2); it returns
// what it read. No os.File (whose open sets the descriptor non-blocking,
// tries to register it with the runtime poller and sets a finalizer), no
// fstat(2): a careful user's head read.
func ReadHeadAt(dirfd int, name string, buf []byte) ([]byte, error) {
	fd, err := openat(dirfd, name)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	k, err := read(fd, buf)
	syscall.Close(fd)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: name, Err: err}
	}
	return buf[:k], nil
}

func openat(dirfd int, name string) (int, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func read(fd int, buf []byte) (int, error) {
	for {
		k, err := syscall.Read(fd, buf)
		if err != syscall.EINTR {
			return k, err
		}
	}
}

// ReadDirs reads, on workers goroutines with an 8 KiB buffer each, the
// head of every name of dirs with ReadHeadAt, and hands it to use with the
// index of its directory and of its name there.
func ReadDirs(dirs []Dir, workers int, use func(d, i int, head []byte)) error {
	type item struct{ d, i int }
	var items []item
	for d, dir := range dirs {
		for i := range dir.Names {
			items = append(items, item{d, i})
		}
	}
	return Parallel(len(items), workers, func() []byte { return make([]byte, 8<<10) }, func(buf []byte, k int) error {
		it := items[k]
		head, err := ReadHeadAt(dirs[it.d].FD, dirs[it.d].Names[it.i], buf)
		if err != nil {
			return err
		}
		use(it.d, it.i, head)
		return nil
	})
}
