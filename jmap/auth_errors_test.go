package jmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// A 401 on the session resource or the API endpoint is a refused
// credential: it matches email.ErrAuthFailed (and, as before,
// email.ErrRefused); a 403 is a refusal but not an authentication failure.
func TestHTTP401MatchesErrAuthFailed(t *testing.T) {
	_, _, err := run(Discover("https://jmap.example.org/.well-known/jmap", "Basic c2VjcmV0"), func(Request) Response {
		return Response{Status: 401, Body: []byte(`{"type":"about:blank","detail":"bad credentials"}`)}
	})
	require.ErrorIs(t, err, email.ErrAuthFailed, "session discovery")
	assert.ErrorIs(t, err, email.ErrRefused)
	assert.NotContains(t, err.Error(), "c2VjcmV0")

	_, _, err = run(ListMailboxes(testSession(t), email.ListMailboxesOptions{}), func(Request) Response { return Response{Status: 401} })
	require.ErrorIs(t, err, email.ErrAuthFailed, "API call")

	_, _, err = run(ListMailboxes(testSession(t), email.ListMailboxesOptions{}), func(Request) Response { return Response{Status: 403} })
	require.ErrorIs(t, err, email.ErrRefused)
	assert.NotErrorIs(t, err, email.ErrAuthFailed)
}
