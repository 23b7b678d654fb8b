package imap_test

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/imap"
)

// GetMessage hands the body to its driver chunk by chunk, as NetSink
// requests; the driver writes them to its sink (here, the screen).
func ExampleGetMessage() {
	s := imap.NewSession(true, imap.Limits{})
	s.State = imap.StateAuthenticated
	m := imap.GetMessage(s, "INBOX", "7", 1<<20)
	server := []string{
		"* 1 EXISTS\r\n* OK [UIDVALIDITY 3] v\r\n* OK [UIDNEXT 8] n\r\nA1 OK [READ-WRITE] selected\r\n",
		"* 1 FETCH (UID 7 BODY[] {23}\r\nSubject: hi\r\n\r\nHello",
		"!\r\n)\r\nA2 OK done\r\n",
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
		case coroutine.NetSink:
			fmt.Printf("sink %q\n", req.Data)
		}
	}
	n, err := m.Result()
	fmt.Println(n, err)
	// Output:
	// write "A1 SELECT INBOX\r\n"
	// write "A2 UID FETCH 7 (UID BODY.PEEK[])\r\n"
	// sink "Subject: hi\r\n\r\nHello"
	// sink "!\r\n"
	// 23 <nil>
}

// AddMessageStream asks its driver for the message with NetSource
// requests and writes each chunk as it comes (here under LITERAL+, with
// no wait for the server's go-ahead).
func ExampleAddMessageStream() {
	s := imap.NewSession(true, imap.Limits{})
	s.State = imap.StateAuthenticated
	msg := []string{"Subject: hi\r\n\r\n", "Hello!\r\n"}
	// A real driver reads its io.Reader; this one gives two pieces.
	m := imap.AddMessageStream(s, "INBOX", 23, nil)
	server := []string{"* CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS\r\nA1 OK\r\n", "A2 OK [APPENDUID 3 9] appended\r\n"}
	// The session learns its capabilities at login; here a NOOP's
	// untagged CAPABILITY stands in.
	_, _ = coroutine.Run(imap.Noop(s), func(req coroutine.NetRequest) coroutine.NetReply {
		if req.Op == coroutine.NetRead {
			b := server[0]
			server = server[1:]
			return coroutine.NetReply{Data: []byte(b)}
		}
		return coroutine.NetReply{}
	})
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
		case coroutine.NetSource:
			if len(msg) == 0 {
				in.EOF = true
				break
			}
			in.Data, msg = []byte(msg[0]), msg[1:]
		case coroutine.NetRead:
			in.Data, server = []byte(server[0]), server[1:]
		}
	}
	id, err := m.Result()
	fmt.Println(id, err)
	// Output:
	// write "A2 APPEND INBOX () {23+}\r\n"
	// write "Subject: hi\r\n\r\n"
	// write "Hello!\r\n"
	// write "\r\n"
	// 9 <nil>
}

// GetMessages starts each message with an empty NetSink request, after
// which ID names the message its chunks belong to.
func ExampleGetMessages() {
	s := imap.NewSession(true, imap.Limits{})
	s.State = imap.StateAuthenticated
	m := imap.GetMessages(s, "INBOX", []string{"4", "5", "6"}, 0)
	server := []string{
		"* 2 EXISTS\r\n* OK [UIDVALIDITY 3] v\r\n* OK [UIDNEXT 9] n\r\nA1 OK [READ-WRITE] selected\r\n",
		"* 1 FETCH (UID 4 BODY[] {4}\r\nfour)\r\n* 2 FETCH (UID 6 BODY[] {3}\r\nsix)\r\nA2 OK done\r\n",
	}
	var in coroutine.NetReply
	for {
		req, done := m.Resume(in)
		if done {
			break
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetRead:
			in.Data, server = []byte(server[0]), server[1:]
		case coroutine.NetSink:
			if len(req.Data) == 0 {
				fmt.Println("message", m.ID())
				continue
			}
			fmt.Printf("  %q\n", req.Data)
		}
	}
	missing, err := m.Result()
	fmt.Println(missing, err)
	// Output:
	// message 4
	//   "four"
	// message 6
	//   "six"
	// [email: message "5" not found in "INBOX"] <nil>
}
