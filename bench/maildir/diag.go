package main

import (
	"fmt"
	"os"
	"time"

	"github.com/ioemail/ioemail/internal/header"
)

// diagnose prints where the time of (b) can go: the cost of header.Scan
// alone on heads already in memory, serially, and of (a) with the scan done
// in the workers (the best a pipelined listing could reach).
func diagnose(dir string, workers int) error {
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
	t := time.Now()
	for _, h := range heads {
		header.Scan(h)
	}
	d := time.Since(t)
	fmt.Printf("diag: header.Scan alone, serial, in memory:        %8.3f s  %6.2f us/msg\n", d.Seconds(), float64(d.Microseconds())/float64(len(heads)))
	t = time.Now()
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
		header.Scan(buf[:k])
		return nil
	})
	d = time.Since(t)
	fmt.Printf("diag: (a) + header.Scan in the workers:             %8.3f s  %6.2f us/msg\n", d.Seconds(), float64(d.Microseconds())/float64(len(heads)))
	return err
}
