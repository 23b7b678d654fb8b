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
// canned server bytes for 10,000 messages (SELECT, then the unpaged
// listing's UID FETCH 1:* of listItems: UID, FLAGS, RFC822.SIZE,
// INTERNALDATE and the header fields), fed in 32 KiB reads: the cost of
// the machine alone, without a socket. ns/op is per listing.
func BenchmarkListEnvelopesMachine(b *testing.B) {
	const n = 10000
	var sb strings.Builder
	fmt.Fprintf(&sb, "* %d EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\nA1 OK [READ-WRITE] done\r\n", n)
	section := "BODY" + strings.TrimPrefix(envelopeHeaders, "BODY.PEEK")
	for i := 1; i <= n; i++ {
		head := fmt.Sprintf("Date: Mon, 2 Jan 2006 15:04:05 -0700\r\nSubject: =?UTF-8?B?SGVsbG8gd8O2cmxk?= number %d\r\n"+
			"From: Ann Example <ann@example.test>\r\nReply-To: Ann Example <ann@example.test>\r\n"+
			"To: alice@example.test, \"Bob, B\" <bob@example.test>\r\nMessage-ID: <m%d@example.test>\r\n\r\n", i, i)
		fmt.Fprintf(&sb, "* %d FETCH (UID %d FLAGS (\\Seen $Forwarded) RFC822.SIZE %d INTERNALDATE \"02-Jan-2006 15:04:05 -0700\" %s {%d}\r\n%s)\r\n",
			i, i, 1000+i, section, len(head), head)
	}
	sb.WriteString("A2 OK fetched\r\n")
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
