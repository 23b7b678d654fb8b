package imap

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// BenchmarkListEnvelopesMachine runs the list_envelopes machine over
// canned server bytes for 10,000 messages (SELECT, UID SORT, UID FETCH
// (UID FLAGS ENVELOPE RFC822.SIZE)) fed in 32 KiB reads: the cost of the
// machine alone, without a socket. ns/op is per listing.
func BenchmarkListEnvelopesMachine(b *testing.B) {
	const n = 10000
	var sb strings.Builder
	fmt.Fprintf(&sb, "* %d EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\nA1 OK [READ-WRITE] done\r\n* SORT", n)
	for i := n; i >= 1; i-- {
		fmt.Fprintf(&sb, " %d", i)
	}
	sb.WriteString("\r\nA2 OK sorted\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "* %d FETCH (UID %d FLAGS (\\Seen $Forwarded) RFC822.SIZE %d "+
			"ENVELOPE (\"Mon, 2 Jan 2006 15:04:05 -0700\" \"=?UTF-8?B?SGVsbG8gd8O2cmxk?= number %d\" "+
			"((\"Ann Example\" NIL \"ann\" \"example.test\")) ((\"Ann Example\" NIL \"ann\" \"example.test\")) ((\"Ann Example\" NIL \"ann\" \"example.test\")) "+
			"((NIL NIL \"alice\" \"example.test\")(\"Bob, B\" NIL \"bob\" \"example.test\")) NIL NIL NIL \"<m%d@example.test>\"))\r\n", i, i, 1000+i, i, i)
	}
	sb.WriteString("A3 OK fetched\r\n")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewSession(true, Limits{})
		s.State = StateAuthenticated
		s.setCaps([]imap.Cap{"IMAP4rev1", "SORT"})
		m := ListEnvelopes(s, "INBOX", email.ListOptions{})
		var in coroutine.NetReply
		pos := 0
		for {
			req, done := m.Resume(in)
			if done {
				break
			}
			in = coroutine.NetReply{}
			if req.Op == coroutine.NetRead {
				end := min(pos+32<<10, len(data))
				in.Data, pos = data[pos:end], end
			}
		}
		envs, err := m.Result()
		if err != nil || len(envs) != n {
			b.Fatal(err, len(envs))
		}
	}
}
