package client

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ioemail/ioemail/email"
)

// cannedIMAP serves n messages from canned responses to whichever client
// connects: enough of LOGIN, SELECT, UID SORT and FETCH for a listing.
func cannedIMAP(b *testing.B, n int) string {
	b.Helper()
	var fetch strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&fetch, "* %d FETCH (UID %d FLAGS (\\Seen $Forwarded) RFC822.SIZE %d INTERNALDATE \"26-Nov-2026 01:30:17 +0000\" "+
			"ENVELOPE (\"Mon, 2 Jan 2006 15:04:05 -0700\" \"=?UTF-8?B?SGVsbG8gd8O2cmxk?= number %d\" "+
			"((\"Ann Example\" NIL \"ann\" \"example.test\")) ((\"Ann Example\" NIL \"ann\" \"example.test\")) ((\"Ann Example\" NIL \"ann\" \"example.test\")) "+
			"((NIL NIL \"alice\" \"example.test\")(\"Bob, B\" NIL \"bob\" \"example.test\")) NIL NIL NIL \"<m%d@example.test>\"))\r\n", i, i, 1000+i, i, i)
	}
	var sorted strings.Builder
	sorted.WriteString("* SORT")
	for i := n; i >= 1; i-- {
		fmt.Fprintf(&sorted, " %d", i)
	}
	sorted.WriteString("\r\n")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				w := bufio.NewWriter(c)
				w.WriteString("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR SORT UIDPLUS] ready\r\n")
				w.Flush()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					tag, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
					cmd := strings.ToUpper(rest)
					switch {
					case strings.HasPrefix(cmd, "SELECT"), strings.HasPrefix(cmd, "EXAMINE"):
						fmt.Fprintf(w, "* %d EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n%s OK [READ-WRITE] done\r\n", n, tag)
					case strings.HasPrefix(cmd, "UID SORT"):
						w.WriteString(sorted.String())
						fmt.Fprintf(w, "%s OK sorted\r\n", tag)
					case strings.Contains(cmd, "FETCH"):
						w.WriteString(fetch.String())
						fmt.Fprintf(w, "%s OK fetched\r\n", tag)
					case strings.HasPrefix(cmd, "LOGOUT"):
						fmt.Fprintf(w, "* BYE bye\r\n%s OK bye\r\n", tag)
						w.Flush()
						return
					default:
						fmt.Fprintf(w, "%s OK [CAPABILITY IMAP4rev1 SORT UIDPLUS] done\r\n", tag)
					}
					w.Flush()
				}
			}(c)
		}
	}()
	return ln.Addr().String()
}

// BenchmarkListEnvelopes lists 10,000 envelopes served from canned bytes
// on loopback: ours (SELECT, UID SORT, UID FETCH) against go-imap's
// imapclient (SELECT, FETCH) on the same connection kind and bytes.
// ns/op is per listing of 10,000 messages.
func BenchmarkListEnvelopes(b *testing.B) {
	const n = 10000
	addr := cannedIMAP(b, n)
	ctx := context.Background()
	b.Run("ours", func(b *testing.B) {
		ic, err := DialIMAP(ctx, "imap://"+addr, &Options{AllowPlaintext: true, Auth: Password("alice", "alicepass")})
		if err != nil {
			b.Fatal(err)
		}
		defer ic.Close()
		b.ReportAllocs()
		for b.Loop() {
			envs, err := ic.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
			if err != nil || len(envs) != n {
				b.Fatal(err, len(envs))
			}
		}
	})
	b.Run("imapclient", func(b *testing.B) {
		c, err := imapclient.DialInsecure(addr, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if err := c.Login("alice", "alicepass").Wait(); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				b.Fatal(err)
			}
			msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true}).Collect()
			if err != nil || len(msgs) != n {
				b.Fatal(err, len(msgs))
			}
		}
	})
}
