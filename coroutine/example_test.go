package coroutine_test

import (
	"fmt"

	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// A whole IMAP session on one connection, Open, an operation and Logout,
// is one machine; here it is replayed from a transcript whose credentials
// were redacted when it was recorded (the "C*" line accepts any password).
func ExampleBracket() {
	turns, _ := coroutine.ParseTranscript(`
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready
C* A1 AUTHENTICATE PLAIN
S: A1 OK [CAPABILITY IMAP4rev1] Logged in
C: A2 LIST "" "*"
S: * LIST () "/" INBOX
S: * LIST () "/" Drafts
S: A2 OK done
C: A3 LOGOUT
S: * BYE
S: A3 OK
`)
	s := imap.NewSession(true, imap.Limits{})
	m := coroutine.Bracket(
		imap.Open(s, imap.OpenOptions{Auth: sasl.NewPlainClient("", "alice", "any password")}),
		imap.ListMailboxes(s, email.ListMailboxesOptions{}),
		imap.Logout(s))
	boxes, err := coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns, Chunk: 7})
	fmt.Println(len(boxes), "mailboxes", err)
	// Output: 2 mailboxes <nil>
}

// A NetRecorder keeps what a machine writes and reads; FormatTranscript
// writes it with the credentials cut out, ready for a bug report. The
// server here is a function; a real program records client.NetConn's Do.
func ExampleNetRecorder() {
	server := []string{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n", "A1 OK [CAPABILITY IMAP4rev1] in\r\n"}
	rec := &coroutine.NetRecorder{Do: func(req coroutine.NetRequest) coroutine.NetReply {
		if req.Op != coroutine.NetRead {
			return coroutine.NetReply{}
		}
		data := server[0]
		server = server[1:]
		return coroutine.NetReply{Data: []byte(data)}
	}}
	s := imap.NewSession(true, imap.Limits{})
	_, err := coroutine.Run(imap.Open(s, imap.OpenOptions{Auth: sasl.NewPlainClient("", "alice", "alicepass")}), rec.Perform)
	fmt.Println(err)
	fmt.Print(coroutine.FormatTranscript(rec.Turns()))
	// Output:
	// <nil>
	// S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi
	// C* A1 AUTHENTICATE PLAIN
	// S: A1 OK [CAPABILITY IMAP4rev1] in
}

// Bytes of any kind survive a transcript: a line that is not UTF-8 text,
// or holds a bare CR or LF, is written in base64.
func ExampleFormatTranscript() {
	text := coroutine.FormatTranscript([]coroutine.Turn{
		{Side: coroutine.Client, Data: []byte("A1 APPEND INBOX {6}\r\n")},
		{Side: coroutine.Server, Data: []byte("+ ok\r\n")},
		{Side: coroutine.Client, Data: []byte("caf\xe9\n\r\r\n")},
	})
	fmt.Print(text)
	turns, _ := coroutine.ParseTranscript(text)
	fmt.Printf("%q\n", turns[2].Data)
	// Output:
	// C: A1 APPEND INBOX {6}
	// S: + ok
	// C= Y2Fm6QoNDQo=
	// "caf\xe9\n\r\r\n"
}
