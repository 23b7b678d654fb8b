package imap

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ioemail/ioemail/internal/transcripttest"
)

// batchOutcome is everything a GetMessages run shows, as text.
func batchOutcome(server []byte, chunk int) string {
	s := NewSession(true, Limits{MaxLine: 1 << 12, MaxLiteral: 1 << 12})
	s.State = StateAuthenticated
	order, got, problems, written, err := batchDrive(GetMessages(s, "INBOX", []string{"1", "2", "3"}, 1<<10), []string{string(server)}, chunk, "2")
	return fmt.Sprintf("order %q\ngot %q\nproblems %v\nwritten %q\nerr %v", order, got, problems, written, err)
}

// FuzzGetMessages feeds arbitrary server bytes to a batch fetch (of UIDs
// 1 to 3, the body of 2 skipped by its reader, a size limit of 1 KiB). It
// must end, never panic, deliver only the UIDs it asked for, each once,
// and behave the same whether the bytes come at once or in pieces. Seeds:
// the FETCH BODY[] answer of the recorded Dovecot session, behind a
// SELECT, and the other transcripts' server sides.
func FuzzGetMessages(f *testing.F) {
	sel := []byte("* 3 EXISTS\r\n* OK [UIDVALIDITY 1] v\r\n* OK [UIDNEXT 9] n\r\nA1 OK [READ-WRITE] selected\r\n")
	dovecot := transcripttest.Server(f, "../testdata/imap/dovecot-session.txt")
	if i := bytes.Index(dovecot, []byte("* 1 FETCH (UID 1 BODY[] {")); i >= 0 {
		fetch := dovecot[i:]
		if j := bytes.Index(fetch, []byte("a13 OK")); j >= 0 {
			f.Add(append(append(append([]byte{}, sel...), fetch[:j]...), "A2 OK done\r\n"...), uint8(5))
		}
	}
	f.Add(append(append([]byte{}, sel...), "* 1 FETCH (UID 2 BODY[] {3}\r\ntwo)\r\n* 2 FETCH (UID 3 BODY[] \"x\")\r\n* 3 FETCH (UID 1 BODY[] {2000}\r\n"...), uint8(1))
	for _, server := range transcripttest.Servers(f, "../testdata/imap/*.txt") {
		f.Add(server, uint8(7))
	}
	f.Fuzz(func(t *testing.T, server []byte, chunk uint8) {
		whole := batchOutcome(server, 0)
		cut := batchOutcome(server, int(chunk%64)+1)
		if whole != cut {
			t.Fatalf("at once:\n%s\nin pieces of %d:\n%s", whole, int(chunk%64)+1, cut)
		}
		s := NewSession(true, Limits{})
		s.State = StateAuthenticated
		order, _, _, _, _ := batchDrive(GetMessages(s, "INBOX", []string{"1", "2", "3"}, 1<<10), []string{string(server)}, 0, "")
		seen := map[string]bool{}
		for _, id := range order {
			if seen[id] || (id != "1" && id != "2" && id != "3") {
				t.Fatalf("delivered %q (all: %q)", id, order)
			}
			seen[id] = true
		}
	})
}
