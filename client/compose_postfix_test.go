package client_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/compose"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/testpeers"
)

// A message built by compose goes through Postfix to Dovecot's Maildir
// intact: the To recipient and the Bcc one (given in the envelope only)
// get it, the Bcc address is nowhere in the delivered header, and the
// non-ASCII subject and the attachment read back with go-message.
func TestComposeSendPostfix(t *testing.T) {
	env := testpeers.Load(t, "PEERS_SUBMISSIONS_ADDR")
	tok := smtpToken(t)
	attachment := bytes.Repeat([]byte{0, 1, 2, 0xfe, 0xff, '\r', '\n', '.'}, 4096)
	m := &compose.Message{
		From:    []email.Address{{Name: "Alïce", Email: "alice@example.test"}},
		To:      []email.Address{{Name: "Bob", Email: "bob@example.test"}},
		Bcc:     []email.Address{{Email: "alice@example.test"}},
		Subject: "compose » Grüße " + tok,
		Text:    "Hello Bob,\n.a line starting with a dot\n",
		HTML:    "<p>Hello Bob</p>",
		Attachments: []compose.Attachment{
			{Filename: "données.bin", Body: bytes.NewReader(attachment)},
		},
	}
	var raw bytes.Buffer
	require.NoError(t, compose.Write(&raw, m, compose.Options{Clock: time.Now, Entropy: rand.Reader}))

	sc, err := client.DialSMTP(smtpCtx(t), "smtps://"+env["PEERS_SUBMISSIONS_ADDR"],
		&client.Options{TLSConfig: env.TLSConfig(t), Auth: client.Password("alice", "alicepass")})
	require.NoError(t, err)
	defer sc.Close()
	res, err := sc.SendMessage(smtpCtx(t), raw.Bytes(), email.SendOptions{To: m.Recipients()})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"bob@example.test", "alice@example.test"}, res.Accepted)

	for _, user := range []string{"bob", "alice"} {
		got := smtpDelivered(t, env, user, tok)
		h, _ := smtpSplitMessage(got)
		assert.NotContains(t, strings.ToLower(h), "\nbcc:", user)
		mr, err := mail.CreateReader(bytes.NewReader(got))
		require.NoError(t, err, user)
		subj, err := mr.Header.Subject()
		require.NoError(t, err)
		assert.Equal(t, m.Subject, subj, user)
		var files [][]byte
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, user)
			if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
				name, _ := ah.Filename()
				assert.Equal(t, "données.bin", name)
				b, err := io.ReadAll(p.Body)
				require.NoError(t, err)
				files = append(files, b)
			}
		}
		require.Len(t, files, 1, user)
		assert.Equal(t, attachment, files[0], "%s: attachment bytes", user)
	}
}
