package jmap_test

import (
	"bytes"
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

// A caller who owns the socket lowers a JMAP machine to the network
// vocabulary with OverNet: HTTP/1.1 requests to write, response bytes to
// read. Here canned responses stand in for the server; a real loop
// performs the requests with client.NetConn's Do (on a TLS connection for
// https).
func ExampleOverNet() {
	const origin = "https://mail.example"
	responses := []string{
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 90\r\n\r\n" +
			`{"apiUrl":"/api/","primaryAccounts":{"urn:ietf:params:jmap:mail":"A"},"accounts":{"A":{}}}`,
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"55\r\n" + `{"methodResponses":[["Mailbox/get",{"list":[{"id":"m0","name":"Inbox","role":"inbox"}` + "\r\n" +
			"6\r\n]},\"0\"\r\n3\r\n]]}\r\n0\r\n\r\n",
	}
	drive := func(m coroutine.NetMachine[[]email.Mailbox]) ([]email.Mailbox, error) {
		var in coroutine.NetReply
		for {
			req, done := m.Resume(in)
			if done {
				return m.Result()
			}
			in = coroutine.NetReply{}
			switch req.Op {
			case coroutine.NetWrite:
				line, _, _ := bytes.Cut(req.Data, []byte("\r\n"))
				fmt.Printf("write %s\n", line)
			case coroutine.NetRead:
				in.Data, responses = []byte(responses[0]), responses[1:]
			}
		}
	}
	// Discover, then list, as one machine on one connection.
	m := coroutine.Then(jmap.Discover(origin, "Bearer token"), func(s *jmap.Session) jmap.Machine[[]email.Mailbox] {
		return jmap.ListMailboxes(s, email.ListMailboxesOptions{})
	})
	boxes, err := drive(jmap.OverNet(m, origin))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(boxes[0].ID, boxes[0].Role)
	// Output:
	// write GET /.well-known/jmap HTTP/1.1
	// write POST /api/ HTTP/1.1
	// INBOX inbox
}
