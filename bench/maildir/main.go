// Command maildir compares, in one process and on one generated Maildir, the
// time to list every envelope of a folder three ways:
//
//	(a) floor:   list new/ and cur/, then open each file, read its first
//	             8 KiB and find the end of its header, nothing more;
//	(b) ours:    client.New().WithMaildir(...).ListEnvelopes of the whole
//	             folder (keys and flags from the names, envelope from the
//	             head through internal/header, sorted by date);
//	(c) common:  read the directories, then go-message's textproto.ReadHeader
//	             and mail.Header decoding of Subject, From, To, Date and
//	             Message-ID for each file, then a sort by date.
//
// (a) and (c) run on as many goroutines as client.FileDriver uses. Each is
// run -rounds times, alternating, with a warm page cache; the best time of
// each counts. It prints wall time and the process's CPU time (user +
// system, from getrusage), which a machine shared with other work disturbs
// less. Goals: (b)/(a) <= 1.2 and (c)/(b) >= 2.
//
// Usage, from the bench directory:
//
//	go run ./maildir [-n 100000] [-dir /tmp/ioemail-bench-maildir-100000] [-rounds 3]
package main

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
	"github.com/ioemail/ioemail/maildir"
)

func main() {
	n := flag.Int("n", 100000, "number of messages")
	dir := flag.String("dir", "", "Maildir to use (default: a directory under the temp dir named for -n)")
	rounds := flag.Int("rounds", 3, "times each measurement runs; the best counts")
	workers := flag.Int("workers", 0, "goroutines for (a) and (c); 0 means what client.FileDriver uses")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of (b) to this file")
	diag := flag.Bool("diag", false, "also time (d): (a) with header.Scan in its workers, (e): (a) with raw system calls, (f): our machine with a prototype raw driver, and header.Scan alone")
	flag.Parse()
	log.SetFlags(0)
	if *dir == "" {
		*dir = filepath.Join(os.TempDir(), fmt.Sprintf("ioemail-bench-maildir-%d", *n))
	}
	if *workers <= 0 {
		*workers = max(4, 2*runtime.GOMAXPROCS(0)) // as client.NewFileDriver(0)
	}

	start := time.Now()
	reused, err := ensureMaildir(*dir, *n)
	if err != nil {
		log.Fatal(err)
	}
	if reused {
		fmt.Printf("reusing %s (%d messages)\n", *dir, *n)
	} else {
		fmt.Printf("generated %s (%d messages) in %v\n", *dir, *n, time.Since(start).Round(time.Millisecond))
	}
	fmt.Printf("GOMAXPROCS %d, %d workers, %d rounds\n", runtime.GOMAXPROCS(0), *workers, *rounds)

	ctx := context.Background()
	c := client.New().WithMaildir(maildir.Store{Root: *dir})
	labels := []string{"(a)", "(b)", "(c)", "(d)", "(e)", "(f)"}
	best := [6]time.Duration{}
	bestCPU := [6]time.Duration{}
	counts := [6]int{}
	runs := []func() (int, error){
		func() (int, error) { return floor(*dir, *workers) },
		func() (int, error) {
			envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			return len(envs), err
		},
		func() (int, error) { return common(*dir, *workers) },
	}
	if *diag {
		runs = append(runs,
			func() (int, error) { return floorScan(*dir, *workers) },
			func() (int, error) { return floorRaw(*dir, *workers) },
			func() (int, error) { return oursRaw(c.Maildir().Store(), *workers) })
	}
	// One untimed pass warms the page cache and the allocator.
	for i, run := range runs {
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
			if k != counts[i] {
				log.Fatalf("run %d found %d messages, then %d", i, counts[i], k)
			}
			if r == 0 || d < best[i] {
				best[i] = d
			}
			if r == 0 || cpu < bestCPU[i] {
				bestCPU[i] = cpu
			}
			fmt.Printf("  round %d %-7s %8.3f s wall %8.3f s CPU\n", r+1, labels[i], d.Seconds(), cpu.Seconds())
		}
	}
	for i, name := range []string{"(a) floor: open + read 8 KiB + header end", "(b) ours: client ListEnvelopes", "(c) common: go-message ReadHeader + mail.Header", "(d) diag: (a) + header.Scan in the workers", "(e) diag: (a) with raw open/read/close", "(f) diag: our machine, prototype raw driver"}[:len(runs)] {
		fmt.Printf("%-50s %8.3f s  %6.2f us/msg  CPU %8.3f s  (%d messages)\n", name, best[i].Seconds(), float64(best[i].Microseconds())/float64(counts[i]), bestCPU[i].Seconds(), counts[i])
	}
	if *diag {
		if err := scanAlone(*dir); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("(d)/(a) = %.2f wall, %.2f CPU   (what a listing that scans in its workers could reach)\n", best[3].Seconds()/best[0].Seconds(), bestCPU[3].Seconds()/bestCPU[0].Seconds())
		fmt.Printf("(e)/(a) = %.2f wall, %.2f CPU   (what raw system calls save)\n", best[4].Seconds()/best[0].Seconds(), bestCPU[4].Seconds()/bestCPU[0].Seconds())
		fmt.Printf("(f)/(a) = %.2f wall, %.2f CPU   (our machine with a leaner driver)\n", best[5].Seconds()/best[0].Seconds(), bestCPU[5].Seconds()/bestCPU[0].Seconds())
	}
	fmt.Printf("(b)/(a) = %.2f wall, %.2f CPU   (goal <= 1.2)\n", best[1].Seconds()/best[0].Seconds(), bestCPU[1].Seconds()/bestCPU[0].Seconds())
	fmt.Printf("(c)/(b) = %.2f wall, %.2f CPU   (goal >= 2)\n", best[2].Seconds()/best[1].Seconds(), bestCPU[2].Seconds()/bestCPU[1].Seconds())
}

// names lists the message files of new/ and cur/, as paths.
func names(dir string) ([]string, error) {
	var out []string
	for _, sub := range []string{"new", "cur"} {
		f, err := os.Open(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		des, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, de := range des {
			if !de.IsDir() && de.Name()[0] != '.' {
				out = append(out, filepath.Join(dir, sub, de.Name()))
			}
		}
	}
	return out, nil
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

// floor is (a): open, read the first 8 KiB, find the header end.
func floor(dir string, workers int) (int, error) {
	paths, err := names(dir)
	if err != nil {
		return 0, err
	}
	ends := make([]int, len(paths))
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
		ends[i] = header.End(buf[:k])
		return nil
	})
	return len(paths), err
}

type entry struct {
	subject, messageID string
	from, to           []*mail.Address
	date               time.Time
}

// common is (c): the way Go programs commonly list a Maildir today.
func common(dir string, workers int) (int, error) {
	paths, err := names(dir)
	if err != nil {
		return 0, err
	}
	out := make([]entry, len(paths))
	err = parallel(len(paths), workers, func() struct{} { return struct{}{} }, func(_ struct{}, i int) error {
		f, err := os.Open(paths[i])
		if err != nil {
			return err
		}
		defer f.Close()
		h, err := textproto.ReadHeader(bufio.NewReader(f))
		if err != nil {
			return fmt.Errorf("%s: %w", paths[i], err)
		}
		mh := mail.Header{Header: message.Header{Header: h}}
		e := &out[i]
		e.subject, _ = mh.Subject()
		e.from, _ = mh.AddressList("From")
		e.to, _ = mh.AddressList("To")
		e.date, _ = mh.Date()
		e.messageID, _ = mh.MessageID()
		return nil
	})
	slices.SortFunc(out, func(a, b entry) int { return b.date.Compare(a.date) })
	return len(out), err
}
