// Command sync compares the two-way sync of examples/sync (package
// client/mailsync) with isync's mbsync on the same work, in one run, each
// with its own pair: a mailbox on a private Dovecot started here (so the
// shared one is not loaded with 10,000 messages) and an empty Maildir++
// tree.
//
// Three scenarios, each round in both orders in turn, after an untimed
// warm-up sync of each pair (Dovecot indexes the mailbox then):
//
//   - initial: the -n messages from Dovecot to an empty Maildir (goal:
//     faster than mbsync);
//   - unchanged: the same sync again with nothing changed (goal: at most
//     mbsync's time);
//   - changes: 100 changes on each side (50 flags, 25 deletions, 25 new
//     messages on Dovecot and in the Maildir), then a sync.
//
// Both run as processes over plain IMAP on loopback (no TLS, so neither
// pays for it); the figures are wall time and the process's CPU time
// (Dovecot's is not counted). Each round's ratio (ours / mbsync) and the
// median are printed by bench/internal/rounds.
//
// Run it as root (the private Dovecot switches to the mail user) from
// bench/:
//
//	go run ./sync            # 10,000 messages, 3 rounds
//	go run ./sync -n 1000 -rounds 5
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/internal/testpeers"
)

var (
	n        = flag.Int("n", 10000, "messages in each Dovecot mailbox")
	nRounds  = flag.Int("rounds", 3, "timed rounds of each scenario")
	seed     = flag.Uint64("seed", 1, "seed of the generated messages and changes")
	cpuProf  = flag.String("cpuprofile", "", "instead of the comparison, profile our initial, unchanged and changes syncs in process into `prefix`.initial.1, prefix.unchanged.N and prefix.changes.N")
	keepTemp = flag.Bool("keep", false, "keep the temporary directory (Maildirs, states, logs)")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	fmt.Println(rounds.Settings())
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at start: %s", la)
	}
	if _, err := exec.LookPath("mbsync"); err != nil {
		log.Fatal("mbsync (isync) is not installed: apt-get install isync")
	}
	tb := &benchTB{}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		tb.fail("interrupted")
	}()
	if err := bench(tb); err != nil {
		tb.fail(err.Error())
	}
	tb.close()
}

func bench(tb *benchTB) error {
	dir, err := os.MkdirTemp("", "bench-sync-")
	if err != nil {
		return err
	}
	if *keepTemp {
		fmt.Println("keeping", dir)
	} else {
		tb.Cleanup(func() { os.RemoveAll(dir) })
	}
	d := testpeers.StartDovecot(tb)
	start := time.Now()
	for _, box := range []string{"ours", "theirs"} {
		if err := fillBox(d.Dir, box, *n, *seed); err != nil {
			return err
		}
	}
	fmt.Printf("private Dovecot on %s: 2 mailboxes of %d messages written in %v\n", d.Addr, *n, time.Since(start).Round(time.Millisecond))

	bin := filepath.Join(dir, "sync")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ioemail/ioemail/examples/sync").CombinedOutput(); err != nil {
		return fmt.Errorf("go build examples/sync: %v\n%s", err, out)
	}
	mb, err := mbsync(dir, d.Addr, "theirs")
	if err != nil {
		return err
	}
	tools := []*tool{ours(dir, bin, d.Addr, "ours"), mb}
	if *cpuProf != "" {
		tools = tools[:1]
	}
	for _, t := range tools {
		if err := t.reset(); err != nil {
			return err
		}
		tm, err := t.run()
		if err != nil {
			return err
		}
		if err := check(t, d.Addr); err != nil {
			return err
		}
		fmt.Printf("warm-up %-6s initial sync %v\n", t.name, tm.wall.Round(time.Millisecond))
	}
	if *cpuProf != "" {
		return profileOurs(tools[0], d.Addr, *cpuProf)
	}

	names := []string{"initial", "unchanged", "changes"}
	wall, cpu := map[string]*rounds.Ratios{}, map[string]*rounds.Ratios{}
	for _, s := range names {
		what := fmt.Sprintf("%s sync of %d messages, ours/mbsync", s, *n)
		wall[s] = &rounds.Ratios{Name: what, Unit: "wall"}
		cpu[s] = &rounds.Ratios{Name: what, Unit: "CPU"}
	}
	for r := range *nRounds {
		order := tools
		if r%2 == 1 {
			order = []*tool{tools[1], tools[0]}
		}
		got := map[string]map[string]timing{}
		for _, t := range order {
			got[t.name] = map[string]timing{}
			if err := t.reset(); err != nil {
				return err
			}
			for _, s := range names {
				if s == "changes" {
					// The same changes on both pairs: the same seeds.
					first := *n + 1000*(r+1)
					if err := changeDovecot(d.Addr, t.box, rand.New(rand.NewPCG(*seed, uint64(2*r))), first); err != nil {
						return fmt.Errorf("changes on Dovecot: %w", err)
					}
					if err := changeMaildir(filepath.Join(t.root, "."+t.box), rand.New(rand.NewPCG(*seed, uint64(2*r+1))), first+500); err != nil {
						return fmt.Errorf("changes in the Maildir: %w", err)
					}
				}
				tm, err := t.run()
				if err != nil {
					return err
				}
				if err := check(t, d.Addr); err != nil {
					return fmt.Errorf("after the %s sync: %w", s, err)
				}
				got[t.name][s] = tm
			}
		}
		var line strings.Builder
		fmt.Fprintf(&line, "round %d:", r+1)
		for _, s := range names {
			o, m := got["ours"][s], got["mbsync"][s]
			ratio := wall[s].Add(o.wall.Seconds(), m.wall.Seconds())
			cpu[s].Add(o.cpu.Seconds(), m.cpu.Seconds())
			fmt.Fprintf(&line, "  %s ours %v (cpu %v) mbsync %v (cpu %v) (%.2f)", s, o.wall.Round(time.Millisecond), o.cpu.Round(time.Millisecond),
				m.wall.Round(time.Millisecond), m.cpu.Round(time.Millisecond), ratio)
		}
		fmt.Println(line.String())
	}
	for _, s := range names {
		wall[s].Print(os.Stdout)
		cpu[s].Print(os.Stdout)
	}
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at end: %s", la)
	}
	return nil
}

// check fails unless t's Dovecot mailbox and Maildir folder hold the same
// number of messages.
func check(t *tool, addr string) error {
	imapN, mdN, err := count(addr, t.box, filepath.Join(t.root, "."+t.box))
	if err != nil {
		return fmt.Errorf("%s: counting: %w", t.name, err)
	}
	if imapN != mdN {
		return fmt.Errorf("%s: the pair differs: %d messages on Dovecot, %d in the Maildir", t.name, imapN, mdN)
	}
	return nil
}
