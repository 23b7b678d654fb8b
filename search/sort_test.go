package search

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/email"
)

func ids(envs []email.Envelope) []string {
	out := make([]string, len(envs))
	for i, e := range envs {
		out[i] = e.ID
	}
	return out
}

func TestSort(t *testing.T) {
	utc := time.UTC
	plus2 := time.FixedZone("", 2*3600)
	envs := []email.Envelope{
		{ID: "a", Subject: "Re: Banana", Date: time.Date(2026, 1, 2, 10, 0, 0, 0, utc),
			From: []email.Address{{Name: "zed", Email: "a@x"}}, To: []email.Address{{Email: "B@x"}}},
		{ID: "b", Subject: "apple", Date: time.Date(2026, 1, 2, 11, 0, 0, 0, plus2), // 09:00 UTC
			From: []email.Address{{Email: "Mary@x"}}, To: []email.Address{{Name: "Al", Email: "z@x"}}},
		{ID: "c", Subject: "[list] Fwd: cherry (fwd)", Date: time.Date(2026, 1, 3, 0, 0, 0, 0, utc)},
		{ID: "d", Subject: "Cherry"},
		{ID: "e", Subject: "banana", Date: time.Date(2026, 1, 2, 10, 0, 0, 0, utc),
			From: []email.Address{{Name: "Ann", Email: "q@x"}}},
	}
	cases := []struct {
		q    string
		want []string
	}{
		{"", []string{"c", "a", "e", "b", "d"}},
		{"order by date desc", []string{"c", "a", "e", "b", "d"}},
		{"order by date", []string{"d", "b", "a", "e", "c"}},
		// Ties fall back to date desc, then id.
		{"order by subject", []string{"b", "a", "e", "c", "d"}},
		{"order by subject desc", []string{"c", "d", "a", "e", "b"}},
		{"order by from", []string{"c", "d", "e", "b", "a"}},
		{"order by from desc", []string{"a", "b", "e", "c", "d"}},
		{"order by to", []string{"c", "e", "d", "b", "a"}},
		{"order by to desc date", []string{"a", "b", "d", "e", "c"}},
	}
	for _, c := range cases {
		got := append([]email.Envelope(nil), envs...)
		MustParse(c.q).SortEnvelopes(got)
		assert.Equal(t, c.want, ids(got), c.q)
	}
}

func TestBaseSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Hello":                           "Hello",
		"Re: Hello":                       "Hello",
		"RE: re: Fwd: FW: Hello":          "Hello",
		"Re[2]: Hello":                    "Hello",
		"Re [2]: Hello":                   "Hello",
		"[list] Re: Hello":                "Hello",
		"[list] Hello":                    "Hello",
		"[list]":                          "[list]",
		"Hello (fwd)":                     "Hello",
		"Hello (FWD) (fwd)  ":             "Hello",
		"[Fwd: Re: Hello]":                "Hello",
		"  many   spaces\there ":          "many spaces here",
		"Report on re:sults":              "Report on re:sults",
		"Regarding":                       "Regarding",
		"Re:":                             "",
		"[a][b] Re: [c] Fwd: Final (fwd)": "Final",
	} {
		assert.Equal(t, want, BaseSubject(in), in)
	}
}
