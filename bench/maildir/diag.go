package main

import (
	"fmt"
	"os"
	"syscall"
	"time"

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
	err = parallel(len(paths), workers, func() []byte { return make([]byte, 8<<10) }, func(buf []byte, i int) error {
		f, err := os.Open(paths[i])
		if err != nil {
			return err
		}
		k, err := f.Read(buf)
		f.Close()
		if err != nil {
			return err
		}
		sums[i] = header.Scan(buf[:k])
		return nil
	})
	return len(paths), err
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
	best, bestCPU := time.Duration(0), time.Duration(0)
	for r := range 3 {
		c0 := cpuTime()
		t := time.Now()
		for _, h := range heads {
			header.Scan(h)
		}
		d, cpu := time.Since(t), cpuTime()-c0
		if r == 0 || d < best {
			best = d
		}
		if r == 0 || cpu < bestCPU {
			bestCPU = cpu
		}
	}
	fmt.Printf("%-50s %8.3f s  %6.2f us/msg  CPU %8.3f s  %6.2f us/msg (in memory, one goroutine)\n", "header.Scan alone", best.Seconds(),
		float64(best.Microseconds())/float64(len(heads)), bestCPU.Seconds(), float64(bestCPU.Microseconds())/float64(len(heads)))
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
	err = parallel(len(paths), workers, func() []byte { return make([]byte, 8<<10) }, func(buf []byte, i int) error {
		fd, err := syscall.Open(paths[i], syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		k, err := syscall.Read(fd, buf)
		syscall.Close(fd)
		if err != nil {
			return err
		}
		ends[i] = header.End(buf[:k])
		return nil
	})
	return len(paths), err
}
