// Command m2dir measures, in one process and on one generated m2store
// whose INBOX holds -n messages (four in five with a flags file):
//
//	(a) floor:  list the folder and .meta, open each of the two directories
//	            once, then openat(2) each message relative to it, one
//	            read(2) of 8 KiB, close(2), and find the end of its header,
//	            and the same for each flags file: the least I/O an envelope
//	            listing with flags needs;
//	(b) ours:   m2dir ListEnvelopes of the whole folder through
//	            client.RunFiles (heads scanned by internal/header, flags
//	            parsed, sorted by date);
//	(c) diff:   m2dir DiffEnvelopes from the state of a previous diff, with
//	            nothing changed, counting the FileRead requests it makes
//	            (must be 0: listings and stats only).
//
// (a) runs on as many goroutines as client.FileDriver uses. The runs take
// turns for -rounds rounds, with a warm page cache or, with -cold, after
// emptying it before every run. It prints each round's wall and process
// CPU time, then (b)/(a) for each round and the median. Goal: (b)/(a) <= 1.2.
//
// Usage, from the bench directory:
//
//	go run ./m2dir [-n 100000] [-rounds 7] [-cold fadvise|drop] [-dir d] [-cpuprofile f] [-memprofile f] [-diag]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"

	"github.com/ioemail/ioemail/bench/internal/harness"
	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
	"github.com/ioemail/ioemail/m2dir"
)

func main() {
	n := flag.Int("n", 100000, "number of messages")
	dir := flag.String("dir", "", "store to use (default: a directory under the temp dir named for -n)")
	nrounds := flag.Int("rounds", 7, "rounds: each run once per round; the median ratio counts")
	cold := flag.String("cold", "", "empty the page cache of the store before every run: fadvise (posix_fadvise DONTNEED per file) or drop (/proc/sys/vm/drop_caches, root)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of (b) to this file")
	diag := flag.Bool("diag", false, "also time (d): the floor's reads as one batch through client.FileDriver")
	memprofile := flag.String("memprofile", "", "write a heap profile (allocations) of one untimed run of (b) to this file, then exit")
	flag.Parse()
	log.SetFlags(0)
	if *memprofile != "" {
		runtime.MemProfileRate = 512
	}
	if *dir == "" {
		*dir = filepath.Join(os.TempDir(), fmt.Sprintf("ioemail-bench-m2dir-%d", *n))
	}
	workers := max(4, 2*runtime.GOMAXPROCS(0)) // as client.NewFileDriver(0)

	if err := ensureStore(*dir, *n); err != nil {
		log.Fatal(err)
	}
	fmt.Println(rounds.Settings())
	cache := "warm cache"
	opts := harness.Options{Rounds: *nrounds, CPUProfile: *cpuprofile, Profile: 1}
	if *cold != "" {
		before, err := harness.Cold(*cold, *dir)
		if err != nil {
			log.Fatal(err)
		}
		opts.Before, cache = before, "cold cache ("+*cold+")"
	}
	fmt.Printf("%d messages, %d workers, %d rounds, %s\n", *n, workers, *nrounds, cache)

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

	listing := func() (int, error) {
		envs, err := client.RunFiles(ctx, driver, store.ListEnvelopes("INBOX", email.ListOptions{}))
		return len(envs), err
	}
	if *memprofile != "" {
		if err := memProfile(*memprofile, listing); err != nil {
			log.Fatal(err)
		}
		return
	}
	runs := []harness.Run{
		{Name: "(a) floor: list + openat 8 KiB heads + flags", Do: func() (int, error) { return floor(*dir, workers) }},
		{Name: "(b) ours: m2dir ListEnvelopes", Do: listing},
		{Name: "(c) diff, nothing changed", Do: func() (int, error) {
			reads.Store(0)
			requests.Store(0)
			d, err := coroutine.Run(store.DiffEnvelopes("INBOX", base.State), counting)
			if err == nil && !d.Empty() {
				err = fmt.Errorf("diff with nothing changed reported %+v", d)
			}
			return int(reads.Load()), err
		}},
	}
	if *diag {
		runs = append(runs, harness.Run{Name: "(d) diag: (a)'s reads through client.FileDriver", Do: func() (int, error) { return driverFloor(ctx, driver, *dir) }})
	}
	res, err := harness.Measure(runs, opts)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res[:2] {
		fmt.Printf("%s  (%d messages)\n", r.Summary(46, r.Count), r.Count)
	}
	fmt.Printf("%s  (%d FileRead, %d requests)\n", res[2].Summary(46, *n), res[2].Count, requests.Load())
	if *diag {
		fmt.Println(res[3].Summary(46, *n))
		harness.Compare(res[3], res[0], "the driver's share of the gap")
	}
	harness.Compare(res[1], res[0], "goal <= 1.2, "+cache)
	harness.Ratio(res[2], res[1], "diff with nothing changed next to a listing")
}

// memProfile runs do once and writes the heap profile to path (main
// samples one allocation in 512 bytes when -memprofile is set): `go tool
// pprof -sample_index=alloc_space -focus=RunFiles` shows where a listing
// allocates.
func memProfile(path string, do func() (int, error)) error {
	if _, err := do(); err != nil {
		return err
	}
	runtime.GC() // publishes the run's allocations in the profile
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

// floor is (a).
func floor(dir string, workers int) (int, error) {
	inbox := filepath.Join(dir, "INBOX")
	msgs, err := harness.OpenDir(inbox, nil)
	if err != nil {
		return 0, err
	}
	defer msgs.Close()
	flags, err := harness.OpenDir(filepath.Join(inbox, m2dir.MetaDir), func(name string) bool { return strings.HasSuffix(name, m2dir.FlagsSuffix) })
	if err != nil {
		return 0, err
	}
	defer flags.Close()
	ends := make([]int, len(msgs.Names))
	err = harness.ReadDirs([]harness.Dir{msgs, flags}, workers, func(d, i int, head []byte) {
		if d == 0 {
			ends[i] = header.End(head)
		}
	})
	return len(ends), err
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
