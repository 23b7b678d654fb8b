package email_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestWindow(t *testing.T) {
	cases := []struct {
		page, size, n, start, end int
	}{
		{0, 0, 7, 0, 7}, {1, 3, 7, 0, 3}, {0, 3, 7, 0, 3}, {3, 3, 7, 6, 7}, {4, 3, 7, 7, 7},
		{2, 5, 5, 5, 5}, {1, 10, 0, 0, 0},
	}
	for _, c := range cases {
		s, e := email.ListOptions{Page: c.page, PageSize: c.size}.Window(c.n)
		assert.Equal(t, [2]int{c.start, c.end}, [2]int{s, e}, "%+v", c)
	}
}

func TestNormalizeMessageID(t *testing.T) {
	assert.Equal(t, "a@b", email.NormalizeMessageID("  <a@b> \r\n"))
	assert.Equal(t, "a@b", email.NormalizeMessageID("a@b"))
	assert.Equal(t, "", email.NormalizeMessageID(" <> "))
	assert.Equal(t, "<a@b", email.NormalizeMessageID("<a@b"))
}

func TestEnvelopeJSON(t *testing.T) {
	yes := true
	env := email.Envelope{
		ID: "42", MessageID: "abc@x", Flags: email.ParseFlags(`\Seen`), Subject: "Hi",
		From: []email.Address{{Name: "Alice", Email: "alice@example.org"}},
		To:   []email.Address{{Email: "bob@example.org"}},
		Date: time.Date(2026, 5, 15, 10, 0, 0, 0, time.FixedZone("", 2*3600)), Size: 1234,
		HasAttachment: &yes,
	}
	b, err := json.Marshal(env)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"date":"2026-05-15T10:00:00+02:00"`, "the original offset is kept")
	assert.Contains(t, string(b), `"message-id":"abc@x"`)
	var back email.Envelope
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Date.Equal(env.Date))
	_, off := back.Date.Zone()
	assert.Equal(t, 7200, off)
	assert.True(t, back.Flags.Equal(env.Flags))
	assert.Equal(t, env.From, back.From)

	b, err = json.Marshal(email.Envelope{ID: "1"})
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"date"`, "an absent date is omitted")
	assert.NotContains(t, string(b), `has-attachment`)
}

func TestErrorsMatch(t *testing.T) {
	var err error = &email.OpError{Backend: "maildir", Op: "get_message", Err: &email.NotFoundError{Mailbox: "INBOX", ID: "x"}}
	assert.True(t, errors.Is(err, email.ErrNotFound))
	var nf *email.NotFoundError
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, "x", nf.ID)
	err = &email.NameError{Name: "a\r\nb", Reason: "control character"}
	assert.True(t, errors.Is(err, email.ErrInvalidName))
	assert.NotContains(t, err.Error(), "\r\n", "names are quoted in messages")
}

func TestRoles(t *testing.T) {
	assert.Equal(t, email.RoleSent, email.ParseRole(`\Sent`))
	assert.Equal(t, email.RoleJunk, email.ParseRole("Spam"))
	assert.Equal(t, email.RoleTrash, email.ParseRole(`\trash`))
	assert.True(t, email.IsInbox("inBox"))
}

func TestDiffEmpty(t *testing.T) {
	assert.True(t, email.EnvelopeDiff{State: email.State("x")}.Empty())
	assert.False(t, email.EnvelopeDiff{Vanished: []string{"1"}}.Empty())
	assert.False(t, email.EnvelopeDiff{FullListRequired: true}.Empty())
	assert.True(t, email.MailboxDiff{}.Unchanged())
	assert.False(t, email.MailboxDiff{Updated: []string{"INBOX"}}.Unchanged())
}
