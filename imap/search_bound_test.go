package imap

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/searchexact"
	"github.com/ioemail/ioemail/search"
)

// keysOf writes n as SEARCH keys.
func keysOf(t *testing.T, n search.Node) string {
	t.Helper()
	e := wire.NewCommand("A1", "UID SEARCH", wire.EncodeOptions{LiteralPlus: true})
	e.SP()
	var utf8 bool
	require.NoError(t, writeKey(e, n, 0, true, &utf8))
	c, err := e.Finish()
	require.NoError(t, err)
	var b strings.Builder
	for _, seg := range c.Segments {
		b.Write(seg)
	}
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), "A1 UID SEARCH "), "\r\n")
}

// TestBound checks, node by node, what the server is asked: the plan of
// each query (exact on the server, a superset checked here, or the whole
// mailbox checked here), the superset's keys, the body searches the
// check needs, and the header fields fetched.
func TestBound(t *testing.T) {
	cases := []struct {
		q      string
		plan   string // exact, superset, whole
		keys   string // the first UID SEARCH, "" when none
		bodies []string
		fields string
		flags  bool
	}{
		{"", "whole", "", nil, "DATE MESSAGE-ID", false},
		{"flag seen", "exact", "SEEN", nil, "DATE MESSAGE-ID", false},
		{"not flag seen and flag work", "exact", "NOT SEEN KEYWORD work", nil, "DATE MESSAGE-ID", false},
		{"body invoice", "exact", `BODY "invoice"`, nil, "DATE MESSAGE-ID", false},
		{"not body invoice or flag seen", "exact", `OR NOT BODY "invoice" SEEN`, nil, "DATE MESSAGE-ID", false},
		{"from alice", "whole", "", nil, "DATE MESSAGE-ID FROM", false},
		{"to bob", "whole", "", nil, "DATE MESSAGE-ID TO", false},
		{"subject test", "whole", "", nil, "DATE MESSAGE-ID SUBJECT", false},
		{"not from alice", "whole", "", nil, "DATE MESSAGE-ID FROM", false},
		{"date 2026-02-10", "whole", "", nil, "DATE MESSAGE-ID", false},
		{"before 2026-02-10", "whole", "", nil, "DATE MESSAGE-ID", false},
		{"after 2026-02-10", "whole", "", nil, "DATE MESSAGE-ID", false},
		// Undated messages match "not before D": SENTBEFORE is no subset
		// (Dovecot dates them 1970), so NOT SENTBEFORE is no superset.
		{"not before 2026-02-10", "whole", "", nil, "DATE MESSAGE-ID", false},
		{"from alice and flag seen", "superset", "SEEN", nil, "DATE MESSAGE-ID FROM", true},
		{"from alice or flag seen", "whole", "", nil, "DATE MESSAGE-ID FROM", true},
		{"not (from alice or flag seen)", "superset", "NOT SEEN", nil, "DATE MESSAGE-ID FROM", true},
		{"not (from alice and flag seen)", "whole", "", nil, "DATE MESSAGE-ID FROM", true},
		{"not (from alice or not flag seen)", "superset", "NOT NOT SEEN", nil, "DATE MESSAGE-ID FROM", true},
		{"(from a or flag seen) and flag draft", "superset", "DRAFT", nil, "DATE MESSAGE-ID FROM", true},
		{"(from a and flag seen) or flag draft", "superset", "OR SEEN DRAFT", nil, "DATE MESSAGE-ID FROM", true},
		// The superset is the body condition: its answer is also the body's.
		{"body deadline and from alice", "superset", `BODY "deadline"`, nil, "DATE MESSAGE-ID FROM", false},
		{"from alice body x or from b body y", "superset", `OR BODY "x" BODY "y"`, []string{"x", "y"}, "DATE MESSAGE-ID FROM", false},
		{"not body invoice and before 2026-01-01", "superset", `NOT BODY "invoice"`, []string{"invoice"}, "DATE MESSAGE-ID", false},
		{"body x or subject y", "whole", "", []string{"x"}, "DATE MESSAGE-ID SUBJECT", false},
		{"body x or body x and subject y", "superset", `OR BODY "x" BODY "x"`, []string{"x"}, "DATE MESSAGE-ID SUBJECT", false},
		{"flag seen order by from desc subject", "exact", "SEEN", nil, "DATE MESSAGE-ID FROM SUBJECT", false},
		{"date 2026-01-01 order by to", "whole", "", nil, "DATE MESSAGE-ID TO", false},
	}
	for _, c := range cases {
		q := search.MustParse(c.q)
		m := &searchEnvelopes{q: q}
		m.plan()
		plan := "superset"
		switch {
		case !m.local && !m.whole:
			plan = "exact"
		case m.whole:
			plan = "whole"
		}
		assert.Equal(t, c.plan, plan, "%q", c.q)
		keys := ""
		var bodies []string
		for i, st := range m.steps {
			if m.candidateStep(i) {
				keys = keysOf(t, st.key)
			}
			if st.body && !m.candidateStep(i) {
				bodies = append(bodies, st.value)
			}
		}
		assert.Equal(t, c.keys, keys, "%q", c.q)
		assert.Equal(t, c.bodies, bodies, "%q", c.q)
		assert.Equal(t, c.fields, m.fields, "%q", c.q)
		assert.Equal(t, c.flags, m.flags, "%q", c.q)
	}
}

// TestBoundIsSuperset evaluates, over a set of messages, every query of a
// generated family and its bounds with package search's matcher (the
// server is assumed to answer flag and body keys exactly): the wide bound
// holds every match, the narrow bound only matches.
func TestBoundIsSuperset(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 2, d, 23, 30, 0, 0, time.FixedZone("", -5*3600)) }
	var envs []email.Envelope
	var bodies []string
	for i := range 24 {
		e := email.Envelope{ID: fmt.Sprint(i), Subject: []string{"Test message", "GroupwiseForwardingTest", ""}[i%3]}
		if i%4 != 3 {
			e.Date = day(1 + i%5)
		}
		if i%2 == 0 {
			e.From = []email.Address{{Name: "Björn", Email: "vondruch@redhat.com"}}
		}
		if i%5 < 2 {
			e.Flags = email.NewFlags(email.FlagSeen)
		}
		envs = append(envs, e)
		bodies = append(bodies, []string{"invoice due", "nothing", "x"}[i%3])
	}
	leaves := []string{"from björn", "subject test", "subject testing", "date 2026-02-02", "before 2026-02-03",
		"after 2026-02-03", "flag seen", "body invoice", "body x"}
	var queries []string
	for _, a := range leaves {
		queries = append(queries, a, "not "+a)
		for _, b := range leaves {
			queries = append(queries, a+" and "+b, a+" or "+b, "not ("+a+" or "+b+")", "not ("+a+" and not "+b+")",
				"not (not "+a+" or "+b+") or flag seen")
		}
	}
	match := func(n search.Node, i int) bool {
		ok, err := search.Query{Filter: n}.Match(envs[i], func() ([]byte, error) {
			return []byte("\r\n" + bodies[i]), nil
		})
		require.NoError(t, err)
		return ok
	}
	for _, qs := range queries {
		f := search.MustParse(qs).Filter
		wide, narrow := bound(f, true), bound(f, false)
		for i := range envs {
			got := match(f, i)
			if got {
				assert.True(t, match(wide, i), "%q: message %d matches but not its superset %s", qs, i, keysOf(t, wide))
			}
			if match(narrow, i) {
				assert.True(t, got, "%q: message %d in the subset %s does not match", qs, i, keysOf(t, narrow))
			}
		}
		if searchexact.Exact(f) {
			assert.Equal(t, keysOf(t, f), keysOf(t, wide), "%q: an exact filter is its own bound", qs)
		}
	}
}
