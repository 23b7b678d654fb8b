package jmap_test

import (
	"fmt"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

// A JMAP machine asks for HTTP exchanges; here a function stands in for
// the server. The blocking client performs them with net/http instead.
func Example() {
	server := func(r jmap.Request) jmap.Response {
		switch r.URL {
		case "https://mail.example/.well-known/jmap":
			return jmap.Response{Status: 200, Body: []byte(`{"apiUrl":"/api/","primaryAccounts":{"urn:ietf:params:jmap:mail":"A"},"accounts":{"A":{}}}`)}
		case "https://mail.example/api/":
			return jmap.Response{Status: 200, Body: []byte(`{"methodResponses":[["Mailbox/get",{"list":[
				{"id":"m2","name":"2024","parentId":"m1"},{"id":"m1","name":"Archive","role":"archive"},
				{"id":"m0","name":"Inbox","role":"inbox"}]},"0"]]}`)}
		}
		return jmap.Response{Status: 404}
	}
	drive := func(m jmap.Machine[*jmap.Session]) (*jmap.Session, error) {
		var in jmap.Response
		for {
			req, done := m.Resume(in)
			if done {
				return m.Result()
			}
			in = server(req)
		}
	}
	s, err := drive(jmap.Discover("https://mail.example", "Bearer token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	list := jmap.ListMailboxes(s, email.ListMailboxesOptions{})
	var in jmap.Response
	for {
		req, done := list.Resume(in)
		if done {
			break
		}
		in = server(req)
	}
	boxes, err := list.Result()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range boxes {
		fmt.Println(b.ID, b.Name, b.Role)
	}
	// Output:
	// INBOX INBOX inbox
	// Archive Archive archive
	// Archive/2024 Archive/2024
}
