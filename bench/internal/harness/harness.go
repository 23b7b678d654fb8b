// Package harness holds what the local-store bench programs share to time
// their runs: each round's wall and CPU time, the process's CPU clock, the
// per-round ratios of ours to the floor (through bench/internal/rounds), a
// worker pool for the floors, the floor's raw read of a file's head, and
// the cold-cache preparation.
package harness

import (
	"cmp"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ioemail/ioemail/bench/internal/rounds"
)

// CPUTime returns the user + system CPU time the process has used, from
// getrusage(2); 0 if it cannot be read.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Best is the best wall time and the best CPU time of the rounds added to
// it, each the minimum on its own.
type Best struct {
	Wall, CPU time.Duration
	rounds    int
}

// Add counts one round that took wall and cpu.
func (b *Best) Add(wall, cpu time.Duration) {
	if b.rounds == 0 || wall < b.Wall {
		b.Wall = wall
	}
	if b.rounds == 0 || cpu < b.CPU {
		b.CPU = cpu
	}
	b.rounds++
}

// Time runs f once and returns the wall and CPU time it took.
func Time(f func()) (wall, cpu time.Duration) {
	c0 := CPUTime()
	t := time.Now()
	f()
	return time.Since(t), CPUTime() - c0
}

// Run is one measured way of doing the work.
type Run struct {
	// Name names the run in its summary, as "(a) floor: ...": its first
	// word is its label on each round's line and in ratios.
	Name string
	// Do does the work once and returns how many items it handled, which
	// must be the same every time.
	Do func() (int, error)
}

// Options says how Measure runs.
type Options struct {
	// Rounds is how many times each run is timed; the best counts.
	Rounds int
	// CPUProfile, when set, is a file to which Measure writes a CPU
	// profile of Rounds untimed runs of Runs[Profile], before the rounds.
	CPUProfile string
	// Profile is the index of the run to profile.
	Profile int
	// Before, when set, runs (untimed) before each timed run: the
	// cold-cache rounds drop the tree's pages there.
	Before func() error
}

// Result is what Measure found for one run.
type Result struct {
	Best
	// Name is the run's name, Label its first word.
	Name, Label string
	// Count is how many items the run handled.
	Count int
	// Walls and CPUs are the times of each round, in order.
	Walls, CPUs []time.Duration
}

// Measure runs each run once untimed (to warm the page cache and the
// allocator), writes the CPU profile if asked, then times o.Rounds rounds
// in which the runs take turns, each after a garbage collection, and
// prints each round's times; o.Before runs before each timed run. It fails when a run fails or handles another
// count than in the untimed pass.
func Measure(runs []Run, o Options) ([]Result, error) {
	res := make([]Result, len(runs))
	for i, r := range runs {
		res[i].Name = r.Name
		res[i].Label, _, _ = strings.Cut(r.Name, " ")
		var err error
		if res[i].Count, err = r.Do(); err != nil {
			return nil, err
		}
	}
	if o.CPUProfile != "" {
		if err := profile(o.CPUProfile, o.Rounds, runs[o.Profile].Do); err != nil {
			return nil, err
		}
	}
	for round := range o.Rounds {
		for i, r := range runs {
			if o.Before != nil {
				if err := o.Before(); err != nil {
					return nil, err
				}
			}
			runtime.GC()
			var k int
			var err error
			wall, cpu := Time(func() { k, err = r.Do() })
			if err != nil {
				return nil, err
			}
			if k != res[i].Count {
				return nil, fmt.Errorf("run %s found %d, then %d", res[i].Label, res[i].Count, k)
			}
			res[i].Add(wall, cpu)
			res[i].Walls = append(res[i].Walls, wall)
			res[i].CPUs = append(res[i].CPUs, cpu)
			fmt.Printf("  round %d %-4s %8.3f s wall %8.3f s CPU\n", round+1, res[i].Label, wall.Seconds(), cpu.Seconds())
		}
	}
	return res, nil
}

// profile writes a CPU profile of rounds runs of do to the file path.
func profile(path string, rounds int, do func() (int, error)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	for range rounds {
		if _, err := do(); err != nil {
			return err
		}
	}
	return nil
}

// Summary is the start of a result's line: its name padded to width, the
// best wall time, the wall time per item for per items, and the best CPU
// time.
func (r Result) Summary(width, per int) string {
	return fmt.Sprintf("%-*s %8.3f s  %6.2f us/msg  CPU %8.3f s", width, r.Name,
		r.Wall.Seconds(), float64(r.Wall.Microseconds())/float64(per), r.CPU.Seconds())
}

// Ratio prints the ratio of a's best times to b's, wall and CPU, as
// "(b)/(a) = 1.02 wall, 0.98 CPU   (note)".
func Ratio(a, b Result, note string) {
	fmt.Printf("%s/%s = %.2f wall, %.2f CPU   (%s)\n", a.Label, b.Label, a.Wall.Seconds()/b.Wall.Seconds(), a.CPU.Seconds()/b.CPU.Seconds(), note)
}

// Compare prints, wall then CPU, the ratio of ours to anchor in each round
// and their median and range (see rounds.Ratios), as
// "(b)/(a) (wall): rounds 1.02 0.97 1.10 -> median 1.02 [0.97-1.10]   (note)",
// and returns the two medians.
func Compare(ours, anchor Result, note string) (wall, cpu float64) {
	name := ours.Label + "/" + anchor.Label
	w, c := rounds.Ratios{Name: name, Unit: "wall"}, rounds.Ratios{Name: name, Unit: "CPU"}
	for i := range min(len(ours.Walls), len(anchor.Walls)) {
		w.Add(ours.Walls[i].Seconds(), anchor.Walls[i].Seconds())
		c.Add(ours.CPUs[i].Seconds(), anchor.CPUs[i].Seconds())
	}
	fmt.Printf("%s   (%s)\n%s\n", w.String(), note, c.String())
	return w.Median(), c.Median()
}

// Parallel runs do(s, i) for every i below n on workers goroutines; each
// worker has its own state s from newState. It returns the first error.
func Parallel[S any](n, workers int, newState func() S, do func(s S, i int) error) error {
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

// ReadHead is the floor's read: it opens the file path, reads once into
// buf, closes it, and returns what it read.
func ReadHead(path string, buf []byte) ([]byte, error) {
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
