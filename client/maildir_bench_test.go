package client_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
	"github.com/ioemail/ioemail/maildir"
)

const mdBenchMessages = 20000

// mdBenchTree writes a maildir of mdBenchMessages messages with realistic
// headers (a few Received lines, DKIM, encoded words).
func mdBenchTree(b *testing.B) string {
	dir := b.TempDir()
	{
		c := client.New().WithMaildir(maildir.Store{Root: dir})
		ctx := context.Background()
		if err := c.CreateMailbox(ctx, "INBOX"); err != nil {
			b.Fatal(err)
		}
		for i := range mdBenchMessages {
			var sb strings.Builder
			for j := range 4 {
				fmt.Fprintf(&sb, "Received: from relay%d.example.net (relay%d.example.net [192.0.2.%d])\r\n\tby mx.example.org with ESMTPS id %08x\r\n\tfor <bob@example.org>; Mon, 1 Jan 2024 10:%02d:00 +0000\r\n", j, j, i%250, i*7+j, i%60)
			}
			fmt.Fprintf(&sb, "DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=sel; bh=%s;\r\n\tb=%s\r\n", strings.Repeat("A", 44), strings.Repeat("B", 340))
			fmt.Fprintf(&sb, "From: =?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen%d@example.net>\r\nTo: Bob <bob@example.org>, carol@example.org\r\n", i%97)
			fmt.Fprintf(&sb, "Subject: =?utf-8?B?%s?= #%d\r\nDate: %s, %02d Jan 2024 %02d:%02d:00 +0100\r\nMessage-ID: <%d.bench@example.net>\r\n", "w7xiZXJwcsO8ZnVuZw==", i, "Mon", 1+i%28, i%24, i%60, i)
			sb.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
			sb.WriteString(strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 20+i%200))
			// Written directly (no fsync per message) so that the
			// tree is quick to build; names as AddMessage makes them.
			info := ":2,"
			if i%3 == 0 {
				info = ":2,S"
			}
			name := fmt.Sprintf("1700000000.R%016xM0P1Q1.bench,S=%d%s", i, sb.Len(), info)
			if err := os.WriteFile(filepath.Join(dir, "cur", name), []byte(sb.String()), 0o600); err != nil {
				b.Fatal(err)
			}
		}
	}
	return dir
}

// BenchmarkMaildirListEnvelopes lists the whole folder through the client.
func BenchmarkMaildirListEnvelopes(b *testing.B) {
	root := mdBenchTree(b)
	c := client.New().WithMaildir(maildir.Store{Root: root})
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		envs, err := c.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
		if err != nil || len(envs) != mdBenchMessages {
			b.Fatal(err, len(envs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/mdBenchMessages, "us/msg")
}

// BenchmarkMaildirHeadFloor is the floor ListEnvelopes is measured
// against: list new/ and cur/, open and read the first 8 KiB of every file
// and find the header end, with the driver's parallelism.
func BenchmarkMaildirHeadFloor(b *testing.B) {
	root := mdBenchTree(b)
	workers := max(4, 2*runtime.GOMAXPROCS(0))
	b.ResetTimer()
	for b.Loop() {
		var paths []string
		for _, sub := range []string{"new", "cur"} {
			ents, err := os.ReadDir(filepath.Join(root, sub))
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range ents {
				paths = append(paths, filepath.Join(root, sub, e.Name()))
			}
		}
		next := make(chan string, len(paths))
		for _, p := range paths {
			next <- p
		}
		close(next)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for p := range next {
					f, err := os.Open(p)
					if err != nil {
						b.Error(err)
						return
					}
					buf := make([]byte, 8<<10)
					n, _ := io.ReadFull(f, buf)
					f.Close()
					if header.End(buf[:n]) < 0 {
						b.Error("no header end in", p)
					}
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/mdBenchMessages, "us/msg")
}
