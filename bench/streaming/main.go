// Command streaming measures the extra heap and wall time of streaming a
// large message through what streams today: Maildir and m2dir GetMessage
// and AddMessage, and SMTP SendMessageReader to go-smtp's server in this
// process, each against its plain anchor; and the local batch get
// (GetMessages of many files, and one GetMessage each) against os.Open +
// io.Copy of the same files. See README.md.
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/bench/internal/smtpsink"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
)

var (
	sizeMiB = flag.Int64("size", 100, "message size in MiB")
	nRounds = flag.Int("rounds", 5, "rounds of each pair")
	dir     = flag.String("dir", "", "directory for the stores (a temporary one when empty)")
	batch   = flag.Int("batch", 1000, "messages of the batch rows")
	only    = flag.String("only", "", "run only the rows whose name contains this")
	profile = flag.String("cpuprofile", "", "write a CPU profile of our side of every row to this file")
)

func main() {
	flag.Parse()
	size := *sizeMiB << 20
	root := *dir
	if root == "" {
		var err error
		if root, err = os.MkdirTemp("", "bench-streaming-"); err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(root)
	}
	fmt.Println(rounds.Settings())
	pairs := append(localPairs(root, size), smtpPair(size))
	pairs = append(pairs, batchPairs(root, *batch)...)
	fmt.Printf("%d MiB message, batches of %d, %d rounds; extra heap = bytes allocated during the call\n\n", *sizeMiB, *batch, *nRounds)
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	for _, p := range pairs {
		if strings.Contains(p.name, *only) {
			run(p)
		}
	}
	runIMAP(size) // imap.go
	runJMAP(size) // jmap.go
}

// pair is one operation, ours and its anchor, each returning the bytes it
// moved.
type pair struct {
	name         string
	anchorName   string
	ours, anchor func() (int64, error)
}

// measure runs f after a collection and returns its wall time and the
// bytes it allocated.
func measure(f func() (int64, error)) (time.Duration, uint64, int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t := time.Now()
	n, err := f()
	wall := time.Since(t)
	runtime.ReadMemStats(&after)
	if err != nil {
		log.Fatal(err)
	}
	return wall, after.TotalAlloc - before.TotalAlloc, n
}

func run(p pair) {
	fmt.Printf("%s (anchor: %s)\n", p.name, p.anchorName)
	r := rounds.Ratios{Name: p.name, Unit: "wall"}
	var heap, aheap uint64
	for round := range *nRounds {
		w, h, n := measure(p.ours)
		aw, ah, an := measure(p.anchor)
		if n != an {
			log.Fatalf("%s moved %d bytes, the anchor %d", p.name, n, an)
		}
		heap, aheap = max(heap, h), max(aheap, ah)
		ratio := r.Add(w.Seconds(), aw.Seconds())
		fmt.Printf("  round %d  ours %7.3f s %8.1f MiB heap   anchor %7.3f s %8.1f MiB heap   wall ratio %.2f\n",
			round+1, w.Seconds(), mib(h), aw.Seconds(), mib(ah), ratio)
	}
	fmt.Printf("  %s\n  most extra heap: ours %.1f MiB, anchor %.1f MiB\n\n", r.String(), mib(heap), mib(aheap))
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// message is a generated message of size bytes: a header and lines, made
// as it is read.
type message struct {
	size, off int64
}

var (
	msgHead = []byte("From: alice@example.test\r\nTo: bob@example.test\r\nBcc: carol@example.test\r\nSubject: big\r\n" +
		"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <big@example.test>\r\n\r\n")
	msgLine = []byte(".a line of the body, starting with a dot for dot-stuffing, long enough ....\r\n")
)

func (m *message) Read(p []byte) (int, error) {
	if m.off >= m.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && m.off < m.size {
		var k int
		if m.off < int64(len(msgHead)) {
			k = copy(p[n:], msgHead[m.off:])
		} else {
			k = copy(p[n:], msgLine[(m.off-int64(len(msgHead)))%int64(len(msgLine)):])
		}
		k = int(min(int64(k), m.size-m.off))
		n += k
		m.off += int64(k)
	}
	return n, nil
}

// localPairs are get and add on Maildir and m2dir.
func localPairs(root string, size int64) []pair {
	ctx := context.Background()
	md := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(filepath.Join(root, "maildir")), MaxMessageSize: size + 1}).Maildir()
	m2 := client.NewM2dir(m2dir.Store{Root: filepath.ToSlash(filepath.Join(root, "m2dir")), MaxMessageSize: size + 1}, nil)
	anchorDir := filepath.Join(root, "anchor")
	if err := os.MkdirAll(anchorDir, 0o700); err != nil {
		log.Fatal(err)
	}
	var out []pair
	for _, s := range []struct {
		name string
		st   client.Storage
	}{{"Maildir", md}, {"m2dir", m2}} {
		if err := s.st.CreateMailbox(ctx, "INBOX"); err != nil {
			log.Fatal(err)
		}
		id, err := s.st.AddMessage(ctx, "INBOX", &message{size: size}, nil)
		if err != nil {
			log.Fatal(err)
		}
		anchorFile := filepath.Join(anchorDir, "get")
		if _, err := addAnchor(anchorDir, anchorFile, size)(); err != nil {
			log.Fatal(err)
		}
		var ids []string
		out = append(out, pair{
			name: s.name + " GetMessage", anchorName: "os.Open + io.Copy",
			ours: func() (int64, error) {
				h := sha256.New()
				return s.st.GetMessage(ctx, "INBOX", id, h)
			},
			anchor: func() (int64, error) {
				f, err := os.Open(anchorFile)
				if err != nil {
					return 0, err
				}
				defer f.Close()
				return io.Copy(sha256.New(), f)
			},
		}, pair{
			name: s.name + " AddMessage", anchorName: "create + copy + fsync + rename",
			ours: func() (int64, error) {
				id, err := s.st.AddMessage(ctx, "INBOX", &message{size: size}, nil)
				ids = append(ids, id)
				if len(ids) > 1 { // keep the store small: drop the previous one
					err = s.st.DeleteMessages(ctx, "INBOX", ids[:1])
					ids = ids[1:]
				}
				return size, err
			},
			anchor: addAnchor(anchorDir, filepath.Join(anchorDir, "add"), size),
		})
	}
	return out
}

// addAnchor writes a message to a temporary file, syncs it and renames
// it to name, replacing the last one.
func addAnchor(dir, name string, size int64) func() (int64, error) {
	return func() (int64, error) {
		f, err := os.CreateTemp(dir, "tmp-")
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(f, &message{size: size})
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), name)
		}
		return n, err
	}
}

// smtpPair is our SendMessageReader against go-smtp's client, both to
// go-smtp's server in this process (whose reading counts for both).
func smtpPair(size int64) pair {
	addr := smtpsink.Start()
	ctx := context.Background()
	sc, err := client.DialSMTP(ctx, "smtp://"+addr, &client.Options{AllowPlaintext: true})
	if err != nil {
		log.Fatal(err)
	}
	gc, err := gosmtp.Dial(addr)
	if err != nil {
		log.Fatal(err)
	}
	if err := gc.Hello("bench.example.test"); err != nil {
		log.Fatal(err)
	}
	rcpts := []string{"bob@example.test", "carol@example.test"}
	return pair{
		name: "SMTP SendMessageReader", anchorName: "go-smtp client SendMail",
		ours: func() (int64, error) {
			_, err := sc.SendMessageReader(ctx, &message{size: size}, size, email.SendOptions{})
			return size, err
		},
		anchor: func() (int64, error) {
			return size, gc.SendMail("alice@example.test", rcpts, &message{size: size})
		},
	}
}
