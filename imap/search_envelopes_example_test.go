package imap_test

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/search"
)

// A query of package search runs on the server as one UID SORT when the
// server offers SORT; non-ASCII text goes as a literal. A recorded
// conversation stands in for the server.
func ExampleSearchEnvelopes() {
	turns, _ := coroutine.ParseTranscript(`
S: * PREAUTH [CAPABILITY IMAP4rev1 SORT LITERAL+] logged in
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SORT (SUBJECT REVERSE DATE) UTF-8 OR FROM "alice" SUBJECT {8+}
C: réunion
S: * SORT 12 10
S: A2 OK done
C: A3 UID FETCH 10,12 (UID FLAGS ENVELOPE RFC822.SIZE)
S: * 1 FETCH (UID 10 FLAGS (\Seen) RFC822.SIZE 120 ENVELOPE ("Mon, 2 Feb 2026 09:00:00 +0100" "=?UTF-8?Q?R=C3=A9union?=" (("Zed" NIL "zed" "example.com")) NIL NIL NIL NIL NIL NIL "<r@x>"))
S: * 3 FETCH (UID 12 FLAGS () RFC822.SIZE 90 ENVELOPE ("Tue, 3 Feb 2026 10:00:00 +0000" "Budget" (("Alice" NIL "alice" "example.org")) NIL NIL NIL NIL NIL NIL "<b@x>"))
S: A3 OK done
`)
	q, err := search.Parse("from alice or subject réunion order by subject")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := imap.NewSession(true, imap.Limits{})
	// The server greets with PREAUTH: no login in this example.
	m := coroutine.Then(imap.Open(s, imap.OpenOptions{NoEnable: true}), func(imap.OpenResult) coroutine.NetMachine[[]email.Envelope] {
		return imap.SearchEnvelopes(s, "INBOX", q, email.ListOptions{})
	})
	envs, err := coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range envs {
		fmt.Println(e.ID, e.Subject, e.From[0].Email)
	}
	// Output:
	// 12 Budget alice@example.org
	// 10 Réunion zed@example.com
}
