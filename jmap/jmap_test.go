package jmap

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// run drives m, answering each request with h, and counts exchanges.
func run[R any](m Machine[R], h func(Request) Response) (R, int, error) {
	n := 0
	out, err := coroutine.Run(m, func(r Request) Response { n++; return h(r) })
	return out, n, err
}

const cyrusSession = `{"username":"alice","apiUrl":"/jmap/","downloadUrl":"/jmap/download/{accountId}/{blobId}/{name}?accept={type}","uploadUrl":"/jmap/upload/{accountId}/","eventSourceUrl":"/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}","state":"0","capabilities":{"urn:ietf:params:jmap:core":{"maxSizeUpload":1073741824,"maxConcurrentUpload":5,"maxSizeRequest":10485760,"maxConcurrentRequests":5,"maxCallsInRequest":2,"maxObjectsInGet":3,"maxObjectsInSet":3,"collationAlgorithms":[]},"urn:ietf:params:jmap:mail":{},"urn:ietf:params:jmap:submission":{},"https://example.org/unknown":{"x":[1,2]}},"accounts":{"alice":{"name":"alice","isPrimary":true,"accountCapabilities":{"urn:ietf:params:jmap:mail":{"emailsListSortOptions":["receivedAt","sentAt","id"]},"urn:ietf:params:jmap:submission":{}}},"other":{"accountCapabilities":{"urn:x":{}}}},"primaryAccounts":{"urn:ietf:params:jmap:mail":"alice","urn:ietf:params:jmap:vacationresponse":"alice"}}`

func testSession(t *testing.T) *Session {
	s, err := ParseSession([]byte(cyrusSession), "http://127.0.0.1:18080/jmap", "Basic c2VjcmV0")
	require.NoError(t, err)
	return s
}

func TestParseSession(t *testing.T) {
	s := testSession(t)
	assert.Equal(t, "http://127.0.0.1:18080/jmap/", s.APIURL)
	assert.Equal(t, "http://127.0.0.1:18080/jmap/upload/{accountId}/", s.UploadURL)
	assert.Equal(t, "alice", s.AccountID)
	assert.Equal(t, 2, s.MaxCalls())
	assert.Equal(t, 3, s.MaxGet())
	assert.True(t, s.Submission)
	assert.True(t, s.CanSort("sentAt"))
	assert.False(t, s.CanSort("subject"))
	assert.Contains(t, s.Capabilities, "https://example.org/unknown", "unknown capabilities kept")
	assert.NotContains(t, s.String()+s.GoString(), "c2VjcmV0")

	rel, err := ParseSession([]byte(`{"apiUrl":"api/","primaryAccounts":{"urn:ietf:params:jmap:mail":"a"},"accounts":{"a":{}}}`), "https://h.example/x/session", "")
	require.NoError(t, err)
	assert.Equal(t, "https://h.example/x/api/", rel.APIURL, "relative to the session URL's directory")
	assert.Equal(t, 16, rel.MaxCalls(), "defaults without core limits")

	noPrimary, err := ParseSession([]byte(`{"apiUrl":"/a","accounts":{"z":{"accountCapabilities":{"urn:ietf:params:jmap:mail":{}}},"b":{"accountCapabilities":{"urn:ietf:params:jmap:mail":{}}}}}`), "https://h/", "")
	require.NoError(t, err)
	assert.Equal(t, "b", noPrimary.AccountID)

	_, err = ParseSession([]byte(`{"apiUrl":"/a","accounts":{"z":{}}}`), "https://h/", "")
	assert.ErrorIs(t, err, ErrNoAccount)
	_, err = ParseSession([]byte(`{"accounts":{}}`), "https://h/", "")
	assert.ErrorIs(t, err, email.ErrProtocol)
	_, err = ParseSession([]byte(`{"apiUrl":`), "https://h/", "")
	assert.ErrorIs(t, err, email.ErrProtocol)
	_, err = ParseSession([]byte(`{"apiUrl":"/a","capabilities":{"urn:ietf:params:jmap:core":"nope"},"primaryAccounts":{"urn:ietf:params:jmap:mail":"a"}}`), "https://h/", "")
	assert.ErrorIs(t, err, email.ErrProtocol)
}

func TestExpand(t *testing.T) {
	s := testSession(t)
	assert.Equal(t, "http://127.0.0.1:18080/jmap/download/alice/G%2Fx%20y/message.eml?accept=message%2Frfc822",
		Expand(s.DownloadURL, map[string]string{"accountId": "alice", "blobId": "G/x y", "name": "message.eml", "type": "message/rfc822"}))
	assert.Equal(t, "a{b", Expand("a{b", nil))
}

func TestDiscoverFollowsRedirects(t *testing.T) {
	var seen []Request
	s, n, err := run(Discover("http://127.0.0.1:18080", "Basic c2VjcmV0"), func(r Request) Response {
		seen = append(seen, r)
		switch r.URL {
		case "http://127.0.0.1:18080/.well-known/jmap":
			return Response{Status: 301, Header: Header{"Location": {"/jmap"}}}
		case "http://127.0.0.1:18080/jmap":
			return Response{Status: 200, Body: []byte(cyrusSession)}
		}
		return Response{Status: 404}
	})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, "http://127.0.0.1:18080/jmap", s.URL)
	assert.Equal(t, "Basic c2VjcmV0", seen[1].Header.Get("Authorization"), "same origin keeps the credentials")
	assert.Equal(t, "application/json", seen[0].Header.Get("Accept"))
}

func TestFetchRedirects(t *testing.T) {
	auth := Header{"Authorization": {"Bearer tok"}}
	// A loop.
	_, n, err := run(Fetch(Request{Method: "GET", URL: "http://h/a", Header: auth}), func(r Request) Response {
		return Response{Status: 302, Header: Header{"Location": {r.URL}}}
	})
	assert.ErrorIs(t, err, ErrRedirectLoop)
	assert.ErrorIs(t, err, email.ErrProtocol)
	assert.Equal(t, MaxRedirects+1, n)
	// Another origin drops the credentials; 303 turns POST into GET.
	var last Request
	_, _, err = run(Fetch(Request{Method: "POST", URL: "https://h/a", Header: auth, Body: []byte("x")}), func(r Request) Response {
		last = r
		if r.URL == "https://h/a" {
			return Response{Status: 303, Header: Header{"Location": {"https://other:8443/b"}}}
		}
		return Response{Status: 200}
	})
	require.NoError(t, err)
	assert.Equal(t, "GET", last.Method)
	assert.Nil(t, last.Body)
	assert.Empty(t, last.Header.Get("Authorization"))
	// 307 keeps method and body.
	_, _, err = run(Fetch(Request{Method: "POST", URL: "https://h/a", Header: auth, Body: []byte("x")}), func(r Request) Response {
		last = r
		if r.URL == "https://h/a" {
			return Response{Status: 307, Header: Header{"Location": {"/c"}}}
		}
		return Response{Status: 200}
	})
	require.NoError(t, err)
	assert.Equal(t, "POST", last.Method)
	assert.Equal(t, "x", string(last.Body))
	assert.Equal(t, "Bearer tok", last.Header.Get("Authorization"))
	// Downgrade to http refused.
	_, _, err = run(Fetch(Request{Method: "GET", URL: "https://h/a", Header: auth}), func(r Request) Response {
		return Response{Status: 301, Header: Header{"Location": {"http://h/a"}}}
	})
	assert.ErrorIs(t, err, email.ErrInsecure)
	// Unusable location.
	_, _, err = run(Fetch(Request{Method: "GET", URL: "https://h/a"}), func(r Request) Response {
		return Response{Status: 301, Header: Header{"Location": {"ftp://h/a"}}}
	})
	assert.ErrorIs(t, err, email.ErrProtocol)
}

// api answers API requests with fn(calls) and other requests with 404.
func api(t *testing.T, fn func(calls [][3]json.RawMessage) string) func(Request) Response {
	return func(r Request) Response {
		if r.Method != "POST" || !strings.HasSuffix(r.URL, "/jmap/") {
			return Response{Status: 404}
		}
		var body struct {
			Using       []string             `json:"using"`
			MethodCalls [][3]json.RawMessage `json:"methodCalls"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body))
		return Response{Status: 200, Body: []byte(fn(body.MethodCalls))}
	}
}

func TestAPISplitsCalls(t *testing.T) {
	s := testSession(t)
	calls := []Call{{Name: "A/get", ID: "0", Args: map[string]any{}}, {Name: "A/get", ID: "1", Args: map[string]any{}}, {Name: "A/get", ID: "2", Args: map[string]any{}}}
	var sizes []int
	r, n, err := run(API(s, nil, calls), api(t, func(c [][3]json.RawMessage) string {
		sizes = append(sizes, len(c))
		var out []string
		for _, x := range c {
			out = append(out, `["A/get",{"n":1},`+string(x[2])+`]`)
		}
		return `{"methodResponses":[` + strings.Join(out, ",") + `],"sessionState":"7"}`
	}))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []int{2, 1}, sizes, "maxCallsInRequest honoured")
	assert.Len(t, r.List, 3)
	assert.Equal(t, "7", r.SessionState)
	require.NoError(t, r.Decode("2", "A/get", nil))
	assert.ErrorIs(t, r.Decode("9", "A/get", nil), email.ErrProtocol)
}

func TestGetSplitsIDs(t *testing.T) {
	s := testSession(t)
	var chunksSeen [][]string
	_, n, err := run(DeleteMessages(s, "mb", []string{"a", "b", "c", "d", "e"}), api(t, func(c [][3]json.RawMessage) string {
		var out []string
		for _, x := range c {
			var args struct {
				IDs     []string `json:"ids"`
				Destroy []string `json:"destroy"`
			}
			require.NoError(t, json.Unmarshal(x[1], &args))
			var name string
			require.NoError(t, json.Unmarshal(x[0], &name))
			if name == "Email/get" {
				chunksSeen = append(chunksSeen, args.IDs)
				var list []string
				for _, id := range args.IDs {
					list = append(list, `{"id":"`+id+`","mailboxIds":{"mb":true}}`)
				}
				out = append(out, `["Email/get",{"list":[`+strings.Join(list, ",")+`],"notFound":[]},`+string(x[2])+`]`)
			} else {
				b, _ := json.Marshal(args.Destroy)
				out = append(out, `["Email/set",{"destroyed":`+string(b)+`},`+string(x[2])+`]`)
			}
		}
		return `{"methodResponses":[` + strings.Join(out, ",") + `]}`
	}))
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"a", "b", "c"}, {"d", "e"}}, chunksSeen, "maxObjectsInGet honoured")
	assert.Equal(t, 2, n)
}

func TestMethodErrors(t *testing.T) {
	s := testSession(t)
	cases := []struct {
		resp string
		want error
		typ  string
	}{
		{`{"methodResponses":[["error",{"type":"serverFail","description":"Internal Error"},"0"]]}`, email.ErrProtocol, "serverFail"},
		{`{"methodResponses":[["error",{"type":"accountNotFound"},"0"]]}`, email.ErrNotFound, "accountNotFound"},
		{`{"methodResponses":[["error",{"type":"unknownMethod"},"0"]]}`, email.ErrUnsupported, "unknownMethod"},
		{`{"methodResponses":[["error",{"type":"requestTooLarge"},"0"]]}`, email.ErrTooLarge, "requestTooLarge"},
		{`{"methodResponses":[["error",{},"0"]]}`, email.ErrProtocol, "serverFail"},
	}
	for _, c := range cases {
		_, _, err := run(ListMailboxes(s, email.ListMailboxesOptions{}), func(Request) Response { return Response{Status: 200, Body: []byte(c.resp)} })
		require.Error(t, err)
		var me *MethodError
		require.ErrorAs(t, err, &me, c.resp)
		assert.Equal(t, c.typ, me.Type)
		assert.Equal(t, "Mailbox/get", me.Method)
		assert.ErrorIs(t, err, c.want, c.resp)
	}
}

func TestHostileResponses(t *testing.T) {
	s := testSession(t)
	cases := []struct {
		name string
		resp Response
		want error
	}{
		{"401", Response{Status: 401, Body: []byte("no")}, email.ErrRefused},
		{"403", Response{Status: 403}, email.ErrRefused},
		{"429", Response{Status: 429}, email.ErrProtocol},
		{"500", Response{Status: 500, Body: []byte(`{"type":"urn:ietf:params:jmap:error:limit","detail":"` + strings.Repeat("x", 1000) + `"}`)}, email.ErrProtocol},
		{"truncated JSON", Response{Status: 200, Body: []byte(`{"methodResponses":[["Mailbox/get",{"list":[`)}, email.ErrProtocol},
		{"invalid JSON", Response{Status: 200, Body: []byte(`<html>`)}, email.ErrProtocol},
		{"no methodResponses", Response{Status: 200, Body: []byte(`{}`)}, email.ErrProtocol},
		{"short invocation", Response{Status: 200, Body: []byte(`{"methodResponses":[["Mailbox/get",{}]]}`)}, email.ErrProtocol},
		{"wrong types", Response{Status: 200, Body: []byte(`{"methodResponses":[["Mailbox/get",{"list":"x"},"0"]]}`)}, email.ErrProtocol},
		{"missing response", Response{Status: 200, Body: []byte(`{"methodResponses":[["Other/get",{},"0"]]}`)}, email.ErrProtocol},
		{"transport", Response{Err: email.ErrTooLarge}, email.ErrTooLarge},
	}
	for _, c := range cases {
		_, _, err := run(ListMailboxes(s, email.ListMailboxesOptions{}), func(Request) Response { return c.resp })
		require.Error(t, err, c.name)
		assert.ErrorIs(t, err, c.want, c.name)
		assert.NotContains(t, err.Error(), "c2VjcmV0", c.name)
		assert.Less(t, len(err.Error()), 400, c.name)
	}
	var he *HTTPError
	_, _, err := run(ListMailboxes(s, email.ListMailboxesOptions{}), func(Request) Response { return Response{Status: 429} })
	require.ErrorAs(t, err, &he)
	assert.True(t, he.Temporary())
	_, _, err = run(ListMailboxes(s, email.ListMailboxesOptions{}), func(Request) Response {
		return Response{Status: 400, Body: []byte(`{"type":"urn:ietf:params:jmap:error:unknownCapability","status":400}`)}
	})
	require.ErrorAs(t, err, &he)
	assert.Equal(t, "urn:ietf:params:jmap:error:unknownCapability", he.Type)
}

func TestMailboxNamesFromParents(t *testing.T) {
	s := testSession(t)
	body := `{"methodResponses":[["Mailbox/get",{"state":"1","list":[
		{"id":"c","name":"C","parentId":"b","role":null},
		{"id":"b","name":"B","parentId":"a"},
		{"id":"a","name":"A","parentId":null},
		{"id":"i","name":"Inbox","parentId":null,"role":"inbox","totalEmails":3,"unreadEmails":1},
		{"id":"x","name":"X","parentId":"y"},{"id":"y","name":"Y","parentId":"x"},
		{"id":"o","name":"Orphan","parentId":"gone"}]},"0"]]}`
	boxes, _, err := run(ListMailboxes(s, email.ListMailboxesOptions{WithCounts: true}), func(Request) Response { return Response{Status: 200, Body: []byte(body)} })
	require.NoError(t, err)
	var names []string
	for _, b := range boxes {
		assert.Equal(t, b.Name, b.ID, "the id of a mailbox is its name, as on every backend")
		names = append(names, b.Name)
	}
	assert.Equal(t, "INBOX", boxes[0].Name, "inbox first, spelled INBOX")
	assert.Equal(t, 3, *boxes[0].Total)
	assert.Equal(t, email.RoleInbox, boxes[0].Role)
	assert.Contains(t, names, "A/B/C")
	assert.Contains(t, names, "Orphan")
	assert.Len(t, names, 7, "a parent cycle ends")
	for name, id := range map[string]string{"A/B/C": "c", "INBOX": "i", "inbox": "i", "Orphan": "o"} {
		got, ok := s.CachedMailboxID(name)
		assert.True(t, ok, name)
		assert.Equal(t, id, got, name)
	}
}

func TestCreateMailboxChain(t *testing.T) {
	s := testSession(t)
	var set json.RawMessage
	id, n, err := run(CreateMailbox(s, "A/B/C"), api(t, func(c [][3]json.RawMessage) string {
		var name string
		json.Unmarshal(c[0][0], &name)
		if name == "Mailbox/get" {
			return `{"methodResponses":[["Mailbox/get",{"list":[{"id":"a","name":"A","parentId":null}]},"0"]]}`
		}
		set = c[0][1]
		return `{"methodResponses":[["Mailbox/set",{"created":{"c1":{"id":"nb"},"c2":{"id":"nc"}}},"0"]]}`
	}))
	require.NoError(t, err)
	assert.Equal(t, "nc", id)
	assert.Equal(t, 2, n)
	assert.JSONEq(t, `{"accountId":"alice","create":{"c1":{"name":"B","parentId":"a"},"c2":{"name":"C","parentId":"#c1"}}}`, string(set))
}

func TestStoreFlagsPatches(t *testing.T) {
	s := testSession(t)
	var got []string
	h := api(t, func(c [][3]json.RawMessage) string {
		got = append(got, string(c[0][1]))
		return `{"methodResponses":[["Email/set",{"updated":{"e1":null}},"u0"]]}`
	})
	_, _, err := run(StoreFlags(s, []string{"e1"}, email.FlagAdd, email.ParseFlags(`\Seen`, "Work/Home")), h)
	require.NoError(t, err)
	_, _, err = run(StoreFlags(s, []string{"e1"}, email.FlagRemove, email.ParseFlags(`$Forwarded`)), h)
	require.NoError(t, err)
	_, _, err = run(StoreFlags(s, []string{"e1"}, email.FlagSet, email.ParseFlags(`\Draft`)), h)
	require.NoError(t, err)
	assert.JSONEq(t, `{"accountId":"alice","update":{"e1":{"keywords/$seen":true,"keywords/work~1home":true}}}`, got[0])
	assert.JSONEq(t, `{"accountId":"alice","update":{"e1":{"keywords/$forwarded":null}}}`, got[1])
	assert.JSONEq(t, `{"accountId":"alice","update":{"e1":{"keywords":{"$draft":true}}}}`, got[2])

	_, _, err = run(StoreFlags(s, []string{"e1"}, email.FlagAdd, email.ParseFlags(`\Seen`)), api(t, func([][3]json.RawMessage) string {
		return `{"methodResponses":[["Email/set",{"notUpdated":{"e1":{"type":"notFound"}}},"u0"]]}`
	}))
	assert.ErrorIs(t, err, email.ErrNotFound)
	var se *SetError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "e1", se.ID)
}

func TestEnvelopeConversion(t *testing.T) {
	yes := true
	e := Email{ID: "M1", MessageID: []string{"", " <a@b> "}, Keywords: map[string]bool{"$seen": true, "$flagged": false, "Work": true},
		Subject: "Hi", From: []EmailAddress{{Name: "A", Email: "a@x"}}, SentAt: "2024-01-10T10:00:00+02:00", Size: 42, HasAttachment: &yes}
	env := e.Envelope()
	assert.Equal(t, "a@b", env.MessageID)
	assert.True(t, env.Flags.Equal(email.ParseFlags(`\Seen`, "work")))
	_, off := env.Date.Zone()
	assert.Equal(t, 7200, off)
	assert.Equal(t, []email.Address{{Name: "A", Email: "a@x"}}, env.From)
	assert.Equal(t, []email.Address{}, env.To)
	assert.True(t, Email{SentAt: "garbage"}.Envelope().Date.IsZero())
}

func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"methodResponses":[["Mailbox/get",{"state":"22","list":[{"id":"cnb0","name":"Inbox","parentId":null,"role":"inbox","totalEmails":0,"unreadEmails":0}],"notFound":[],"accountId":"alice"},"0"],["error",{"type":"invalidArguments","arguments":["filter/inMailbox"]},"1"]],"sessionState":"0"}`))
	f.Add([]byte(`{"methodResponses":[["Email/get",{"list":[{"id":"M1","keywords":{"$seen":true},"from":[{"name":"A","email":"a@b"}],"sentAt":"2024-01-10T10:00:00+02:00","size":3}]},"g"]]}`))
	f.Add([]byte(`{"methodResponses":[["Email/set",{"notUpdated":{"e1":{"type":"notFound"}}},"u0"]]}`))
	f.Add([]byte(`{"methodResponses":[["Email/query",{"ids":["a"]},"q"],["Email/get",{"list":[{"id":"a"}]},"g"]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var q queryResponse
		var g emailGet
		if _, ok := DecodeInto(data, []string{"Email/query", "Email/get"}, []string{"q", "g"}, &q, &g); ok {
			// The fast path accepts only what the general path accepts.
			r, err := DecodeResponse(data)
			if err != nil {
				t.Fatalf("fast path accepted what DecodeResponse refuses: %v", err)
			}
			var g2 emailGet
			if err := r.Decode("g", "Email/get", &g2); err != nil || len(g2.List) != len(g.List) {
				t.Fatalf("paths disagree: %v", err)
			}
		}
		r, err := DecodeResponse(data)
		if err != nil {
			return
		}
		for _, inv := range r.List {
			var g emailGet
			if r.Decode(inv.ID, "Email/get", &g) == nil {
				for _, e := range g.List {
					_ = e.Envelope()
				}
			}
			var mg mailboxGet
			if r.Decode(inv.ID, "Mailbox/get", &mg) == nil {
				_ = mailboxPaths(mg.List)
			}
			var sr setResponse
			if r.Decode(inv.ID, "Email/set", &sr) == nil {
				_ = sr.firstError("Email/set")
			}
		}
	})
}

func FuzzParseSession(f *testing.F) {
	f.Add([]byte(cyrusSession), "http://127.0.0.1:18080/jmap")
	f.Add([]byte(`{"apiUrl":"api/","primaryAccounts":{"urn:ietf:params:jmap:mail":"a"},"accounts":{"a":{}}}`), "https://h/x/y")
	f.Fuzz(func(t *testing.T, data []byte, u string) {
		s, err := ParseSession(data, u, "Basic c2VjcmV0")
		if err != nil {
			if strings.Contains(err.Error(), "c2VjcmV0") {
				t.Fatal("credentials in error")
			}
			return
		}
		_ = Expand(s.DownloadURL, map[string]string{"accountId": s.AccountID, "blobId": "b"})
		_ = s.MaxGet() + s.MaxSet() + s.MaxCalls()
	})
}

func TestListFallsBackOnErrors(t *testing.T) {
	s := testSession(t)
	cases := map[string]error{
		`{"methodResponses":[["Email/query",{"ids":["a"]},"q"],["error",{"type":"serverFail"},"g"]]}`:         email.ErrProtocol,
		`{"methodResponses":[["error",{"type":"invalidArguments"},"q"],["error",{"type":"serverFail"},"g"]]}`: email.ErrInvalidArgument,
		`{"methodResponses":[["Email/query",{"ids":"a"},"q"],["Email/get",{"list":[]},"g"]]}`:                 email.ErrProtocol,
		`{"methodResponses":[["Email/query",{"ids":["a"]},"q"]]}`:                                             email.ErrProtocol,
	}
	for body, want := range cases {
		_, _, err := run(ListEnvelopes(s, "mb", email.ListOptions{}), func(Request) Response { return Response{Status: 200, Body: []byte(body)} })
		assert.ErrorIs(t, err, want, body)
	}
	var me *MethodError
	_, _, err := run(ListEnvelopes(s, "mb", email.ListOptions{}), func(Request) Response {
		return Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/query",{"ids":["a"]},"q"],["error",{"type":"serverFail","description":"boom"},"g"]]}`)}
	})
	require.ErrorAs(t, err, &me)
	assert.Equal(t, "boom", me.Description)
	envs, _, err := run(ListEnvelopes(s, "mb", email.ListOptions{PageSize: 2}), func(Request) Response {
		return Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/query",{"ids":["b","a"]},"q"],["Email/get",{"list":[{"id":"a","subject":"A"},{"id":"b","subject":"B"}]},"g"]],"sessionState":"other"}`)}
	})
	require.NoError(t, err)
	assert.Equal(t, "B", envs[0].Subject, "query order kept")
	assert.True(t, s.Stale(), "the fast path notices the session state")
}

func TestLimitsBeforeSending(t *testing.T) {
	s := testSession(t)
	s.Core.MaxSizeRequest = 100
	_, n, err := run(StoreFlags(s, []string{strings.Repeat("x", 200)}, email.FlagAdd, email.ParseFlags(`\Seen`)), func(Request) Response { return Response{Status: 500} })
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.Equal(t, 0, n, "nothing sent")

	s = testSession(t)
	s.Core.MaxSizeUpload = 10
	_, n, err = run(AddMessage(s, "mb", []byte("Subject: too long for the server\r\n\r\n"), nil), func(Request) Response { return Response{Status: 500} })
	assert.ErrorIs(t, err, email.ErrTooLarge)
	assert.Equal(t, 0, n)

	s = testSession(t)
	var last Request
	_, n, err = run(GetMessage(s, "mb", "e1", 1000), func(r Request) Response {
		last = r
		return Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/get",{"list":[{"id":"e1","blobId":"B","mailboxIds":{"mb":true},"size":5000}]},"0"]]}`)}
	})
	assert.ErrorIs(t, err, email.ErrTooLarge, "a message over the limit is not downloaded")
	assert.Equal(t, 1, n)
	assert.Equal(t, "POST", last.Method)

	body, n, err := run(GetMessage(s, "mb", "e1", 1000), func(r Request) Response {
		if r.Method == "GET" {
			assert.Equal(t, "http://127.0.0.1:18080/jmap/download/alice/B/message.eml?accept=message%2Frfc822", r.URL)
			assert.Equal(t, int64(1000), r.MaxBody)
			assert.Equal(t, "Basic c2VjcmV0", r.Header.Get("Authorization"))
			return Response{Status: 200, Body: []byte("raw")}
		}
		return Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/get",{"list":[{"id":"e1","blobId":"B","mailboxIds":{"mb":true},"size":3}]},"0"]]}`)}
	})
	require.NoError(t, err)
	assert.Equal(t, "raw", string(body))
	assert.Equal(t, 2, n)
	_, _, err = run(GetMessage(s, "other", "e1", 0), func(r Request) Response {
		return Response{Status: 200, Body: []byte(`{"methodResponses":[["Email/get",{"list":[{"id":"e1","blobId":"B","mailboxIds":{"mb":true},"size":3}]},"0"]]}`)}
	})
	assert.ErrorIs(t, err, email.ErrNotFound)
}

func TestListFollowsCappedLimit(t *testing.T) {
	s := testSession(t) // maxObjectsInGet 3
	all := []string{"a", "b", "c", "d", "e"}
	var positions []int
	envs, n, err := run(ListEnvelopes(s, "mb", email.ListOptions{}), api(t, func(c [][3]json.RawMessage) string {
		var args struct {
			Position int `json:"position"`
			Limit    int `json:"limit"`
		}
		require.NoError(t, json.Unmarshal(c[0][1], &args))
		positions = append(positions, args.Position)
		end := min(args.Position+2, len(all)) // the server caps at 2
		ids := all[args.Position:end]
		var list []string
		for _, id := range ids {
			list = append(list, `{"id":"`+id+`"}`)
		}
		b, _ := json.Marshal(ids)
		return `{"methodResponses":[["Email/query",{"ids":` + string(b) + `,"limit":2},"q"],["Email/get",{"list":[` + strings.Join(list, ",") + `]},"g"]]}`
	}))
	require.NoError(t, err)
	assert.Len(t, envs, 5)
	assert.Equal(t, []int{0, 2, 4}, positions)
	assert.Equal(t, 3, n)
}
