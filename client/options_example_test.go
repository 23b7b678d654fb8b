package client_test

import (
	"context"
	"log"
	"log/slog"
	"os"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// One Options value serves the three network backends: here OAuth 2.0
// with a token source that refreshes (XOAUTH2 or OAUTHBEARER on IMAP and
// SMTP, Authorization: Bearer on JMAP), and a debug log of the wire in
// which the token is redacted. It needs real servers, so it has no
// output to check.
func ExampleOptions() {
	ctx := context.Background()
	tokens := client.TokenFunc(func(ctx context.Context) (string, error) {
		// Ask the OAuth 2.0 library for a valid access token here, for
		// example golang.org/x/oauth2's TokenSource.Token.
		return "ya29.access-token", nil
	})
	opts := &client.Options{
		Auth:   client.OAuth2("alice@example.com", tokens),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Trace:  true,
	}
	c := client.New()
	defer c.Close()
	if err := c.ConnectIMAP(ctx, "imaps://imap.example.com", opts); err != nil {
		log.Fatal(err)
	}
	if err := c.ConnectSMTP(ctx, "smtps://smtp.example.com", opts); err != nil {
		log.Fatal(err)
	}
	boxes, err := c.ListMailboxes(ctx, email.ListMailboxesOptions{})
	if err != nil {
		log.Fatal(err)
	}
	log.Println(len(boxes), "mailboxes")
}
