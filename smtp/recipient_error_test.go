package smtp_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

// A refused recipient comes back as an email.RecipientError, an error that
// names the address and unwraps to the server's *smtp.Error.
func TestRejectedRecipientIsAnError(t *testing.T) {
	s := smtp.NewSession(smtp.Config{Domain: "client.example.test"}, true)
	turns, err := coroutine.ParseTranscript("S: 220 mx\nC: EHLO client.example.test\nS: 250-mx\nS: 250 ENHANCEDSTATUSCODES\n")
	require.NoError(t, err)
	_, err = coroutine.ReplayNet(s.Connect(smtp.ConnectOptions{}), &coroutine.NetScript{Turns: turns})
	require.NoError(t, err)
	turns, err = coroutine.ParseTranscript("C: MAIL FROM:<alice@example.test>\nS: 250 2.1.0 Ok\n" +
		"C: RCPT TO:<bob@example.test>\nS: 250 2.1.5 Ok\n" +
		"C: RCPT TO:<nobody@example.test>\nS: 550 5.1.1 User unknown\n" +
		"C: DATA\nS: 354 go\nC: To: bob@example.test\nC: \nC: Hi!\nC: .\nS: 250 2.0.0 Queued\n")
	require.NoError(t, err)
	res, err := coroutine.ReplayNet(s.Send([]byte("To: bob@example.test\r\n\r\nHi!\r\n"),
		email.SendOptions{From: "alice@example.test", To: []string{"bob@example.test", "nobody@example.test"}}),
		&coroutine.NetScript{Turns: turns})
	require.NoError(t, err)
	require.Len(t, res.Rejected, 1)
	var rej error = res.Rejected[0]
	assert.Equal(t, "email: recipient <nobody@example.test> refused: smtp: RCPT: 550 5.1.1 User unknown", rej.Error())
	assert.ErrorIs(t, rej, email.ErrNotFound)
	var se *smtp.Error
	require.True(t, errors.As(rej, &se))
	assert.Equal(t, 550, se.Code)
	assert.False(t, se.Temporary())
}
