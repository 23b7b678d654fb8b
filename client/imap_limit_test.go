package client

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// TestIMAPGetMessageOverLimit fetches a message larger than the session's
// size limit (Options.MaxMessageSize lowered to 1 MiB, so that the message stays small): it
// fails with email.ErrTooLarge, its bytes are dropped as they arrive, and
// the same session then lists and fetches normally. Run on imapmemserver
// and Dovecot.
func TestIMAPGetMessageOverLimit(t *testing.T) {
	peers := map[string]func(t *testing.T) (string, *Options){
		"imapmemserver": func(t *testing.T) (string, *Options) {
			return "imap://" + memIMAP(t), &Options{AllowPlaintext: true, Auth: plainAlice()}
		},
		"dovecot": func(t *testing.T) (string, *Options) {
			env := testpeers.Load(t, "PEERS_IMAP_ADDR")
			return "imap://" + env["PEERS_IMAP_ADDR"], &Options{TLSConfig: env.TLSConfig(t), Auth: plainAlice()}
		},
	}
	for name, peer := range peers {
		t.Run(name, func(t *testing.T) {
			url, opts := peer(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			adder, err := DialIMAP(ctx, url, opts)
			require.NoError(t, err)
			t.Cleanup(func() { adder.Close() })
			opts.MaxMessageSize = 1 << 20
			ic, err := DialIMAP(ctx, url, opts)
			require.NoError(t, err)
			t.Cleanup(func() { ic.Close() })
			box := uniqueName("streaming-limit")
			require.NoError(t, adder.CreateMailbox(ctx, box))
			t.Cleanup(func() { ic.DeleteMailbox(context.Background(), box) })

			big := "From: a@example.test\r\nSubject: big\r\n\r\n" + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n", 2<<20/64)
			small := "From: a@example.test\r\nSubject: small\r\n\r\nHi\r\n"
			bigID, err := adder.AddMessage(ctx, box, strings.NewReader(big), nil)
			require.NoError(t, err)
			smallID, err := ic.AddMessage(ctx, box, strings.NewReader(small), nil)
			require.NoError(t, err)

			var buf bytes.Buffer
			_, err = ic.GetMessage(ctx, box, bigID, &buf)
			require.ErrorIs(t, err, email.ErrTooLarge)
			assert.Zero(t, buf.Len())

			envs, err := ic.ListEnvelopes(ctx, box, email.ListOptions{})
			require.NoError(t, err, "the session is still usable")
			assert.Len(t, envs, 2)
			_, err = ic.GetMessage(ctx, box, smallID, &buf)
			require.NoError(t, err)
			assert.Equal(t, small, buf.String())
		})
	}
}
