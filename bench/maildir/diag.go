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
	paths, err := names(dir)
	if err != nil {
		return 0, err
	}
	sums := make([]header.Summary, len(paths))
	return len(paths), readHeads(paths, workers, harness.ReadHead, func(i int, head []byte) { sums[i] = header.Scan(head) })
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

// floorRaw is (e): the floor with raw system calls (open, read, close)
// instead of os.Open, which also sets the descriptor non-blocking, tries to
// register it with the poller and sets a finalizer. It shows what a file
// driver could save per file.
func floorRaw(dir string, workers int) (int, error) {
	paths, err := names(dir)
	if err != nil {
		return 0, err
	}
	ends := make([]int, len(paths))
	return len(paths), readHeads(paths, workers, readHeadRaw, func(i int, head []byte) { ends[i] = header.End(head) })
}

// readHeadRaw is harness.ReadHead with open(2), read(2) and close(2).
func readHeadRaw(path string, buf []byte) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	k, err := syscall.Read(fd, buf)
	syscall.Close(fd)
	if err != nil {
		return nil, err
	}
	return buf[:k], nil
}
