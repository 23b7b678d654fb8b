package imap_test

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/search"
)

// The server is asked only what it answers exactly (here the flag), and
// the text conditions are checked on the candidates' header fields, as
// package search checks them; the order is package search's too. A
// recorded conversation stands in for the server.
func ExampleSearchEnvelopes() {
	turns, _ := coroutine.ParseTranscript(`
S: * PREAUTH [CAPABILITY IMAP4rev1 SORT LITERAL+] logged in
C: A1 EXAMINE INBOX
S: * 3 EXISTS
S: A1 OK [READ-ONLY] done
C: A2 UID SEARCH SEEN
S: * SEARCH 10 11 12
S: A2 OK done
C: A3 UID FETCH 10:12 (UID FLAGS BODY.PEEK[HEADER.FIELDS (DATE MESSAGE-ID FROM SUBJECT)])
S: * 1 FETCH (UID 10 FLAGS (\Seen) BODY[HEADER.FIELDS (DATE FROM SUBJECT)] {66}
S: From: Zed <zed@example.com>
S: Subject: =?UTF-8?Q?R=C3=A9union?=
S: 
S: )
S: * 2 FETCH (UID 11 FLAGS (\Seen) BODY[HEADER.FIELDS (DATE FROM SUBJECT)] {44}
S: From: Bob <bob@example.net>
S: Subject: Hi
S: 
S: )
S: * 3 FETCH (UID 12 FLAGS (\Seen) BODY[HEADER.FIELDS (DATE FROM SUBJECT)] {52}
S: From: Alice <alice@example.org>
S: Subject: Budget
S: 
S: )
S: A3 OK done
C: A4 UID FETCH 10,12 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)])
S: * 1 FETCH (UID 10 FLAGS (\Seen) RFC822.SIZE 120 ENVELOPE (NIL "=?UTF-8?Q?R=C3=A9union?=" (("Zed" NIL "zed" "example.com")) NIL NIL NIL NIL NIL NIL "<r@x>"))
S: * 3 FETCH (UID 12 FLAGS (\Seen) RFC822.SIZE 90 ENVELOPE (NIL "Budget" (("Alice" NIL "alice" "example.org")) NIL NIL NIL NIL NIL NIL "<b@x>"))
S: A4 OK done
`)
	q, err := search.Parse("flag seen and (from alice or subject réunion) order by subject")
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
