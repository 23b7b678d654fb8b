package client_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

// Stream a message from a file to a submission server from a loop of
// your own: the machine's NetSource requests read the body, on the
// connection's I/O goroutine, so the loop never blocks on the file.
func ExampleDriveBody() {
	ctx := context.Background()
	c, err := client.Dial(ctx, "mail.example.com:465", nil, true)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := os.Open("message.eml")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	s := smtp.NewSession(smtp.Config{Domain: "client.example.com"}, true)
	m := coroutine.After(s.Connect(smtp.ConnectOptions{}), s.SendStream(email.SendOptions{}, -1))
	loop := client.NewLoop()
	client.DriveBody(loop, c, m, nil, client.Body{Source: f}, func(res email.SendResult, err error) {
		fmt.Println(res.Accepted, err)
	})
	if err := loop.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
