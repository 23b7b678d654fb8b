// Command maildir compares, in one process and on one generated Maildir, the
// time to list every envelope of a folder three ways:
//
//	(a) floor:   list new/ and cur/, open each directory once, then for
//	             each file openat(2) relative to its directory, one read(2)
//	             of 8 KiB, close(2), and find the end of its header;
//	(b) ours:    client.New().WithMaildir(...).ListEnvelopes of the whole
//	             folder (keys and flags from the names, envelope from the
//	             head through internal/header, sorted by date);
//	(c) common:  read the directories, then go-message's textproto.ReadHeader
//	             and mail.Header decoding of Subject, From, To, Date and
//	             Message-ID for each file, then a sort by date.
//
// (a) and (c) run on as many goroutines as client.FileDriver uses. The
// runs take turns for -rounds rounds, with a warm page cache or, with
// -cold, after emptying it before every run. It prints each round's wall
// and process CPU time (getrusage), then for (b)/(a) and (c)/(b) each
// round's ratio and the median. Goals: (b)/(a) <= 1.2 and (c)/(b) >= 2.
//
// Usage, from the bench directory:
//
//	go run ./maildir [-n 100000] [-rounds 7] [-cold fadvise|drop] [-dir d] [-cpuprofile f] [-diag]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/ioemail/ioemail/bench/internal/harness"
	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
	"github.com/ioemail/ioemail/maildir"
)

func main() {
	n := flag.Int("n", 100000, "number of messages")
	dir := flag.String("dir", "", "Maildir to use (default: a directory under the temp dir named for -n)")
	nrounds := flag.Int("rounds", 7, "rounds: each run once per round; the median ratio counts")
	cold := flag.String("cold", "", "empty the page cache of the Maildir before every run: fadvise (posix_fadvise DONTNEED per file) or drop (/proc/sys/vm/drop_caches, root)")
	workers := flag.Int("workers", 0, "goroutines for (a) and (c); 0 means what client.FileDriver uses")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of (b) to this file")
	diag := flag.Bool("diag", false, "also time (d): (a) with header.Scan in its workers, (e): (a) with os.Open, (f): (a) with an fstat per file, and header.Scan alone")
	flag.Parse()
	log.SetFlags(0)
	if *dir == "" {
		*dir = filepath.Join(os.TempDir(), fmt.Sprintf("ioemail-bench-maildir-%d", *n))
	}
	if *workers <= 0 {
		*workers = max(4, 2*runtime.GOMAXPROCS(0)) // as client.NewFileDriver(0)
	}

	if err := ensureMaildir(*dir, *n); err != nil {
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
	fmt.Printf("%d messages, %d workers, %d rounds, %s\n", *n, *workers, *nrounds, cache)

	ctx := context.Background()
	c := client.New().WithMaildir(maildir.Store{Root: *dir})
	runs := []harness.Run{
		{Name: "(a) floor: openat + read 8 KiB + header end", Do: func() (int, error) { return floor(*dir, *workers) }},
		{Name: "(b) ours: client ListEnvelopes", Do: func() (int, error) {
			envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			return len(envs), err
		}},
		{Name: "(c) common: go-message ReadHeader + mail.Header", Do: func() (int, error) { return common(*dir, *workers) }},
	}
	if *diag {
		runs = append(runs,
			harness.Run{Name: "(d) diag: (a) + header.Scan in the workers", Do: func() (int, error) { return floorScan(*dir, *workers) }},
			harness.Run{Name: "(e) diag: (a) with os.Open and full paths", Do: func() (int, error) { return floorOS(*dir, *workers) }},
			harness.Run{Name: "(f) diag: (a) + fstat per file", Do: func() (int, error) { return floorStat(*dir, *workers) }})
	}
	res, err := harness.Measure(runs, opts)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		fmt.Printf("%s  (%d messages)\n", r.Summary(50, r.Count), r.Count)
	}
	if *diag {
		if err := scanAlone(*dir); err != nil {
			log.Fatal(err)
		}
		harness.Compare(res[3], res[0], "what a listing that scans in its workers could reach")
		harness.Compare(res[4], res[0], "the old floor: os.Open with full paths")
		harness.Compare(res[5], res[0], "what the fstat for Received costs")
		harness.Compare(res[1], res[3], "ours against the floor that also parses: the rest of the listing")
	}
	harness.Compare(res[1], res[0], "goal <= 1.2, "+cache)
	harness.Compare(res[2], res[1], "goal >= 2, "+cache)
}

// names lists the message files of new/ and cur/, as paths.
func names(dir string) ([]string, error) {
	var out []string
	for _, sub := range []string{"new", "cur"} {
		des, err := os.ReadDir(filepath.Join(dir, sub))
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

// openDirs opens and lists new/ and cur/ for the floors.
func openDirs(dir string) ([]harness.Dir, error) {
	var dirs []harness.Dir
	for _, sub := range []string{"new", "cur"} {
		d, err := harness.OpenDir(filepath.Join(dir, sub), nil)
		if err != nil {
			closeDirs(dirs)
			return nil, err
		}
		dirs = append(dirs, d)
	}
	return dirs, nil
}

func closeDirs(dirs []harness.Dir) {
	for _, d := range dirs {
		d.Close()
	}
}

// floor is (a): list, then openat + one read of 8 KiB + close per file,
// and the header end.
func floor(dir string, workers int) (int, error) {
	dirs, err := openDirs(dir)
	if err != nil {
		return 0, err
	}
	defer closeDirs(dirs)
	ends := [2][]int{make([]int, len(dirs[0].Names)), make([]int, len(dirs[1].Names))}
	err = harness.ReadDirs(dirs, workers, func(d, i int, head []byte) { ends[d][i] = header.End(head) })
	return len(ends[0]) + len(ends[1]), err
}

// readHeads reads, on workers goroutines with an 8 KiB buffer each, the
// head of each of paths with read, and hands it to use with its index.
func readHeads(paths []string, workers int, read func(path string, buf []byte) ([]byte, error), use func(i int, head []byte)) error {
	return harness.Parallel(len(paths), workers, func() []byte { return make([]byte, 8<<10) }, func(buf []byte, i int) error {
		head, err := read(paths[i], buf)
		if err != nil {
			return err
		}
		use(i, head)
		return nil
	})
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
	err = harness.Parallel(len(paths), workers, func() struct{} { return struct{}{} }, func(_ struct{}, i int) error {
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
