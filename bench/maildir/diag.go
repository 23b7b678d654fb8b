package main

import (
	"fmt"
	"os"
	"syscall"

	"github.com/ioemail/ioemail/bench/internal/harness"
	"github.com/ioemail/ioemail/internal/header"
)

// floorScan is (d): the floor with header.Scan done in the workers, the
// best a listing that scans while it reads could reach.
func floorScan(dir string, workers int) (int, error) {
	dirs, err := openDirs(dir)
	if err != nil {
		return 0, err
	}
	defer closeDirs(dirs)
	sums := [2][]header.Summary{make([]header.Summary, len(dirs[0].Names)), make([]header.Summary, len(dirs[1].Names))}
	err = harness.ReadDirs(dirs, workers, func(d, i int, head []byte) { sums[d][i] = header.Scan(head) })
	return len(sums[0]) + len(sums[1]), err
}

// floorOS is (e): the floor as it was before it was made fair, with
// os.Open of full paths (which sets the descriptor non-blocking, tries to
// register it with the poller and sets a finalizer) and a walk of the
// whole path per open.
func floorOS(dir string, workers int) (int, error) {
	paths, err := names(dir)
	if err != nil {
		return 0, err
	}
	ends := make([]int, len(paths))
	return len(paths), readHeads(paths, workers, readHeadOS, func(i int, head []byte) { ends[i] = header.End(head) })
}

// readHeadOS opens path with os.Open, reads once into buf and closes it.
func readHeadOS(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	k, err := f.Read(buf)
	f.Close()
	if err != nil {
		return nil, err
	}
	return buf[:k], nil
}

// floorStat is (f): the floor with an fstat(2) per file, which a listing
// needs for Received (the file's modification time).
func floorStat(dir string, workers int) (int, error) {
	dirs, err := openDirs(dir)
	if err != nil {
		return 0, err
	}
	defer closeDirs(dirs)
	type item struct{ d, i int }
	var items []item
	for d, di := range dirs {
		for i := range di.Names {
			items = append(items, item{d, i})
		}
	}
	ends := make([]int, len(items))
	mtimes := make([]int64, len(items))
	err = harness.Parallel(len(items), workers, func() []byte { return make([]byte, 8<<10) }, func(buf []byte, k int) error {
		it := items[k]
		fd, err := syscall.Openat(dirs[it.d].FD, dirs[it.d].Names[it.i], syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer syscall.Close(fd)
		n, err := syscall.Read(fd, buf)
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return err
		}
		ends[k], mtimes[k] = header.End(buf[:n]), st.Mtim.Nano()
		return nil
	})
	return len(items), err
}

// scanAlone prints the cost of header.Scan on heads already in memory, on
// one goroutine: the part of (b) that runs serially in the step machine.
func scanAlone(dir string) error {
	paths, err := names(dir)
	if err != nil {
		return err
	}
	heads := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		heads[i] = b[:min(len(b), 8<<10)]
	}
	var best harness.Best
	for range 3 {
		best.Add(harness.Time(func() {
			for _, h := range heads {
				header.Scan(h)
			}
		}))
	}
	fmt.Printf("%-50s %8.3f s  %6.2f us/msg  CPU %8.3f s  %6.2f us/msg (in memory, one goroutine)\n", "header.Scan alone", best.Wall.Seconds(),
		float64(best.Wall.Microseconds())/float64(len(heads)), best.CPU.Seconds(), float64(best.CPU.Microseconds())/float64(len(heads)))
	return nil
}
