package search_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
	"github.com/ioemail/ioemail/search"
)

// TestSharedSamples runs queries over testdata/messages, with envelopes
// built by internal/header as the local stores build them.
func TestSharedSamples(t *testing.T) {
	files, err := filepath.Glob("../testdata/messages/*.eml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 15)
	raws := map[string][]byte{}
	var envs []email.Envelope
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		id := strings.SplitN(filepath.Base(f), "-", 2)[0]
		raws[id] = raw
		s := header.Scan(raw)
		envs = append(envs, email.Envelope{ID: id, MessageID: s.MessageID, Subject: s.Subject, From: s.From, To: s.To, Date: s.Date})
	}

	cases := []struct {
		q    string
		want []string // in the query's order
	}{
		// The README's order: newest first, undated last.
		{"", []string{"15", "14", "13", "12", "11", "07", "06", "05", "04", "03", "02", "01", "09", "10", "08"}},
		{"subject \"grüße aus münchen\"", []string{"04"}},
		{"subject \"réunion de l'équipe\"", []string{"05"}},
		{"subject \"– budget €\"", []string{"05"}},
		{"subject 会議の議事録", []string{"12"}},
		{"subject \"folded\"", []string{"07"}},
		{"from françois", []string{"05"}},
		{"from jörg", []string{"04"}},
		{"from \"carol jones\"", []string{"06"}},
		{"from 山田", []string{"12"}},
		{"to \"stone, bob\"", []string{"06"}},
		{"to \"bob stöne\"", []string{"04"}},
		{"to ångström", []string{"12"}},
		{"body \"réunion est déplacée\"", []string{"05"}},
		{"body \"invoice 2025-117 attached\"", []string{"03"}},
		{"body JVBERi0xLjQ", nil},
		{"body \"mailing list\"", []string{"14"}},
		{"body \"draft attached\"", []string{"14"}},
		{"body 議事録", []string{"12"}},
		{"body \"please call back\"", []string{"13"}},
		// 12 is 2025-06-13 10:00 +0900; 13 is 2025-06-13 23:59:59 -1000,
		// that is 2025-06-14 in UTC: each is on its own header's day.
		{"date 2025-06-13", []string{"13", "12"}},
		{"date 2025-06-14", nil},
		{"date 2025-06-12", []string{"11"}},
		{"date 1997-07-02", []string{"10"}},
		{"before 2000-01-01", []string{"10"}},
		{"after 2025-06-15", []string{"15"}},
		{"before 2025-06-03", []string{"01", "09", "10"}},
		{"not before 2030-01-01", []string{"08"}},
		{"after 2025-06-01 before 2025-06-05 order by date", []string{"01", "02", "03"}},
		// By display name: Alice, François, Henry, Jack, Jörg, Legacy,
		// M\ufffdnica (raw cp1252 byte replaced), Old, Shop, 山田.
		{"to bob not (from example.com or body invoice) order by from", []string{"01", "05", "07", "11", "04", "10", "15", "09", "02", "12"}},
	}
	for _, c := range cases {
		q := search.MustParse(c.q)
		var hits []email.Envelope
		for _, e := range envs {
			ok, err := q.Match(e, func() ([]byte, error) { return raws[e.ID], nil })
			require.NoError(t, err)
			if ok {
				hits = append(hits, e)
			}
		}
		q.SortEnvelopes(hits)
		var got []string
		for _, h := range hits {
			got = append(got, h.ID)
		}
		assert.Equal(t, c.want, got, c.q)
	}
	assert.True(t, slices.ContainsFunc(envs, func(e email.Envelope) bool { return e.ID == "08" && e.Date.IsZero() }))
}
