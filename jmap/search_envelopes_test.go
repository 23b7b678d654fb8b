package jmap

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
	"github.com/ioemail/ioemail/search"
)

func compiled(t *testing.T, query string) string {
	q, err := search.Parse(query)
	require.NoError(t, err, query)
	c := compileFilter(q.Filter, true)
	if k, ok := c.(constant); ok {
		if k {
			return "TRUE"
		}
		return "FALSE"
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	return string(b)
}

// TestCompileFilter: only flags and body reach the server; text and date
// conditions are widened to true in a superset and narrowed to false in
// a subset (so under not a text condition is true as well).
func TestCompileFilter(t *testing.T) {
	for q, want := range map[string]string{
		"from alice":                                     "TRUE",
		"subject test":                                   "TRUE",
		"not subject test":                               "TRUE",
		`flag \Seen`:                                     `{"hasKeyword":"$seen"}`,
		"body b":                                         `{"body":"b"}`,
		"subject a or not body b":                        "TRUE",
		"subject a and not body b":                       `{"conditions":[{"body":"b"}],"operator":"NOT"}`,
		"date 2024-01-01":                                "TRUE",
		"not date 2024-01-01":                            "TRUE",
		"not before 2024-01-01":                          "TRUE",
		"subject a and after 2024-01-01":                 "TRUE",
		"flag seen and after 2024-01-01":                 `{"hasKeyword":"$seen"}`,
		"not (flag seen or date 2024-01-01)":             `{"conditions":[{"hasKeyword":"$seen"}],"operator":"NOT"}`,
		"not (flag seen and date 2024-01-01)":            "TRUE",
		"(from a or flag seen) and flag draft or body x": `{"conditions":[{"hasKeyword":"$draft"},{"body":"x"}],"operator":"OR"}`,
	} {
		assert.Equal(t, want, compiled(t, q), "%q", q)
	}
}

// fakeMessage is one message of fakeJMAP.
type fakeMessage struct {
	id       string
	head     string // raw header, CRLF line ends
	keywords map[string]bool
	body     string
}

// fakeJMAP answers Email/query (inMailbox, body, hasKeyword, operators;
// any other condition fails the test: the machine must not send it) and
// Email/get of ids with header:X:all and envelope properties, capping
// windows at maxObjectsInGet (3 in testSession).
type fakeJMAP struct {
	t     *testing.T
	msgs  []fakeMessage
	calls []string
}

func (f *fakeJMAP) eval(filter map[string]any, m fakeMessage) bool {
	for k, v := range filter {
		switch k {
		case "inMailbox":
		case "body":
			if !strings.Contains(strings.ToLower(m.body), strings.ToLower(v.(string))) {
				return false
			}
		case "hasKeyword":
			if !m.keywords[v.(string)] {
				return false
			}
		case "operator":
			var got []bool
			for _, c := range filter["conditions"].([]any) {
				got = append(got, f.eval(c.(map[string]any), m))
			}
			switch v {
			case "AND":
				return !slices.Contains(got, false)
			case "OR":
				return slices.Contains(got, true)
			case "NOT":
				return !slices.Contains(got, true)
			}
		case "conditions":
		default:
			f.t.Errorf("the server was sent filter condition %q", k)
		}
	}
	return true
}

// rawField returns the raw values of a header field, as RFC 8621's Raw
// form: what follows the colon, folding kept.
func rawField(head, name string) []string {
	var out []string
	for f := range header.Fields([]byte(head)) {
		if strings.EqualFold(string(f.Name), name) {
			out = append(out, string(f.Value))
		}
	}
	return out
}

func (f *fakeJMAP) serve(c [][3]json.RawMessage) string {
	var out []string
	var lastIDs []string
	for _, call := range c {
		var name, id string
		require.NoError(f.t, json.Unmarshal(call[0], &name))
		require.NoError(f.t, json.Unmarshal(call[2], &id))
		var args map[string]any
		require.NoError(f.t, json.Unmarshal(call[1], &args))
		f.calls = append(f.calls, name)
		switch name {
		case "Email/query":
			var ids []string
			for _, m := range f.msgs {
				if f.eval(args["filter"].(map[string]any), m) {
					ids = append(ids, m.id)
				}
			}
			pos := int(args["position"].(float64))
			ids = ids[min(pos, len(ids)):min(pos+3, len(ids))]
			lastIDs = ids
			b, _ := json.Marshal(map[string]any{"ids": ids})
			out = append(out, `["Email/query",`+string(b)+`,"`+id+`"]`)
		case "Email/get":
			ids := lastIDs
			if raw, ok := args["ids"]; ok {
				ids = nil
				for _, x := range raw.([]any) {
					ids = append(ids, x.(string))
				}
			}
			var list []map[string]any
			for _, m := range f.msgs {
				if !slices.Contains(ids, m.id) {
					continue
				}
				o := map[string]any{"id": m.id}
				for _, p := range args["properties"].([]any) {
					p := p.(string)
					switch {
					case strings.HasPrefix(p, "header:"):
						o[p] = rawField(m.head, strings.Split(p, ":")[1])
					case p == "keywords":
						o[p] = m.keywords
					case p == "subject":
						o[p] = "the server's parse, unused"
					}
				}
				list = append(list, o)
			}
			slices.Reverse(list) // any order
			b, _ := json.Marshal(map[string]any{"list": list})
			out = append(out, `["Email/get",`+string(b)+`,"`+id+`"]`)
		}
	}
	return `{"methodResponses":[` + strings.Join(out, ",") + `]}`
}

// TestSearchEnvelopesExact runs queries over a fake server and compares
// each answer, whole and page by page, with package search's over the same
// messages decoded as the local stores decode them.
func TestSearchEnvelopesExact(t *testing.T) {
	heads := []string{
		"From: vondruch at redhat.com (=?UTF-8?B?QmrDtnJu?=)\r\nSubject: GroupwiseForwardingTest\r\nDate: Mon, 2 Feb 2026 23:30:00 -0500\r\n",
		"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: Test message\r\nDate: Tue, 3 Feb 2026 10:00:00 +0000\r\n",
		"From: bob@example.net\r\nSubject: Delivery status notification\r\nDate: someday\r\n",
		"From: _under <u@x>\r\nSubject: =?ISO-8859-1?Q?r=E9union?=\r\n",
		"From: Zed <z@x>\r\nFrom: Alice <alice@y>\r\nSubject: Re: test\r\n  folded\r\nDate: Wed, 4 Feb 2026 01:00:00 +0100\r\n",
		"From: Carol <c@x>\r\nTo: Alice <a@x>\r\nSubject: a\r\nDate: Tue, 3 Feb 2026 10:00:00 +0000\r\n",
		"Subject: nothing\r\nDate: Thu, 5 Feb 2026 10:00:00 +0900\r\n",
	}
	f := &fakeJMAP{t: t}
	var truth []email.Envelope
	for i, h := range heads {
		m := fakeMessage{id: fmt.Sprintf("M%d", i), head: h + "\r\n", keywords: map[string]bool{}, body: []string{"invoice", "pizza x", ""}[i%3]}
		if i%2 == 0 {
			m.keywords["$seen"] = true
		}
		f.msgs = append(f.msgs, m)
		s := header.Scan([]byte(m.head))
		truth = append(truth, email.Envelope{ID: m.id, MessageID: s.MessageID, Subject: s.Subject, From: s.From, To: s.To, Date: s.Date, Flags: KeywordFlags(m.keywords)})
	}
	queries := []string{
		"", "from björn", "subject test", "subject testing", `subject "delivery notification"`, "from alice",
		"to alice", "date 2026-02-02", "before 2026-02-04", "not before 2026-02-04", "after 2026-02-03",
		"flag seen", "not flag seen", "body invoice", "body invoice or from alice", "not body pizza and subject t",
		"body x and from alice", "flag seen order by from", "order by subject", "order by subject desc",
		"order by from desc", "order by to", "order by date", "subject réunion or body pizza order by date",
		"not (flag seen or date 2026-02-03)",
	}
	for _, qs := range queries {
		q := search.MustParse(qs)
		var want []email.Envelope
		for _, e := range truth {
			ok, err := q.Match(e, func() ([]byte, error) {
				return []byte("\r\n" + f.msgs[slices.IndexFunc(f.msgs, func(m fakeMessage) bool { return m.id == e.ID })].body), nil
			})
			require.NoError(t, err)
			if ok {
				want = append(want, e)
			}
		}
		q.SortEnvelopes(want)
		wantIDs := []string{}
		for _, e := range want {
			wantIDs = append(wantIDs, e.ID)
		}
		for _, opts := range []email.ListOptions{{}, {Page: 1, PageSize: 2}, {Page: 2, PageSize: 2}, {Page: 9, PageSize: 2}} {
			envs, _, err := run(SearchEnvelopes(testSession(t), "mb", q, opts), api(t, f.serve))
			require.NoError(t, err, qs)
			got := []string{}
			for _, e := range envs {
				got = append(got, e.ID)
				i := slices.IndexFunc(truth, func(w email.Envelope) bool { return w.ID == e.ID })
				assert.Equal(t, truth[i].Subject, e.Subject, "the page's envelopes come from the raw header fields")
			}
			start, end := opts.Window(len(wantIDs))
			assert.Equal(t, wantIDs[start:end], got, "%q %+v", qs, opts)
		}
	}
}

// TestSearchEnvelopesExchanges counts the exchanges: one per window of
// candidates (3 here), one per window of a body query, one for the page.
func TestSearchEnvelopesExchanges(t *testing.T) {
	f := &fakeJMAP{t: t}
	for i := range 7 {
		f.msgs = append(f.msgs, fakeMessage{id: fmt.Sprint(i), head: "Subject: s\r\n\r\n", body: "x", keywords: map[string]bool{}})
	}
	for _, c := range []struct {
		q         string
		exchanges int
	}{
		{"", 3 + 1},
		{"subject s", 3 + 1},
		{"body x", 3 + 1},                  // exact: the server's answer
		{"body x and subject s", 3 + 1},    // the superset is the body condition
		{"body x or subject s", 3 + 3 + 1}, // the body's own query, then every message
		{"body y or subject t", 1 + 3},     // no match: no page
	} {
		envs, n, err := run(SearchEnvelopes(testSession(t), "mb", search.MustParse(c.q), email.ListOptions{}), api(t, f.serve))
		require.NoError(t, err, c.q)
		if strings.Contains(c.q, "body y") {
			assert.Empty(t, envs)
		}
		assert.Equal(t, c.exchanges, n, "%q", c.q)
	}
}

// TestSearchEnvelopesHostile: a server that never ends the listing, one
// that answers more ids than asked for, and a method error are errors,
// not loops or panics; ids the query did not give are ignored.
func TestSearchEnvelopesHostile(t *testing.T) {
	endless := api(t, func(c [][3]json.RawMessage) string {
		return `{"methodResponses":[["Email/query",{"ids":["a","b","c"]},"q"],["Email/get",{"list":[{"id":"a"},{"id":"zzz"}]},"g"]]}`
	})
	_, n, err := run(SearchEnvelopes(testSession(t), "mb", search.MustParse("subject x"), email.ListOptions{}), endless)
	assert.ErrorIs(t, err, email.ErrProtocol)
	assert.Equal(t, 2, n, "the second window, all old ids, ends it")
	// A server that lists new ids forever stops at maxSearchIDs.
	big := testSession(t)
	big.Core.MaxObjectsInGet = 1 << 17
	next := 0
	forever := api(t, func(c [][3]json.RawMessage) string {
		ids := make([]string, 1<<17)
		for i := range ids {
			ids[i] = fmt.Sprint(next)
			next++
		}
		b, _ := json.Marshal(ids)
		return `{"methodResponses":[["Email/query",{"ids":` + string(b) + `},"q"]]}`
	})
	_, n, err = run(SearchEnvelopes(big, "mb", search.MustParse("body x or subject y"), email.ListOptions{}), forever)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.Equal(t, 9, n)

	tooMany := api(t, func(c [][3]json.RawMessage) string {
		return `{"methodResponses":[["Email/query",{"ids":["a","b","c","d"]},"q"],["Email/get",{"list":[]},"g"]]}`
	})
	_, _, err = run(SearchEnvelopes(testSession(t), "mb", search.Query{}, email.ListOptions{}), tooMany)
	assert.ErrorIs(t, err, email.ErrProtocol)

	refused := api(t, func(c [][3]json.RawMessage) string {
		return `{"methodResponses":[["error",{"type":"unsupportedFilter"},"q"]]}`
	})
	_, _, err = run(SearchEnvelopes(testSession(t), "mb", search.MustParse("body x or from y"), email.ListOptions{}), refused)
	var me *MethodError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "unsupportedFilter", me.Type)

	// The Email/get answers an id the query did not list: it is not a
	// candidate.
	stray := api(t, func(c [][3]json.RawMessage) string {
		if len(c) == 1 {
			return `{"methodResponses":[["Email/get",{"list":[{"id":"a","header:Subject:asRaw:all":[" x"]}]},"g"]]}`
		}
		return `{"methodResponses":[["Email/query",{"ids":["a"]},"q"],["Email/get",{"list":[` +
			`{"id":"a","header:Subject:asRaw:all":[" x"]},{"id":"evil","header:Subject:asRaw:all":[" x"]}]},"g"]]}`
	})
	envs, _, err := run(SearchEnvelopes(testSession(t), "mb", search.MustParse("subject x"), email.ListOptions{}), stray)
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, "a", envs[0].ID)
}
