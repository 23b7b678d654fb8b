package email_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestRecipientErrorIsAnError(t *testing.T) {
	cause := &email.NotFoundError{Mailbox: "nobody@example.org"}
	var err error = email.RecipientError{Address: "nobody@example.org", Err: cause, Reason: "550 5.1.1 no such user"}
	assert.Equal(t, "email: recipient <nobody@example.org> refused: 550 5.1.1 no such user", err.Error())
	assert.ErrorIs(t, err, email.ErrNotFound, "Unwrap reaches the backend's error")
	var re email.RecipientError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "nobody@example.org", re.Address)

	// After a JSON round trip only Reason survives, and Error still says it.
	b, err2 := json.Marshal(email.SendResult{Rejected: []email.RecipientError{re}})
	require.NoError(t, err2)
	var back email.SendResult
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back.Rejected, 1)
	assert.Equal(t, err.Error(), back.Rejected[0].Error())
	assert.NoError(t, back.Rejected[0].Unwrap())
	assert.Equal(t, "email: recipient <x@y> refused: boom", email.RecipientError{Address: "x@y", Err: errors.New("boom")}.Error())
}

func TestFlagOpJSON(t *testing.T) {
	type req struct {
		Op email.FlagOp `json:"op"`
	}
	b, err := json.Marshal(req{email.FlagRemove})
	require.NoError(t, err)
	assert.JSONEq(t, `{"op":"remove"}`, string(b))
	for in, want := range map[string]email.FlagOp{`"add"`: email.FlagAdd, `"SET"`: email.FlagSet, `2`: email.FlagRemove, `3`: email.FlagSet} {
		var r req
		require.NoError(t, json.Unmarshal([]byte(`{"op":`+in+`}`), &r), in)
		assert.Equal(t, want, r.Op, in)
	}
	for _, in := range []string{`"toggle"`, `0`, `4`, `true`, `""`} {
		var r req
		assert.ErrorIs(t, json.Unmarshal([]byte(`{"op":`+in+`}`), &r), email.ErrInvalidArgument, in)
	}
	_, err = json.Marshal(req{})
	assert.ErrorIs(t, err, email.ErrInvalidArgument, "the zero FlagOp is invalid and is not written")
}

func TestParseFlagMaildirLetterIsAKeyword(t *testing.T) {
	// The README: the info letter S is the maildir backend's to map;
	// ParseFlag reads spellings, and "S" is a legal IMAP keyword.
	s := email.ParseFlag("S")
	assert.Equal(t, email.Custom, s.IANA)
	assert.False(t, s.Equal(email.FlagSeen))
	assert.True(t, email.ParseFlag("$Seen").Equal(email.FlagSeen))
}
