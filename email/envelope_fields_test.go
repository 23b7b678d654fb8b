package email_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestEnvelopeThreadFieldsJSON(t *testing.T) {
	received := time.Date(2019, 3, 4, 5, 6, 7, 0, time.UTC)
	e := email.Envelope{ID: "1", Flags: email.Flags{}, From: []email.Address{}, To: []email.Address{},
		Cc: []email.Address{{Email: "c@x"}}, ReplyTo: []email.Address{{Name: "L", Email: "l@x"}},
		InReplyTo: []string{"p@x"}, References: []string{"r@x", "p@x"}, Received: received}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	for _, k := range []string{`"cc":`, `"reply-to":`, `"in-reply-to":["p@x"]`, `"references":["r@x","p@x"]`, `"received":"2019-03-04T05:06:07Z"`} {
		assert.Contains(t, string(b), k)
	}
	var back email.Envelope
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, e, back)

	b, err = json.Marshal(email.Envelope{ID: "2"})
	require.NoError(t, err)
	for _, k := range []string{"cc", "reply-to", "in-reply-to", "references", "received"} {
		assert.False(t, strings.Contains(string(b), `"`+k+`"`), "%s omitted when empty: %s", k, b)
	}
}

func TestNewAddOptions(t *testing.T) {
	at := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.True(t, email.NewAddOptions().Received.IsZero())
	assert.Equal(t, at, email.NewAddOptions(nil, email.WithReceived(at.Add(time.Hour)), email.WithReceived(at)).Received, "the last wins, nil skipped")
}
