// Command m2dir measures, in one process and on one generated m2store
// whose INBOX holds -n messages (four in five with a flags file):
//
//	(a) floor:  list the folder and .meta, then open each message, read
//	            its first 8 KiB and find the end of its header, and read
//	            each flags file: the least I/O an envelope listing with
//	            flags needs;
//	(b) ours:   m2dir ListEnvelopes of the whole folder through
//	            client.RunFiles (heads scanned by internal/header, flags
//	            parsed, sorted by date);
//	(c) diff:   m2dir DiffEnvelopes from the state of a previous diff, with
//	            nothing changed, counting the FileRead requests it makes
//	            (must be 0: listings and stats only).
//
// (a) runs on as many goroutines as client.FileDriver uses. Each is run
// -rounds times with a warm page cache; the best time counts. Goal:
// (b)/(a) <= 1.2.
//
// Usage, from the bench directory:
//
//	go run ./m2dir [-n 100000] [-dir /tmp/ioemail-bench-m2dir-100000] [-rounds 3]
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
	"github.com/ioemail/ioemail/m2dir"
)

func main() {
	n := flag.Int("n", 100000, "number of messages")
	dir := flag.String("dir", "", "store to use (default: a directory under the temp dir named for -n)")
	rounds := flag.Int("rounds", 3, "times each measurement runs; the best counts")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of (b) to this file")
	diag := flag.Bool("diag", false, "also time (d): the floor's reads as one batch through client.FileDriver")
	flag.Parse()
	log.SetFlags(0)
	if *dir == "" {
		*dir = filepath.Join(os.TempDir(), fmt.Sprintf("ioemail-bench-m2dir-%d", *n))
	}
	workers := max(4, 2*runtime.GOMAXPROCS(0)) // as client.NewFileDriver(0)

	start := time.Now()
	reused, err := ensureStore(*dir, *n)
	if err != nil {
		log.Fatal(err)
	}
	if reused {
		fmt.Printf("reusing %s (%d messages)\n", *dir, *n)
	} else {
		fmt.Printf("generated %s (%d messages) in %v\n", *dir, *n, time.Since(start).Round(time.Millisecond))
	}
	fmt.Printf("GOMAXPROCS %d, %d workers, %d rounds\n", runtime.GOMAXPROCS(0), workers, *rounds)

	ctx := context.Background()
	store := m2dir.Store{Root: filepath.ToSlash(*dir)}
	driver := client.NewFileDriver(0)
	var reads, requests atomic.Int64
	counting := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for _, r := range reqs {
			requests.Add(1)
			if r.Op == coroutine.FileRead {
				reads.Add(1)
			}
		}
		return driver.Do(ctx, reqs)
	}
	base, err := coroutine.Run(store.DiffEnvelopes("INBOX", nil), counting)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("diff state: %d bytes for %d messages\n", len(base.State), *n)

	labels := []string{"(a) floor: list + 8 KiB heads + flags files", "(b) ours: m2dir ListEnvelopes", "(c) diff, nothing changed", "(d) diag: (a)'s reads through client.FileDriver"}
	runs := []func() (int, error){
		func() (int, error) { return floor(*dir, workers) },
		func() (int, error) {
			envs, err := client.RunFiles(ctx, driver, store.ListEnvelopes("INBOX", email.ListOptions{}))
			return len(envs), err
		},
		func() (int, error) {
			reads.Store(0)
			requests.Store(0)
			d, err := coroutine.Run(store.DiffEnvelopes("INBOX", base.State), counting)
			if err == nil && !d.Empty() {
				err = fmt.Errorf("diff with nothing changed reported %+v", d)
			}
			return int(reads.Load()), err
		},
	}
	if *diag {
		runs = append(runs, func() (int, error) { return driverFloor(ctx, driver, *dir) })
	}
	best := make([]time.Duration, len(runs))
	bestCPU := make([]time.Duration, len(runs))
	counts := make([]int, len(runs))
	for i, run := range runs { // warm the page cache and the allocator
		if counts[i], err = run(); err != nil {
			log.Fatal(err)
		}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		for range *rounds {
			if _, err := runs[1](); err != nil {
				log.Fatal(err)
			}
		}
		pprof.StopCPUProfile()
		f.Close()
	}
	for r := range *rounds {
		for i, run := range runs {
			runtime.GC()
			c0 := cpuTime()
			t := time.Now()
			k, err := run()
			d := time.Since(t)
			cpu := cpuTime() - c0
			if err != nil {
				log.Fatal(err)
			}
			counts[i] = k
			if r == 0 || d < best[i] {
				best[i] = d
			}
			if r == 0 || cpu < bestCPU[i] {
				bestCPU[i] = cpu
			}
			fmt.Printf("  round %d %-4s %8.3f s wall %8.3f s CPU\n", r+1, labels[i][:3], d.Seconds(), cpu.Seconds())
		}
	}
	for i, name := range labels[:2] {
		fmt.Printf("%-46s %8.3f s  %6.2f us/msg  CPU %8.3f s  (%d messages)\n", name, best[i].Seconds(), float64(best[i].Microseconds())/float64(counts[i]), bestCPU[i].Seconds(), counts[i])
	}
	fmt.Printf("%-46s %8.3f s  %6.2f us/msg  CPU %8.3f s  (%d FileRead, %d requests)\n", labels[2], best[2].Seconds(), float64(best[2].Microseconds())/float64(*n), bestCPU[2].Seconds(), counts[2], requests.Load())
	if *diag {
		fmt.Printf("%-46s %8.3f s  %6.2f us/msg  CPU %8.3f s\n", labels[3], best[3].Seconds(), float64(best[3].Microseconds())/float64(*n), bestCPU[3].Seconds())
		fmt.Printf("(d)/(a) = %.2f wall, %.2f CPU   (the driver's share of the gap)\n", best[3].Seconds()/best[0].Seconds(), bestCPU[3].Seconds()/bestCPU[0].Seconds())
	}
	fmt.Printf("(b)/(a) = %.2f wall, %.2f CPU   (goal <= 1.2)\n", best[1].Seconds()/best[0].Seconds(), bestCPU[1].Seconds()/bestCPU[0].Seconds())
	fmt.Printf("(c)/(b) = %.2f wall, %.2f CPU   (diff with nothing changed next to a listing)\n", best[2].Seconds()/best[1].Seconds(), bestCPU[2].Seconds()/bestCPU[1].Seconds())
}

// floor is (a).
func floor(dir string, workers int) (int, error) {
	inbox := filepath.Join(dir, "INBOX")
	var msgs, flags []string
	for _, d := range []string{inbox, filepath.Join(inbox, m2dir.MetaDir)} {
		f, err := os.Open(d)
		if err != nil {
			return 0, err
		}
		des, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return 0, err
		}
		for _, de := range des {
			switch {
			case de.IsDir() || de.Name()[0] == '.':
			case d == inbox:
				msgs = append(msgs, filepath.Join(d, de.Name()))
			case strings.HasSuffix(de.Name(), m2dir.FlagsSuffix):
				flags = append(flags, filepath.Join(d, de.Name()))
			}
		}
	}
	paths := append(msgs, flags...)
	err := parallel(len(paths), workers, func() []byte { return make([]byte, 8<<10) }, func(buf []byte, i int) error {
		f, err := os.Open(paths[i])
		if err != nil {
			return err
		}
		k, err := f.Read(buf)
		f.Close()
		if err != nil {
			return err
		}
		if i < len(msgs) {
			header.End(buf[:k])
		}
		return nil
	})
	return len(msgs), err
}

// driverFloor is (d): the floor's listing and reads, as one batch of
// requests performed by the client's file driver, without any machine.
func driverFloor(ctx context.Context, d *client.FileDriver, dir string) (int, error) {
	inbox := filepath.ToSlash(filepath.Join(dir, "INBOX"))
	res := d.Do(ctx, []coroutine.FileRequest{coroutine.List(inbox), coroutine.List(inbox + "/" + m2dir.MetaDir)})
	var reqs []coroutine.FileRequest
	n := 0
	for i, r := range res {
		if r.Err != nil {
			return 0, r.Err
		}
		for _, e := range r.Entries {
			if e.IsDir || e.Name[0] == '.' {
				continue
			}
			if i == 0 {
				n++
				reqs = append(reqs, coroutine.ReadHead(inbox+"/"+e.Name, 8<<10))
			} else {
				reqs = append(reqs, coroutine.ReadHead(inbox+"/"+m2dir.MetaDir+"/"+e.Name, 64<<10))
			}
		}
	}
	for _, r := range d.Do(ctx, reqs) {
		if r.Err != nil {
			return 0, r.Err
		}
	}
	return n, nil
}

// parallel runs do(i) for every i below n on workers goroutines; each worker
// has its own state from newState.
func parallel[S any](n, workers int, newState func() S, do func(s S, i int) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int, 1024)
	for range workers {
		s := newState()
		wg.Go(func() {
			for i := range next {
				if err := do(s, i); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// cpuTime returns the user + system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
