// Command jmap compares listing envelopes over JMAP with this library
// against the plain way a careful user writes (net/http with keep-alive and
// encoding/json into typed structs, Email/query and Email/get by
// back-reference in one request per page), against the loopback Cyrus of
// .ci/peers, and the decode cost of a recorded Email/get response of the
// envelope properties: ours against encoding/json into the same typed
// structs in one pass. Every comparison prints each round's ratio and the
// median (bench/internal/rounds), after a settings line.
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
	"os"
	"reflect"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/ioemail/ioemail/bench/internal/rounds"
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
	nRounds    = flag.Int("rounds", 5, "timed rounds of each comparison")
	decodeOnly = flag.Bool("decode-only", false, "skip the listing comparison")
	cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of the listing rounds to this file")
)

func main() {
	flag.Parse()
	fmt.Println(rounds.Settings())
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
	// Warm up every way.
	listOurs(ctx, jc, name, pages)
	plain.list(box, pages, false)
	plain.list(box, pages, true)

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("list_envelopes of %d messages from Cyrus, pages of %d, %d rounds (the ways take turns going first)\n", *n, *page, *nRounds)
	wall := rounds.Ratios{Name: "listing ours/plain", Unit: "wall"}
	same := rounds.Ratios{Name: "listing ours/plain asking our properties", Unit: "wall"}
	exch := rounds.Ratios{Name: "listing ours/plain", Unit: "exchanges"}
	type way struct {
		run       func() int
		exchanges func() int
		wall      time.Duration
		ex, got   int
	}
	ex0 := int64(0)
	ways := []*way{
		{run: func() int { ex0 = jc.Exchanges(); return listOurs(ctx, jc, name, pages) }, exchanges: func() int { return int(jc.Exchanges() - ex0) }},
		{run: func() int { plain.exchanges = 0; return plain.list(box, pages, false) }, exchanges: func() int { return plain.exchanges }},
		{run: func() int { plain.exchanges = 0; return plain.list(box, pages, true) }, exchanges: func() int { return plain.exchanges }},
	}
	for round := range *nRounds {
		for k := range ways {
			w := ways[(round+k)%len(ways)]
			t0 := time.Now()
			w.got = w.run()
			w.wall = time.Since(t0)
			w.ex = w.exchanges()
		}
		o, p, ps := ways[0], ways[1], ways[2]
		if o.got != p.got || o.got != ps.got {
			log.Fatalf("ours listed %d envelopes, plain %d and %d", o.got, p.got, ps.got)
		}
		fmt.Printf("  round %d  %d envelopes; ours %d exchanges %.0f ms; plain %d exchanges %.0f ms; plain asking our properties %d exchanges %.0f ms; ratios %.2f %.2f\n",
			round+1, o.got, o.ex, ms(o.wall), p.ex, ms(p.wall), ps.ex, ms(ps.wall),
			wall.Add(o.wall.Seconds(), p.wall.Seconds()), same.Add(o.wall.Seconds(), ps.wall.Seconds()))
		exch.Add(float64(o.ex), float64(p.ex))
	}
	wall.Print(os.Stdout)
	same.Print(os.Stdout)
	exch.Print(os.Stdout)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func decodeCost(plain *plainClient, box string) {
	// Decode cost of one recorded Email/get response of a page, of the
	// properties our listing asks for.
	body := plain.recordPage(box, *page)
	ours, theirs := must(decodeOurs(body)), must(decodePlain(body))
	if !reflect.DeepEqual(ours, theirs) {
		log.Fatal("the two decoders disagree on the recorded response")
	}
	count := len(ours)
	fmt.Printf("decode of a recorded Email/get response (%d emails, the %d envelope properties, %d bytes), %d rounds\n",
		count, len(jmap.EnvelopeProperties()), len(body), *nRounds)
	dec := rounds.Ratios{Name: "decode into typed structs ours/plain", Unit: "time per email"}
	envs := rounds.Ratios{Name: "decode and envelopes ours/plain", Unit: "time per email"}
	bench := func(decode func([]byte) ([]jmap.Email, error), envelopes bool) testing.BenchmarkResult {
		return testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				list, err := decode(body)
				if err != nil {
					b.Fatal(err)
				}
				if envelopes {
					out := make([]email.Envelope, len(list))
					for i := range list {
						out[i] = list[i].Envelope()
					}
				}
			}
		})
	}
	per := func(r testing.BenchmarkResult) float64 { return float64(r.NsPerOp()) / float64(count) }
	allocs := func(r testing.BenchmarkResult) float64 { return float64(r.AllocsPerOp()) / float64(count) }
	for round := range *nRounds {
		o, p := bench(decodeOurs, false), bench(decodePlain, false)
		oe, pe := bench(decodeOurs, true), bench(decodePlain, true)
		fmt.Printf("  round %d  decode: ours %.0f ns/email %.1f allocs/email, plain %.0f ns/email %.1f allocs/email, ratio %.2f;"+
			" with envelopes: ours %.0f ns/email, plain %.0f ns/email, ratio %.2f\n",
			round+1, per(o), allocs(o), per(p), allocs(p), dec.Add(per(o), per(p)),
			per(oe), per(pe), envs.Add(per(oe), per(pe)))
	}
	dec.Print(os.Stdout)
	envs.Print(os.Stdout)
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
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

// plainClient is the anchor: what a careful user writes with net/http
// (one http.Client, keep-alive, every body read to the end) and
// encoding/json into typed structs.
type plainClient struct {
	hc        *http.Client
	api, auth string
	account   string
	exchanges int
}

// plainProps are the properties the plain client asks for: the server's
// parsed forms of every envelope field.
var plainProps = []string{"id", "messageId", "keywords", "subject", "from", "to", "cc", "replyTo", "inReplyTo", "references",
	"sentAt", "receivedAt", "size", "hasAttachment"}

type plainAddress struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type plainEmail struct {
	ID            string          `json:"id"`
	MessageID     []string        `json:"messageId"`
	Keywords      map[string]bool `json:"keywords"`
	Subject       string          `json:"subject"`
	From          []plainAddress  `json:"from"`
	To            []plainAddress  `json:"to"`
	Cc            []plainAddress  `json:"cc"`
	ReplyTo       []plainAddress  `json:"replyTo"`
	InReplyTo     []string        `json:"inReplyTo"`
	References    []string        `json:"references"`
	SentAt        time.Time       `json:"sentAt"`
	ReceivedAt    time.Time       `json:"receivedAt"`
	Size          int64           `json:"size"`
	HasAttachment bool            `json:"hasAttachment"`
}

// post sends one API request and decodes its method responses' arguments
// into args, in order, in one pass.
func (p *plainClient) post(calls []any, args ...any) {
	body, err := json.Marshal(map[string]any{"using": []string{jmap.CapCore, jmap.CapMail}, "methodCalls": calls})
	if err != nil {
		log.Fatal(err)
	}
	raw := p.postRaw(body)
	triples := make([][3]any, len(args))
	for i, a := range args {
		triples[i] = [3]any{new(string), a, new(string)}
	}
	out := struct {
		MethodResponses [][3]any `json:"methodResponses"`
	}{triples}
	if err := json.Unmarshal(raw, &out); err != nil {
		log.Fatal(err)
	}
	for _, t := range out.MethodResponses {
		if *t[0].(*string) == "error" {
			log.Fatalf("method error: %s", raw)
		}
	}
}

func (p *plainClient) postRaw(body []byte) []byte {
	req, err := http.NewRequest("POST", p.api, bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", p.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	p.exchanges++
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		log.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	return raw
}

// pageCalls is one page: Email/query, then Email/get of its ids by
// back-reference (RFC 8620 section 3.7), in one request.
func (p *plainClient) pageCalls(box string, position, limit int, props []string) []any {
	return []any{
		[]any{"Email/query", map[string]any{"accountId": p.account, "filter": map[string]any{"inMailbox": box},
			"sort":     []any{map[string]any{"property": "sentAt", "isAscending": false}, map[string]any{"property": "id", "isAscending": true}},
			"position": position, "limit": limit}, "q"},
		[]any{"Email/get", map[string]any{"accountId": p.account, "#ids": map[string]any{"resultOf": "q", "name": "Email/query", "path": "/ids"},
			"properties": props}, "g"},
	}
}

// list lists the pages and builds the envelopes, as ours returns them:
// from the server's parsed properties (plainProps), or, with ourProps,
// from the properties our listing asks for, decoded into jmap.Email and
// converted by its Envelope method (the raw header fields parsed here).
func (p *plainClient) list(box string, pages int, ourProps bool) int {
	total := 0
	for i := range pages {
		var q struct {
			IDs []string `json:"ids"`
		}
		var envs []email.Envelope
		if ourProps {
			var g struct {
				List []jmap.Email `json:"list"`
			}
			p.post(p.pageCalls(box, i**page, *page, jmap.EnvelopeProperties()), &q, &g)
			envs = make([]email.Envelope, 0, len(g.List))
			for _, e := range g.List {
				envs = append(envs, e.Envelope())
			}
		} else {
			var g struct {
				List []plainEmail `json:"list"`
			}
			p.post(p.pageCalls(box, i**page, *page, plainProps), &q, &g)
			envs = make([]email.Envelope, 0, len(g.List))
			for _, e := range g.List {
				envs = append(envs, e.envelope())
			}
		}
		total += len(envs)
	}
	return total
}

func (e *plainEmail) envelope() email.Envelope {
	env := email.Envelope{ID: e.ID, Subject: e.Subject, Size: e.Size, HasAttachment: &e.HasAttachment,
		InReplyTo: e.InReplyTo, References: e.References, Date: e.SentAt, Received: e.ReceivedAt}
	if len(e.MessageID) > 0 {
		env.MessageID = e.MessageID[0]
	}
	var kw []string
	for k, v := range e.Keywords {
		if v {
			kw = append(kw, k)
		}
	}
	env.Flags = email.ParseFlags(kw...)
	for _, l := range []struct {
		in  []plainAddress
		out *[]email.Address
	}{{e.From, &env.From}, {e.To, &env.To}, {e.Cc, &env.Cc}, {e.ReplyTo, &env.ReplyTo}} {
		for _, a := range l.in {
			*l.out = append(*l.out, email.Address{Name: a.Name, Email: a.Email})
		}
	}
	return env
}

// recordPage returns the raw body of the Email/get response of one page,
// of the properties our listing asks for.
func (p *plainClient) recordPage(box string, size int) []byte {
	body, err := json.Marshal(map[string]any{"using": []string{jmap.CapCore, jmap.CapMail},
		"methodCalls": p.pageCalls(box, 0, size, jmap.EnvelopeProperties())})
	if err != nil {
		log.Fatal(err)
	}
	all := p.postRaw(body)
	var out struct {
		MethodResponses []json.RawMessage `json:"methodResponses"`
	}
	if err := json.Unmarshal(all, &out); err != nil || len(out.MethodResponses) < 2 {
		log.Fatal("bad recording")
	}
	return []byte(`{"methodResponses":[` + string(out.MethodResponses[1]) + `],"sessionState":"0"}`)
}

// decodeOurs is the library's decode of an Email/get response.
func decodeOurs(body []byte) ([]jmap.Email, error) { return jmap.DecodeEmails(body, "g") }

// decodePlain decodes the same response with encoding/json into the same
// typed structs in one pass, the method response's arguments straight into
// their struct.
func decodePlain(body []byte) ([]jmap.Email, error) {
	var name, id string
	var g struct {
		List []jmap.Email `json:"list"`
	}
	out := struct {
		MethodResponses [][3]any `json:"methodResponses"`
	}{[][3]any{{&name, &g, &id}}}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, err
	}
	if name != "Email/get" || id != "g" {
		return nil, fmt.Errorf("unexpected response %q %q", name, id)
	}
	return g.List, nil
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
