package sasl_test

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/sasl"
	"github.com/ioemail/ioemail/smtp"
)

// A mechanism is a pure function of the server's challenges; the protocol
// machines do the base64 and the framing. Driven by hand:
func ExampleNewLoginClient() {
	c := sasl.NewLoginClient("alice", "alicepass")
	mech, ir, _ := c.Start()
	fmt.Printf("%s %q\n", mech, ir)
	for _, challenge := range []string{"Username:", "Password:"} {
		resp, err := c.Next([]byte(challenge))
		fmt.Printf("%s -> %s %v\n", challenge, resp, err)
	}
	// Output:
	// LOGIN ""
	// Username: -> alice <nil>
	// Password: -> alicepass <nil>
}

// Any mechanism plugs into the IMAP and SMTP sessions. Here an SMTP
// session authenticates with LOGIN against a transcript whose credential
// lines were redacted when it was recorded ("C*" accepts any answer).
func Example() {
	turns, _ := coroutine.ParseTranscript(`
S: 220 mx.example.test ESMTP
C: EHLO client.example.test
S: 250-mx.example.test
S: 250 AUTH LOGIN
C* AUTH LOGIN
S: 334 VXNlcm5hbWU6
C* 
S: 334 UGFzc3dvcmQ6
C* 
S: 235 2.7.0 Authentication successful
C: EHLO client.example.test
S: 250-mx.example.test
S: 250 SIZE 10240000
`)
	s := smtp.NewSession(smtp.Config{Domain: "client.example.test"}, false)
	m := s.Connect(smtp.ConnectOptions{AllowPlaintext: true, Auth: sasl.NewLoginClient("alice", "any password")})
	ext, err := coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
	fmt.Println("authenticated:", s.Authenticated(), "size limit:", ext.Size, err)
	// Output: authenticated: true size limit: 10240000 <nil>
}
