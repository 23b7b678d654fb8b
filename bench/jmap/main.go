// Command jmap compares listing envelopes over JMAP with this library
// against the plain way (net/http and encoding/json, Email/query then
// Email/get as two requests), against the loopback Cyrus of .ci/peers, and
// the decode cost of a recorded Email/get response: ours (typed structs)
// against encoding/json into maps.
//
//	go run ./jmap [-n 5000] [-page 500] [-rounds 5]
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/jmap"
)

var (
	sessionURL = flag.String("url", "http://127.0.0.1:18080/.well-known/jmap", "JMAP session URL")
	user       = flag.String("user", "alice", "user")
	pass       = flag.String("pass", "alicepass", "password")
	n          = flag.Int("n", 5000, "messages in the bench mailbox")
	page       = flag.Int("page", 500, "page size")
	rounds     = flag.Int("rounds", 5, "timed rounds of each way")
	decodeOnly = flag.Bool("decode-only", false, "skip the listing comparison")
)

func main() {
	flag.Parse()
	ctx := context.Background()
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(*user+":"+*pass))
	jc, err := client.DialJMAP(ctx, *sessionURL, &client.Options{Auth: client.Password(*user, *pass)})
	if err != nil {
		log.Fatal(err)
	}
	name := fmt.Sprintf("bench-%d", *n)
	box := ensureMailbox(ctx, jc, name, *n)
	s := jc.Session()
	plain := &plainClient{hc: &http.Client{}, api: s.APIURL, auth: auth, account: s.AccountID}

	pages := (*n + *page - 1) / *page
	if !*decodeOnly {
		compareListing(ctx, jc, plain, name, box, pages)
	}
	decodeCost(plain, box)
}

func compareListing(ctx context.Context, jc *client.JMAPClient, plain *plainClient, name, box string, pages int) {
	// Warm up both.
	listOurs(ctx, jc, name, pages)
	plain.list(box, pages)

	var ours, theirs time.Duration
	var oursEx, theirsEx int
	var got1, got2 int
	for range *rounds {
		ex0 := jc.Exchanges()
		t0 := time.Now()
		got1 = listOurs(ctx, jc, name, pages)
		ours += time.Since(t0)
		oursEx = int(jc.Exchanges() - ex0)
		plain.exchanges = 0
		t0 = time.Now()
		got2 = plain.list(box, pages)
		theirs += time.Since(t0)
		theirsEx = plain.exchanges
	}
	fmt.Printf("list_envelopes of %d messages from Cyrus, pages of %d, %d rounds\n", *n, *page, *rounds)
	fmt.Printf("  ours  (Email/query + Email/get by back-reference): %d envelopes, %d exchanges (%.2f per page), %v per listing\n", got1, oursEx, float64(oursEx)/float64(pages), ours/time.Duration(*rounds))
	fmt.Printf("  plain (net/http + encoding/json, query then get):  %d envelopes, %d exchanges (%.2f per page), %v per listing\n", got2, theirsEx, float64(theirsEx)/float64(pages), theirs/time.Duration(*rounds))
	fmt.Printf("  wall-time ratio ours/plain: %.2f\n", float64(ours)/float64(theirs))
}

func decodeCost(plain *plainClient, box string) {

	// Decode cost of one recorded Email/get response of a page.
	body := plain.recordPage(box, *page)
	count := 0
	resOurs := testing.Benchmark(func(b *testing.B) {
		for range b.N {
			envs, err := decodeOurs(body)
			if err != nil {
				b.Fatal(err)
			}
			count = len(envs)
		}
	})
	resPlain := testing.Benchmark(func(b *testing.B) {
		for range b.N {
			if _, err := decodePlain(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	perOurs := float64(resOurs.NsPerOp()) / float64(count)
	perPlain := float64(resPlain.NsPerOp()) / float64(count)
	fmt.Printf("decode of a recorded Email/get response (%d emails, %d bytes)\n", count, len(body))
	fmt.Printf("  ours  (typed structs -> email.Envelope): %.0f ns/email, %d allocs/op\n", perOurs, resOurs.AllocsPerOp())
	fmt.Printf("  plain (encoding/json into maps):         %.0f ns/email, %d allocs/op\n", perPlain, resPlain.AllocsPerOp())
	fmt.Printf("  ratio ours/plain: %.2f\n", perOurs/perPlain)
}

func listOurs(ctx context.Context, jc *client.JMAPClient, box string, pages int) int {
	total := 0
	for p := 1; p <= pages; p++ {
		envs, err := jc.ListEnvelopes(ctx, box, email.ListOptions{Page: p, PageSize: *page})
		if err != nil {
			log.Fatal(err)
		}
		total += len(envs)
	}
	return total
}

// ensureMailbox finds or creates the bench mailbox and fills it to n
// messages; it returns the mailbox's server id.
func ensureMailbox(ctx context.Context, jc *client.JMAPClient, name string, n int) string {
	boxes, err := jc.ListMailboxes(ctx, email.ListMailboxesOptions{WithCounts: true})
	if err != nil {
		log.Fatal(err)
	}
	have := -1
	for _, b := range boxes {
		if b.Name == name {
			have = *b.Total
		}
	}
	if have < 0 {
		have = 0
		if err = jc.CreateMailbox(ctx, name); err != nil {
			log.Fatal(err)
		}
	}
	id, err := jc.MailboxID(ctx, name)
	if err != nil {
		log.Fatal(err)
	}
	if have < n {
		log.Printf("adding %d messages to %s (once)", n-have, name)
		fill(jc.Session(), id, name, have, n)
	}
	return id
}

type plainClient struct {
	hc        *http.Client
	api, auth string
	account   string
	exchanges int
}

func (p *plainClient) call(calls []any) map[string]any {
	body, _ := json.Marshal(map[string]any{"using": []string{jmap.CapCore, jmap.CapMail}, "methodCalls": calls})
	req, _ := http.NewRequest("POST", p.api, bytes.NewReader(body))
	req.Header.Set("Authorization", p.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	p.exchanges++
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		log.Fatal(err)
	}
	return out
}

func (p *plainClient) list(box string, pages int) int {
	total := 0
	for i := 0; i < pages; i++ {
		q := p.call([]any{[]any{"Email/query", map[string]any{"accountId": p.account, "filter": map[string]any{"inMailbox": box},
			"sort": []any{map[string]any{"property": "sentAt", "isAscending": false}, map[string]any{"property": "id", "isAscending": true}}, "position": i * *page, "limit": *page}, "q"}})
		ids := q["methodResponses"].([]any)[0].([]any)[1].(map[string]any)["ids"]
		g := p.call([]any{[]any{"Email/get", map[string]any{"accountId": p.account, "ids": ids,
			"properties": []string{"id", "messageId", "keywords", "subject", "from", "to", "sentAt", "size", "hasAttachment"}}, "g"}})
		total += len(g["methodResponses"].([]any)[0].([]any)[1].(map[string]any)["list"].([]any))
	}
	return total
}

// recordPage returns the raw body of one Email/get response of a page.
func (p *plainClient) recordPage(box string, size int) []byte {
	body, _ := json.Marshal(map[string]any{"using": []string{jmap.CapCore, jmap.CapMail}, "methodCalls": []any{
		[]any{"Email/query", map[string]any{"accountId": p.account, "filter": map[string]any{"inMailbox": box}, "limit": size}, "q"},
		[]any{"Email/get", map[string]any{"accountId": p.account, "#ids": map[string]any{"resultOf": "q", "name": "Email/query", "path": "/ids"},
			"properties": []string{"id", "messageId", "keywords", "subject", "from", "to", "sentAt", "size", "hasAttachment"}}, "g"},
	}})
	req, _ := http.NewRequest("POST", p.api, bytes.NewReader(body))
	req.Header.Set("Authorization", p.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	all, _ := io.ReadAll(resp.Body)
	var out struct {
		MethodResponses []json.RawMessage `json:"methodResponses"`
	}
	if err := json.Unmarshal(all, &out); err != nil || len(out.MethodResponses) < 2 {
		log.Fatal("bad recording")
	}
	return []byte(`{"methodResponses":[` + string(out.MethodResponses[1]) + `]}`)
}

func decodeOurs(body []byte) ([]email.Envelope, error) {
	var g struct {
		List []jmap.Email `json:"list"`
	}
	if _, ok := jmap.DecodeInto(body, []string{"Email/get"}, []string{"g"}, &g); !ok {
		return nil, fmt.Errorf("unexpected response")
	}
	out := make([]email.Envelope, len(g.List))
	for i, e := range g.List {
		out[i] = e.Envelope()
	}
	return out, nil
}

// decodePlain decodes into maps and builds envelopes from them, as a
// program using only encoding/json would.
func decodePlain(body []byte) ([]email.Envelope, error) {
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	list := v["methodResponses"].([]any)[0].([]any)[1].(map[string]any)["list"].([]any)
	out := make([]email.Envelope, 0, len(list))
	for _, x := range list {
		m := x.(map[string]any)
		e := email.Envelope{ID: m["id"].(string)}
		if s, ok := m["subject"].(string); ok {
			e.Subject = s
		}
		if f, ok := m["size"].(float64); ok {
			e.Size = int64(f)
		}
		if kw, ok := m["keywords"].(map[string]any); ok {
			var raw []string
			for k := range kw {
				raw = append(raw, k)
			}
			e.Flags = email.ParseFlags(raw...)
		}
		for _, key := range []string{"from", "to"} {
			as, _ := m[key].([]any)
			for _, a := range as {
				am := a.(map[string]any)
				name, _ := am["name"].(string)
				addr, _ := am["email"].(string)
				if key == "from" {
					e.From = append(e.From, email.Address{Name: name, Email: addr})
				} else {
					e.To = append(e.To, email.Address{Name: name, Email: addr})
				}
			}
		}
		if s, ok := m["sentAt"].(string); ok {
			e.Date, _ = time.Parse(time.RFC3339, s)
		}
		if ids, ok := m["messageId"].([]any); ok && len(ids) > 0 {
			e.MessageID, _ = ids[0].(string)
		}
		out = append(out, e)
	}
	return out, nil
}

// fill uploads messages have..n-1 with a few parallel uploads and imports
// them in batches.
func fill(s *jmap.Session, box, name string, have, n int) {
	hc := &http.Client{}
	upURL := jmap.Expand(s.UploadURL, map[string]string{"accountId": s.AccountID})
	type job struct {
		i    int
		blob string
	}
	const batch = 200
	for lo := have; lo < n; lo += batch {
		hi := min(lo+batch, n)
		out := make(chan job, hi-lo)
		sem := make(chan struct{}, 4)
		for i := lo; i < hi; i++ {
			sem <- struct{}{}
			go func(i int) {
				defer func() { <-sem }()
				raw := fmt.Sprintf("From: Sender %d <s%d@example.org>\r\nTo: alice@jmap.test\r\nSubject: bench message %d of %s\r\nDate: %s\r\nMessage-ID: <bench-%d-%s@example.org>\r\n\r\n%s\r\n",
					i, i, i, name, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), i, name, strings.Repeat("body line\r\n", 20))
				req, _ := http.NewRequest("POST", upURL, strings.NewReader(raw))
				req.Header.Set("Authorization", s.Authorization())
				req.Header.Set("Content-Type", "message/rfc822")
				resp, err := hc.Do(req)
				if err != nil {
					log.Fatal(err)
				}
				var v struct {
					BlobID string `json:"blobId"`
				}
				json.NewDecoder(resp.Body).Decode(&v)
				resp.Body.Close()
				out <- job{i, v.BlobID}
			}(i)
		}
		emails := map[string]any{}
		for range hi - lo {
			j := <-out
			emails[fmt.Sprint("m", j.i)] = map[string]any{"blobId": j.blob, "mailboxIds": map[string]bool{box: true}}
		}
		body, _ := json.Marshal(map[string]any{"using": []string{jmap.CapCore, jmap.CapMail}, "methodCalls": []any{[]any{"Email/import", map[string]any{"accountId": s.AccountID, "emails": emails}, "0"}}})
		req, _ := http.NewRequest("POST", s.APIURL, bytes.NewReader(body))
		req.Header.Set("Authorization", s.Authorization())
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		log.Printf("imported up to %d", hi)
	}
}
