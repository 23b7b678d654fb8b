package client_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// Back up a JMAP mailbox without holding it: list it page by page, then
// fetch the messages in one batch, each streamed to its own file.
func ExampleJMAPClient_GetMessages() {
	ctx := context.Background()
	jc, err := client.DialJMAP(ctx, "https://jmap.example.org/", &client.Options{Auth: client.Bearer("alice@example.org", "my-token")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer jc.Close()
	var ids []string
	err = jc.EachEnvelope(ctx, "Archive", func(e email.Envelope) error {
		ids = append(ids, e.ID)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = jc.GetMessages(ctx, "Archive", ids, func(id string, r io.Reader) error {
		f, err := os.Create(id + ".eml")
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(f, r)
		return err
	})
	if err != nil {
		fmt.Println(err)
	}
}

// Send a message straight from a file: the header block is read for the
// envelope and the Bcc field, the rest is streamed into the upload.
func ExampleJMAPClient_SendMessageReader() {
	ctx := context.Background()
	jc, err := client.DialJMAP(ctx, "https://jmap.example.org/", &client.Options{Auth: client.Bearer("alice@example.org", "my-token")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer jc.Close()
	f, err := os.Open("big.eml")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	res, err := jc.SendMessageReader(ctx, f, -1, email.SendOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("accepted:", res.Accepted)
}
