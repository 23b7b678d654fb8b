package jmap

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ioemail/ioemail/coroutine"
)

// FuzzMailboxTree builds names from a hostile Mailbox/get list (seeded
// with Cyrus's answer): it ends whatever the parent chains, every listed
// name resolves to an id whose name it is, INBOX to the inbox.
func FuzzMailboxTree(f *testing.F) {
	f.Add([]byte(`[{"id":"gbrcnyqeufh2if6sce4uc40v","name":"Inbox","parentId":null,"role":"inbox"},{"id":"o5yuxu3mjqrn6y51xpcg1so5","name":"Archive","parentId":null,"role":"archive"},{"id":"zc0t7xb6cxypbiz42zzmw2bt","name":"Drafts","parentId":null,"role":"drafts"}]`))
	f.Add([]byte(`[{"id":"x","name":"X","parentId":"y"},{"id":"y","name":"Y","parentId":"x"},{"id":"c","name":"a/b","parentId":"i"},{"id":"i","name":"INBOX","role":"inbox"},{"id":"j","name":"INBOX"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var list []mailboxJSON
		if json.Unmarshal(data, &list) != nil {
			return
		}
		tr := buildTree("s", list)
		for name, id := range tr.byName {
			if got, ok := tr.byID[id]; !ok || (got != name && name != "INBOX") {
				t.Fatalf("%q resolves to %q named %q", name, id, got)
			}
		}
		for _, m := range list {
			if _, ok := tr.byName["INBOX"]; m.Role != nil && *m.Role == "inbox" && m.ID != "" && !ok {
				t.Fatal("no INBOX with an inbox listed")
			}
		}
	})
}

// FuzzDiffMailboxesState hands DiffMailboxes any state: it never panics,
// and a state it cannot read asks for a full list.
func FuzzDiffMailboxesState(f *testing.F) {
	f.Add([]byte(`{"s":"22","n":{"gbrcnyqeufh2if6sce4uc40v":"INBOX","o5yuxu3mjqrn6y51xpcg1so5":"Archive"}}`))
	f.Add([]byte(`22`))
	f.Add([]byte(`{"s":"","n":null}`))
	s, err := ParseSession([]byte(cyrusSession), "http://127.0.0.1:18080/jmap", "")
	if err != nil {
		f.Fatal(err)
	}
	tree := `["Mailbox/get",{"state":"23","list":[{"id":"gbrcnyqeufh2if6sce4uc40v","name":"Inbox","parentId":null,"role":"inbox"},{"id":"n","name":"New","parentId":null}]},"s"]`
	f.Fuzz(func(t *testing.T, state []byte) {
		var st mailboxState
		readable := json.Unmarshal(state, &st) == nil && st.State != ""
		d, err := coroutine.Run(DiffMailboxes(s, state), func(r Request) Response {
			body := `{"methodResponses":[` + tree + `]}`
			if bytes.Contains(r.Body, []byte("Mailbox/changes")) {
				body = `{"methodResponses":[["Mailbox/changes",{"oldState":"22","newState":"23","created":["n"],"updated":[],"destroyed":[]},"c"],` + tree + `]}`
			}
			return Response{Status: 200, Body: []byte(body)}
		})
		if err != nil {
			t.Fatal(err)
		}
		if !readable && len(state) > 0 && !d.FullListRequired {
			t.Fatalf("unreadable state %q gave %+v", state, d)
		}
		if readable && !d.FullListRequired {
			for _, n := range d.Created {
				if n != "New" && n != "INBOX" {
					t.Fatalf("created %q", n)
				}
			}
		}
	})
}

// FuzzRetryAfter reads any Retry-After and Date: a delay read is never
// negative, and delay-seconds read back exactly.
func FuzzRetryAfter(f *testing.F) {
	f.Add("120", "")
	f.Add("Wed, 02 Dec 2026 01:00:07 GMT", "Wed, 02 Dec 2026 01:00:00 GMT")
	f.Add("Wednesday, 02-Dec-26 01:00:07 GMT", "Wed, 02 Dec 2026 01:00:00 GMT")
	f.Add("Wed Dec  2 01:00:07 2026", "Wed Dec  2 01:00:00 2026")
	f.Add("-1", "")
	f.Fuzz(func(t *testing.T, after, date string) {
		h := Header{}
		h.Set("Retry-After", after)
		h.Set("Date", date)
		d, ok := retryAfter(h)
		if ok && d < 0 {
			t.Fatalf("negative delay %v", d)
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(after), 10, 32); err == nil && (!ok || d != time.Duration(n)*time.Second) {
			t.Fatalf("%q read as %v %v", after, d, ok)
		}
	})
}

// FuzzCanonicalMessage: the output has no bare LF, canonicalising twice
// changes nothing more (unless a "From " line surfaces), and no byte but
// the mbox line and the added CRs is lost or added.
func FuzzCanonicalMessage(f *testing.F) {
	f.Add([]byte("From alice@jmap.test Mon Jan  1 10:00:00 2024\nFrom: a@b\nSubject: s\n\nbody\n"))
	f.Add([]byte("a\r\nb\nc\r\r\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := CanonicalMessage(raw)
		for i, c := range out {
			if c == '\n' && (i == 0 || out[i-1] != '\r') {
				t.Fatalf("bare LF at %d in %q", i, out)
			}
		}
		if !bytes.HasPrefix(out, []byte("From ")) && !bytes.Equal(CanonicalMessage(out), out) {
			t.Fatalf("not idempotent on %q", raw)
		}
		body := raw
		if bytes.HasPrefix(raw, []byte("From ")) {
			if i := bytes.IndexByte(raw, '\n'); i >= 0 {
				body = raw[i+1:]
			} else {
				body = nil
			}
		}
		strip := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) }
		if !bytes.Equal(strip(out), strip(body)) {
			t.Fatalf("content changed: %q -> %q", raw, out)
		}
	})
}
