package jmap

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// TestEnvelopeRawHeaders: with the raw header properties, an Email gives
// the envelope the local parser gives, not the server's parsed forms.
func TestEnvelopeRawHeaders(t *testing.T) {
	body := `{"id":"M1","messageId":null,"subject":"x","from":[{"name":null,"email":"vondruch"}],"to":[],
		"sentAt":"2026-01-20T02:00:00Z","size":10,"keywords":{"$seen":true},
		"header:From:asRaw:all":[" vondruch at redhat.com (=?UTF-8?Q?V=C3=ADt?=)", " second@x"],
		"header:To:asRaw:all":[" undisclosed-recipients:;"],
		"header:Subject:asRaw:all":[" =?UTF-8?Q?caf=C3=A9?="],
		"header:Date:asRaw:all":[" Mon, 19 Jan 2026 21:00:00 EST"],
		"header:Message-ID:asRaw:all":[" <20260113021000.ABCDEF>"]}`
	var e Email
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	env := e.Envelope()
	assert.Equal(t, []email.Address{{Name: "Vít", Email: "vondruch@redhat.com"}}, env.From, "the first From field counts")
	assert.Equal(t, header.ParseAddressList("undisclosed-recipients:;"), env.To)
	assert.Equal(t, "café", env.Subject)
	assert.Equal(t, "20260113021000.ABCDEF", env.MessageID)
	_, off := env.Date.Zone()
	assert.Equal(t, -5*3600, off, "the Date header's own offset")
	assert.True(t, env.Flags.HasIANA(email.Seen))
	assert.Equal(t, "M1", env.ID)

	// Without them, the server's parsed properties are used.
	var plain Email
	require.NoError(t, json.Unmarshal([]byte(`{"id":"M2","subject":"s","from":[{"name":"A","email":"a@x"}]}`), &plain))
	assert.Equal(t, []email.Address{{Name: "A", Email: "a@x"}}, plain.Envelope().From)
}
