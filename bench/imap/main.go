// Command imap compares listing envelopes with this library's IMAP client
// against go-imap v2's imapclient, in one process:
//
//  1. parse cost per message: both clients list the same recorded Dovecot
//     UID FETCH (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE) responses,
//     replayed by a loopback server in this process (the kernel hands
//     them over in chunks); ns, CPU time, allocations and bytes per
//     message;
//  2. end to end: both list every envelope of a 10,000-message mailbox of
//     the loopback Dovecot (STARTTLS), one after the other, best of
//     -rounds.
//
// Run it from the bench directory: go run ./imap [-rounds 5]. Part 2 is
// skipped, with a message, when Dovecot is absent. The first run against
// Dovecot fills the mailbox (-box, default bench-10k); later runs reuse it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"mime"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"

	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

var (
	peersFile = flag.String("peers", "/tmp/mailpeers/peers.env", "peers file of the loopback Dovecot")
	user      = flag.String("user", "alice", "IMAP user")
	pass      = flag.String("pass", "alicepass", "IMAP password")
	box       = flag.String("box", "bench-10k", "Dovecot mailbox for part 2 (filled once)")
	n         = flag.Int("n", 10000, "messages in the Dovecot mailbox")
	nRounds   = flag.Int("rounds", 5, "timed rounds of each client (each round's ratio and the median are printed)")
	seed      = flag.Uint64("seed", 1, "seed of the generated messages")
	recording = flag.String("recording", "imap/testdata/dovecot-fetch.txt.gz", "recorded FETCH responses for part 1")
	recordN   = flag.Int("record-n", 2000, "messages to record with -record")
	doRecord  = flag.Bool("record", false, "record -recording from Dovecot (the first -record-n messages of -box), then measure")
	skipE2E   = flag.Bool("skip-e2e", false, "skip part 2")
	cpuprof   = flag.String("cpuprofile", "", "write a CPU profile of part 1 to this file")
	memprof   = flag.String("memprofile", "", "write an allocation profile of part 1 (every allocation sampled) to this file")
)

// wordDecoder decodes RFC 2047 words in every charset go-message knows,
// as imapclient's documentation recommends; ours does the same.
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

func main() {
	flag.Parse()
	log.SetFlags(0)
	if *memprof != "" {
		runtime.MemProfileRate = 1
	}
	p, perr := loadPeers(*peersFile)
	if p != nil {
		ensureMailbox(p, *box, *n)
	}
	if _, err := os.Stat(*recording); *doRecord || err != nil {
		if p == nil {
			log.Fatalf("no recording at %s and no Dovecot to record from: %v", *recording, perr)
		}
		record(p, *box, *recordN, *recording)
	}
	fmt.Println(rounds.Settings())
	fmt.Println()
	parseCost()
	fmt.Println()
	if *skipE2E {
		return
	}
	if p == nil {
		fmt.Printf("2. end to end against Dovecot: SKIPPED, Dovecot is absent (%v)\n", perr)
		return
	}
	endToEnd(p)
}

// sample is what one timed listing cost.
type sample struct {
	wall, cpu     time.Duration
	allocs, bytes uint64
	count         int
}

// best keeps the least of each figure over rounds.
func (s *sample) best(t sample) {
	if s.count == 0 {
		*s = t
		return
	}
	s.wall, s.cpu = min(s.wall, t.wall), min(s.cpu, t.cpu)
	s.allocs, s.bytes = min(s.allocs, t.allocs), min(s.bytes, t.bytes)
}

// measure runs f once after a GC and returns its wall and CPU time (the
// whole process: for part 1 this includes the replay server, which only
// writes prepared bytes) and its heap allocations.
func measure(f func() int) sample {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, t0 := cpuTime(), time.Now()
	count := f()
	wall, cpu := time.Since(t0), cpuTime()-c0
	runtime.ReadMemStats(&m1)
	return sample{wall: wall, cpu: cpu, allocs: m1.Mallocs - m0.Mallocs, bytes: m1.TotalAlloc - m0.TotalAlloc, count: count}
}

// compare runs the ways in turn, a warm-up and -rounds timed rounds, so
// that each sees the same load, and returns the best figures of each and
// every round's figures (all[round][way]).
func compare(ways ...func() int) (best []sample, all [][]sample) {
	for _, f := range ways {
		f()
	}
	best = make([]sample, len(ways))
	for range *nRounds {
		round := make([]sample, len(ways))
		for i, f := range ways {
			round[i] = measure(f)
			best[i].best(round[i])
		}
		all = append(all, round)
	}
	return best, all
}

// printRounds prints, for each round, the ratio of ours (way 0) to
// imapclient (way 1) in wall and CPU time, then the median and range: the
// figures the README quotes.
func printRounds(name string, all [][]sample) {
	wall := rounds.Ratios{Name: name + ", ours/imapclient", Unit: "wall"}
	cpu := rounds.Ratios{Name: name + ", ours/imapclient", Unit: "CPU"}
	for _, r := range all {
		wall.Add(float64(r[0].wall), float64(r[1].wall))
		cpu.Add(float64(r[0].cpu), float64(r[1].cpu))
	}
	fmt.Print("   ")
	wall.Print(os.Stdout)
	fmt.Print("   ")
	cpu.Print(os.Stdout)
}

// theirsName labels imapclient's row.
const theirsName = "go-imap v2 imapclient (UID FETCH 1:*)"

func report(o, t sample, perMessage bool) {
	div := 1.0
	unit := ""
	if perMessage {
		div = float64(o.count)
		unit = "/message"
	}
	row := func(name string, s sample) {
		if perMessage {
			fmt.Printf("   %-44s %8.0f ns%s  CPU %8.0f ns  %6.1f allocs  %7.0f B   (%d envelopes)\n", name,
				float64(s.wall)/div, unit, float64(s.cpu)/div, float64(s.allocs)/div, float64(s.bytes)/div, s.count)
			return
		}
		fmt.Printf("   %-44s wall %8.1f ms  CPU %8.1f ms  %9d allocs  %6.1f MB   (%d envelopes)\n", name,
			ms(s.wall), ms(s.cpu), s.allocs, float64(s.bytes)/1e6, s.count)
	}
	row("ours (client.IMAPClient.ListEnvelopes)", o)
	row(theirsName, t)
	fmt.Printf("   ratio ours/imapclient: wall %.3f, CPU %.3f, allocs %.3f  (imapclient/ours: %.1fx wall, %.1fx CPU)\n",
		ratio(o.wall, t.wall), ratio(o.cpu, t.cpu), float64(o.allocs)/float64(t.allocs),
		ratio(t.wall, o.wall), ratio(t.cpu, o.cpu))
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// parseCost is part 1.
func parseCost() {
	data, uids := loadRecording(*recording)
	rp := newReplay(data, uids)
	addr := rp.serve()
	memS, mc := memSession(rp, 32<<10)
	ctx := context.Background()
	ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password(*user, *pass)})
	if err != nil {
		log.Fatal(err)
	}
	defer ic.Close()
	c, err := imapclient.DialInsecure(addr, &imapclient.Options{WordDecoder: wordDecoder})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(*user, *pass).Wait(); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		log.Fatal(err)
	}
	fl := dialFloor(addr)
	if *cpuprof != "" {
		stop := startCPUProfile(*cpuprof)
		defer stop()
	}
	res, all := compare(func() int { return listOurs(ctx, ic, "INBOX") }, func() int { return listTheirs(c, true) },
		func() int { return fl.fetch(len(data)) }, func() int { return listMemory(memS, mc) })
	o, t, f, mem := res[0], res[1], res[2], res[3]
	checkCounts(o, t, len(uids))
	checkCounts(mem, t, len(uids))
	if *memprof != "" {
		writeProfile(*memprof)
	}
	fmt.Printf("1. parse cost: %d recorded Dovecot FETCH responses (%d bytes, %.0f B/message) replayed on loopback, best of %d\n",
		len(uids), len(data), float64(len(data))/float64(len(uids)), *nRounds)
	report(o, t, true)
	printRounds("parse cost", all)
	checkSame(func() int { return listOurs(ctx, ic, "INBOX") }, func() int { return listTheirs(c, true) })
	per := func(d time.Duration) float64 { return float64(d) / float64(len(uids)) }
	fmt.Printf("   %-44s %8.0f ns/message  CPU %8.0f ns  %6.1f allocs\n", "floor (read the same bytes, parse nothing)", per(f.wall), per(f.cpu), float64(f.allocs)/float64(len(uids)))
	fmt.Printf("   %-44s %8.0f ns/message  CPU %8.0f ns  %6.1f allocs  %7.0f B\n", "ours, the imap.ListEnvelopes machine alone", per(mem.wall), per(mem.cpu), float64(mem.allocs)/float64(len(uids)), float64(mem.bytes)/float64(len(uids)))
	fmt.Printf("     (no socket: the same answers fed from memory in 32 KiB chunks; imapclient/this %.1fx wall)\n", ratio(t.wall, mem.wall))
	fmt.Printf("   above the floor: ours %.0f ns, imapclient %.0f ns wall (imapclient/ours %.1fx); CPU %.0f vs %.0f ns (%.1fx)\n",
		per(o.wall-f.wall), per(t.wall-f.wall), ratio(t.wall-f.wall, o.wall-f.wall),
		per(o.cpu-f.cpu), per(t.cpu-f.cpu), ratio(t.cpu-f.cpu, o.cpu-f.cpu))
}

// endToEnd is part 2.
func endToEnd(p *peers) {
	ctx := context.Background()
	ic, err := client.DialIMAP(ctx, "imap://"+p.addr, &client.Options{TLSConfig: p.tls, Auth: client.Password(*user, *pass)})
	if err != nil {
		log.Fatal(err)
	}
	defer ic.Close()
	c := dialTheirs(p)
	defer func() { c.Logout().Wait() }()
	if _, err := c.Select(*box, nil).Wait(); err != nil {
		log.Fatal(err)
	}
	// Dovecot's own share: the same SORT and FETCH on a raw connection,
	// reading the answers without parsing them.
	r := dialRaw(p, *box)
	defer r.conn.Close()
	res, all := compare(func() int { return listOurs(ctx, ic, *box) }, func() int { return listTheirs(c, false) },
		func() int { r.do("f", "UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE)", false); return 1 },
		func() int { r.do("o", "UID FETCH 1:* ("+oursItems+")", false); return 1 })
	o, t, fetchF, oursF := res[0], res[1], res[2], res[3]
	checkCounts(o, t, 0)
	fmt.Printf("2. end to end: every envelope of %s in Dovecot %s (STARTTLS), best of %d\n", *box, p.addr, *nRounds)
	report(o, t, false)
	printRounds("end to end", all)
	checkSame(func() int { return listOurs(ctx, ic, *box) }, func() int { return listTheirs(c, false) })
	fmt.Printf("   per message: ours %.2f us, imapclient %.2f us\n", float64(o.wall)/float64(o.count)/1e3, float64(t.wall)/float64(t.count)/1e3)
	fmt.Printf("   floor (raw TLS connection, answers read, not parsed): imapclient's UID FETCH 1:* %.1f ms wall (CPU %.1f ms); ours' UID FETCH 1:* %.1f ms (CPU %.1f ms)\n",
		ms(fetchF.wall), ms(fetchF.cpu), ms(oursF.wall), ms(oursF.cpu))
}

func checkCounts(o, t sample, want int) {
	if o.count != t.count || (want > 0 && o.count != want) {
		log.Fatalf("listings differ: ours %d envelopes, imapclient %d, want %d", o.count, t.count, want)
	}
}

// oursItems are the FETCH items of ours' listing (imap's listItems).
const oursItems = "UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)]"

// listOurs lists every envelope of box (SELECT when not selected yet, then
// NOOP and one UID FETCH 1:* of oursItems, sorted newest first locally).
func listOurs(ctx context.Context, ic *client.IMAPClient, box string) int {
	envs, err := ic.ListEnvelopes(ctx, box, email.ListOptions{})
	if err != nil {
		log.Fatal(err)
	}
	sink = envs
	return len(envs)
}

// sink keeps the last listing alive until the next one, as a caller would.
var sink []email.Envelope

// listTheirs runs UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE), with
// INTERNALDATE when internalDate is set, on the selected mailbox and
// converts every message, as it streams in, to the same email.Envelope
// ours returns.
func listTheirs(c *imapclient.Client, internalDate bool) int {
	cmd := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: internalDate})
	out := make([]email.Envelope, 0, 1024)
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			log.Fatal(err)
		}
		out = append(out, toEnvelope(buf))
	}
	if err := cmd.Close(); err != nil {
		log.Fatal(err)
	}
	sink = out
	return len(out)
}

// toEnvelope converts imapclient's FETCH data to an email.Envelope the way
// ours does: UID as id, flags classified (\Recent dropped), group markers
// skipped, the Message-ID without brackets.
func toEnvelope(m *imapclient.FetchMessageBuffer) email.Envelope {
	e := email.Envelope{ID: strconv.FormatUint(uint64(m.UID), 10), Size: m.RFC822Size}
	raw := make([]string, 0, len(m.Flags))
	for _, f := range m.Flags {
		if !strings.EqualFold(string(f), `\Recent`) { // session state, not a flag of the message; ours drops it too
			raw = append(raw, string(f))
		}
	}
	e.Flags = email.ParseFlags(raw...)
	if env := m.Envelope; env != nil {
		e.MessageID = email.NormalizeMessageID(env.MessageID)
		e.Subject = env.Subject
		e.From = addresses(env.From)
		e.To = addresses(env.To)
		e.Date = env.Date
	}
	return e
}

func addresses(as []imap.Address) []email.Address {
	out := make([]email.Address, 0, len(as))
	for _, a := range as {
		if a.IsGroupStart() || a.IsGroupEnd() {
			continue
		}
		out = append(out, email.Address{Name: a.Name, Email: a.Addr()})
	}
	return out
}
