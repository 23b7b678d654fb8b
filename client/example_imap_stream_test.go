package client_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ioemail/ioemail/client"
)

// GetMessages streams many messages in one go; each reader is valid during
// its call only, and need not be read to the end.
func ExampleIMAPClient_GetMessages() {
	addr, stop, err := memServer()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	ctx := context.Background()
	ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{AllowPlaintext: true, Auth: client.Password("alice", "alicepass")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ic.Close()
	var ids []string
	for _, subject := range []string{"one", "two", "three"} {
		id, err := ic.AddMessage(ctx, "INBOX", strings.NewReader("Subject: "+subject+"\r\n\r\nHello.\r\n"), nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, id)
	}
	err = ic.GetMessages(ctx, "INBOX", ids, func(id string, r io.Reader) error {
		first := make([]byte, 16)
		n, _ := io.ReadFull(r, first)
		fmt.Printf("%q\n", first[:n])
		return nil
	})
	fmt.Println(err)
	// Output:
	// "Subject: one\r\n\r\n"
	// "Subject: two\r\n\r\n"
	// "Subject: three\r\n"
	// <nil>
}
