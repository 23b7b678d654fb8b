package search

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestSortASCIICasemap(t *testing.T) {
	envs := []email.Envelope{
		{ID: "1", Subject: "_underscore"},
		{ID: "2", Subject: "zebra"},
		{ID: "3", Subject: "Apple"},
		{ID: "4", Subject: "[tag] Re: apple"}, // same base subject as 3
	}
	MustParse("order by subject").SortEnvelopes(envs)
	// Upper-cased, "_" (0x5F) sorts after "Z" (0x5A); lower-cased it would come first.
	assert.Equal(t, []string{"3", "4", "2", "1"}, ids(envs))
}

func TestSortTieBreak(t *testing.T) {
	d := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	envs := []email.Envelope{
		{ID: "9", MessageID: "b@x", Subject: "same", Date: d},
		{ID: "10", MessageID: "a@x", Subject: "same", Date: d},
		{ID: "1", MessageID: "c@x", Subject: "same"},
		{ID: "2", MessageID: "z@x", Subject: "same", Date: d.Add(time.Hour)},
		{ID: "3", MessageID: "a@x", Subject: "same", Date: d},
	}
	MustParse("order by subject").SortEnvelopes(envs)
	// Date newest first, undated last; then Message-ID; then id.
	assert.Equal(t, []string{"2", "10", "3", "9", "1"}, ids(envs))
	assert.Equal(t, -1, Compare(&envs[0], &envs[1], MustParse("order by subject").Sort))
	assert.Equal(t, 0, Compare(&envs[0], &envs[0], nil))
}

func TestDisplayKey(t *testing.T) {
	assert.Equal(t, "", DisplayKey(nil))
	assert.Equal(t, "BJöRN", DisplayKey([]email.Address{{Name: "Björn", Email: "b@x"}}))
	assert.Equal(t, "B@X", DisplayKey([]email.Address{{Email: "b@x"}, {Name: "A", Email: "a@x"}}))
}

func TestFieldText(t *testing.T) {
	l := []email.Address{{Name: "Ann", Email: "a@x"}, {Email: "b@y"}, {Name: "undisclosed-recipients"}}
	assert.Equal(t, "Ann <a@x>, b@y, undisclosed-recipients", FieldText(l))
	env := email.Envelope{From: l}
	for q, want := range map[string]bool{
		`from "ann <a@"`:    true, // across name and address
		`from "x>, b@"`:     true, // across two entries
		"from undisclosed":  true,
		"from zed":          false,
		`from ""`:           true,
		`to ""`:             false, // no To address
		`from "a@x, b@y"`:   false,
		`from "<a@x>, b@y"`: true,
	} {
		ok, err := MustParse(q).Match(env, nil)
		require.NoError(t, err)
		assert.Equal(t, want, ok, q)
	}
}

func TestMatchWith(t *testing.T) {
	env := email.Envelope{Subject: "hello", From: []email.Address{{Email: "a@x"}}}
	asked := []string{}
	has := func(v string) (bool, error) { asked = append(asked, v); return v == "yes", nil }
	for q, want := range map[string]bool{
		"body yes":                 true,
		"body no":                  false,
		"not body no and from a@x": true,
		"subject bye or body yes":  true,
		"subject bye and body yes": false,
	} {
		ok, err := MustParse(q).MatchWith(env, has)
		require.NoError(t, err)
		assert.Equal(t, want, ok, q)
	}
	assert.NotEmpty(t, asked)
	boom := errors.New("boom")
	_, err := MustParse("body x").MatchWith(env, func(string) (bool, error) { return false, boom })
	assert.ErrorIs(t, err, boom)
}

func TestEnvelopeFromHeader(t *testing.T) {
	env := EnvelopeFromHeader([]byte("Subject: =?UTF-8?Q?caf=C3=A9?=\r\nFrom: a@x (Ann)\r\nDate: Mon, 2 Mar 2026 23:30:00 -0500\r\nMessage-ID: <id@x>\r\n\r\n"))
	assert.Equal(t, "café", env.Subject)
	assert.Equal(t, []email.Address{{Name: "Ann", Email: "a@x"}}, env.From)
	assert.Equal(t, Day{2026, 3, 2}, DayOf(env.Date))
	assert.Equal(t, "id@x", env.MessageID)
	// JMAP raw values written back as lines, LF only, no blank line.
	env = EnvelopeFromHeader([]byte("To: b@y\nSubject:  Re: x\n"))
	assert.Equal(t, "Re: x", env.Subject)
	assert.Equal(t, "b@y", env.To[0].Email)
	assert.True(t, env.Date.IsZero())
}
