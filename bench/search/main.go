// Command search measures SearchEnvelopes on a 10,000-message Dovecot
// mailbox against go-imap v2's imapclient sending UID SEARCH and the UID
// FETCH of one page. See README.md.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ioemail/ioemail/bench/internal/gen"
	"github.com/ioemail/ioemail/bench/internal/harness"
	"github.com/ioemail/ioemail/bench/internal/rounds"
	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

var (
	peersFile = flag.String("peers", "/tmp/mailpeers/peers.env", "peers file of the loopback Dovecot")
	user      = flag.String("user", "alice", "IMAP user")
	pass      = flag.String("pass", "alicepass", "IMAP password")
	box       = flag.String("box", "bench-search-10k", "Dovecot mailbox (filled once, reused)")
	n         = flag.Int("n", 10000, "messages in the mailbox")
	nRounds   = flag.Int("rounds", 5, "timed rounds of each query")
	pageSize  = flag.Int("page", 50, "page size")
	seed      = flag.Uint64("seed", 1, "seed of the generated messages")
)

// A query is one search, in our language and as imapclient's criteria.
type query struct {
	ours   string
	theirs imap.SearchCriteria
}

func header(k, v string) imap.SearchCriteria {
	return imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: k, Value: v}}}
}

var queries = []query{
	// Text: no superset query exists, ours checks every message's header
	// fields.
	{"from martin", header("From", "martin")},
	{"subject invoice", header("Subject", "invoice")},
	// Flags: the server's answer, then the candidates' Date headers for
	// the order.
	{"flag flagged", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagFlagged}}},
	// Dates: the Date header's day, checked here on every message.
	{"after 2023-12-31 before 2024-07-01", imap.SearchCriteria{
		SentSince:  time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		SentBefore: time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC),
	}},
}

func main() {
	flag.Parse()
	fmt.Println(rounds.Settings())
	addr, tc, err := loadPeers(*peersFile)
	if err != nil {
		fmt.Printf("SKIPPED, Dovecot is absent (%v)\n", err)
		return
	}
	ctx := context.Background()
	have := ensureMailbox(addr, tc)
	fmt.Printf("mailbox %s: %d messages; page of %d; %d rounds\n", *box, have, *pageSize, *nRounds)

	ic, err := client.DialIMAP(ctx, "imap://"+addr, &client.Options{TLSConfig: tc, Auth: client.Password(*user, *pass)})
	if err != nil {
		log.Fatal(err)
	}
	defer ic.Close()
	c := dialTheirs(addr, tc)
	defer func() { c.Logout().Wait() }()
	if _, err := c.Select(*box, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		log.Fatal(err)
	}

	all := rounds.Ratios{Name: "every query and round, ours/imapclient", Unit: "wall"}
	for _, q := range queries {
		parsed := search.MustParse(q.ours)
		opts := email.ListOptions{Page: 1, PageSize: *pageSize}
		ours := func() int {
			envs, err := ic.SearchEnvelopes(ctx, *box, parsed, opts)
			if err != nil {
				log.Fatal(err)
			}
			return len(envs)
		}
		theirs := func() int { return searchTheirs(c, &q.theirs) }
		// Untimed: warm both, and say how many messages each answer holds.
		whole, err := ic.SearchEnvelopes(ctx, *box, parsed, email.ListOptions{})
		if err != nil {
			log.Fatal(err)
		}
		sd, err := c.UIDSearch(&q.theirs, nil).Wait()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q: ours matches %d (exact, package search), Dovecot's SEARCH %d; page %d vs %d\n",
			q.ours, len(whole), len(sd.AllUIDs()), ours(), theirs())
		per := rounds.Ratios{Name: fmt.Sprintf("%q ours/imapclient", q.ours), Unit: "wall"}
		for round := range *nRounds {
			ow, oc := harness.Time(func() { ours() })
			tw, tcpu := harness.Time(func() { theirs() })
			r := per.Add(ow.Seconds(), tw.Seconds())
			all.Add(ow.Seconds(), tw.Seconds())
			fmt.Printf("  round %d  ours %7.1f ms (CPU %6.1f)  imapclient %7.1f ms (CPU %6.1f)  ours/imapclient %.2f\n",
				round+1, ms(ow), ms(oc), ms(tw), ms(tcpu), r)
		}
		fmt.Print("  ")
		per.Print(os.Stdout)
	}
	all.Print(os.Stdout)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// searchTheirs is the few lines of imapclient a user would write: UID
// SEARCH, then the envelopes of one page (the highest UIDs, the newest
// arrivals; Dovecot's SEARCH answers in UID order, not by Date).
func searchTheirs(c *imapclient.Client, crit *imap.SearchCriteria) int {
	sd, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		log.Fatal(err)
	}
	uids := sd.AllUIDs()
	if len(uids) == 0 {
		return 0
	}
	page := uids[max(0, len(uids)-*pageSize):]
	msgs, err := c.Fetch(imap.UIDSetNum(page...), &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true}).Collect()
	if err != nil {
		log.Fatal(err)
	}
	return len(msgs)
}

// loadPeers reads Dovecot's STARTTLS address and CA from the peers file.
func loadPeers(path string) (string, *tls.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			env[k] = strings.Trim(v, `"`)
		}
	}
	pem, err := os.ReadFile(env["PEERS_CA_CERT"])
	if err != nil {
		return "", nil, err
	}
	pool := x509.NewCertPool()
	if env["PEERS_IMAP_ADDR"] == "" || !pool.AppendCertsFromPEM(pem) {
		return "", nil, errors.New("no PEERS_IMAP_ADDR or CA certificate in " + path)
	}
	name := env["PEERS_TLS_SERVERNAME"]
	if name == "" {
		name = "localhost"
	}
	return env["PEERS_IMAP_ADDR"], &tls.Config{RootCAs: pool, ServerName: name}, nil
}

// dialTheirs connects imapclient with STARTTLS and logs in.
func dialTheirs(addr string, tc *tls.Config) *imapclient.Client {
	c, err := imapclient.DialStartTLS(addr, &imapclient.Options{TLSConfig: tc})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Login(*user, *pass).Wait(); err != nil {
		log.Fatal(err)
	}
	return c
}

// ensureMailbox creates the mailbox when missing and appends the
// generated messages it lacks (pipelined APPENDs, 500 at a time), once;
// later runs reuse it. One message in ten is \Flagged.
func ensureMailbox(addr string, tc *tls.Config) int {
	c := dialTheirs(addr, tc)
	defer func() { c.Logout().Wait() }()
	if err := c.Create(*box, nil).Wait(); err != nil {
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Code != imap.ResponseCodeAlreadyExists {
			log.Fatal(err)
		}
	}
	st, err := c.Status(*box, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		log.Fatal(err)
	}
	have := int(*st.NumMessages)
	if have >= *n {
		return have
	}
	log.Printf("appending %d messages to %s (once; later runs reuse it)", *n-have, *box)
	rng := rand.New(rand.NewPCG(*seed, 2))
	var b bytes.Buffer
	for i := range have {
		b.Reset()
		gen.WriteMessage(&b, rng, i) // keep the sequence: message i is the same on every run
	}
	const batch = 500
	for lo := have; lo < *n; lo += batch {
		var cmds []*imapclient.AppendCommand
		for i := lo; i < min(lo+batch, *n); i++ {
			b.Reset()
			gen.WriteMessage(&b, rng, i)
			var opts imap.AppendOptions
			if i%10 == 3 {
				opts.Flags = []imap.Flag{imap.FlagFlagged}
			}
			cmd := c.Append(*box, int64(b.Len()), &opts)
			if _, err := cmd.Write(b.Bytes()); err != nil {
				log.Fatal(err)
			}
			if err := cmd.Close(); err != nil {
				log.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if _, err := cmd.Wait(); err != nil {
				log.Fatal(err)
			}
		}
	}
	return *n
}
