package imap_test

import (
	"fmt"

	"github.com/emersion/go-sasl"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// The machines do no I/O: here a recorded conversation stands in for the
// server.
func ExampleListMailboxes() {
	turns, _ := coroutine.ParseTranscript(`
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready
C: A1 AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlcGFzcw==
S: A1 OK [CAPABILITY IMAP4rev1 SPECIAL-USE LIST-EXTENDED] Logged in
C: A2 LIST "" "*" RETURN (SPECIAL-USE)
S: * LIST () "/" INBOX
S: * LIST (\Sent) "/" Sent
S: * LIST (\Noselect) "/" Archives
S: * LIST () "/" Archives/&AMk-t&AOk-
S: A2 OK done
`)
	s := imap.NewSession(true, imap.Limits{})
	m := coroutine.Then(
		imap.Open(s, imap.OpenOptions{Auth: sasl.NewPlainClient("", "alice", "alicepass")}),
		func(imap.OpenResult) coroutine.NetMachine[[]email.Mailbox] {
			return imap.ListMailboxes(s, email.ListMailboxesOptions{})
		})
	boxes, err := coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range boxes {
		fmt.Printf("%s role=%q\n", b.ID, b.Role)
	}
	// Output:
	// INBOX role="inbox"
	// Sent role="sent"
	// Archives/Été role=""
}

// Open reads the greeting, upgrades with STARTTLS, authenticates and
// enables what the server offers; each step is a request to the driver.
func ExampleOpen() {
	s := imap.NewSession(false, imap.Limits{})
	m := imap.Open(s, imap.OpenOptions{StartTLS: imap.StartTLSRequired, Auth: sasl.NewPlainClient("", "alice", "alicepass")})
	server := []string{
		"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n",
		"A1 OK begin TLS\r\n",
		"* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\nA2 OK\r\n",
		"A3 OK [CAPABILITY IMAP4rev1] Logged in\r\n",
	}
	var in coroutine.NetReply
	for {
		req, done := m.Resume(in)
		if done {
			break
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			fmt.Printf("write %q\n", req.Data)
		case coroutine.NetRead:
			in.Data, server = []byte(server[0]), server[1:]
		case coroutine.NetStartTLS:
			fmt.Println("start TLS")
		}
	}
	_, err := m.Result()
	fmt.Println("err:", err, "secure:", s.Secure)
	// Output:
	// write "A1 STARTTLS\r\n"
	// start TLS
	// write "A2 CAPABILITY\r\n"
	// write "A3 AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlcGFzcw==\r\n"
	// err: <nil> secure: true
}
