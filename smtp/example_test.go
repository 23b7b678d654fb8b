package smtp_test

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

// A session is driven by whoever owns the connection; here a recorded
// conversation stands in for the server. Connect reads the greeting and
// says EHLO; Send derives the envelope from the headers, drops the Bcc
// header and pipelines MAIL, RCPT and BDAT in one write.
func Example() {
	const greeting = `
S: 220 mx.example.test ESMTP
C: EHLO client.example.test
S: 250-mx.example.test
S: 250-PIPELINING
S: 250-ENHANCEDSTATUSCODES
S: 250 CHUNKING
`
	const send = `
C: MAIL FROM:<alice@example.test>
C: RCPT TO:<bob@example.test>
C: RCPT TO:<nobody@example.test>
C: BDAT 55 LAST
C: From: alice@example.test
C: To: bob@example.test
C: 
C: Hi!
S: 250 2.1.0 Ok
S: 250 2.1.5 Ok
S: 550 5.1.1 User unknown
S: 250 2.0.0 Queued
`
	s := smtp.NewSession(smtp.Config{Domain: "client.example.test"}, false)
	turns, _ := coroutine.ParseTranscript(greeting)
	ext, err := coroutine.ReplayNet(s.Connect(smtp.ConnectOptions{AllowPlaintext: true}), &coroutine.NetScript{Turns: turns})
	fmt.Println("pipelining:", ext.Pipelining, "chunking:", ext.Chunking, err)

	msg := "From: alice@example.test\r\nTo: bob@example.test\r\nBcc: nobody@example.test\r\n\r\nHi!\r\n"
	turns, _ = coroutine.ParseTranscript(send)
	res, err := coroutine.ReplayNet(s.Send([]byte(msg), email.SendOptions{}), &coroutine.NetScript{Turns: turns})
	fmt.Println("accepted:", res.Accepted, err)
	for _, r := range res.Rejected {
		fmt.Println("rejected:", r.Address, r.Reason)
	}
	// Output:
	// pipelining: true chunking: true <nil>
	// accepted: [bob@example.test] <nil>
	// rejected: nobody@example.test smtp: RCPT: 550 5.1.1 User unknown
}
