package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
	"github.com/ioemail/ioemail/internal/testpeers"
	"github.com/ioemail/ioemail/search"
)

// searchSample is a small mailbox for the IMAP search tests: plain ASCII
// headers where every server agrees with package search, one non-ASCII
// subject (encoded word), one multipart body.
var searchSample = []struct {
	raw   string
	flags email.Flags
}{
	{"From: Alice Martin <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: Quarterly report\r\nDate: Mon, 02 Feb 2026 09:00:00 +0100\r\nMessage-ID: <s1@x>\r\n\r\nThe budget is attached.\r\n", email.ParseFlags(`\Seen`)},
	{"From: Zed <zed@example.com>\r\nTo: Alice <alice@example.org>\r\nSubject: =?UTF-8?Q?R=C3=A9union_du_lundi?=\r\nDate: Tue, 03 Feb 2026 23:30:00 -0500\r\nMessage-ID: <s2@x>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nOn parle du café.\r\n", email.ParseFlags(`\Flagged`, "Work")},
	{"From: bob@example.net\r\nTo: Team <team@example.org>\r\nSubject: Re: Lunch plans\r\nDate: Wed, 04 Feb 2026 12:00:00 +0000\r\nMessage-ID: <s3@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPizza at noon?\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Pizza at noon?</p>\r\n--b--\r\n", email.ParseFlags(`\Seen`, `\Answered`)},
	{"From: Carol <carol@example.com>\r\nTo: Bob <bob@example.net>\r\nSubject: Invoice 42\r\nDate: Thu, 05 Feb 2026 08:15:00 +0900\r\nMessage-ID: <s4@x>\r\n\r\nPlease pay the invoice.\r\n", nil},
	{"From: Alice Martin <alice@example.org>\r\nTo: Carol <carol@example.com>\r\nSubject: Deadline\r\nDate: Fri, 06 Feb 2026 17:45:00 -0800\r\nMessage-ID: <s5@x>\r\n\r\nThe deadline moves.\r\n", email.ParseFlags("$Forwarded")},
}

// searchCases are queries with the Message-IDs every server must return,
// in order (dates, subjects and names are distinct, so there are no ties).
var searchCases = []struct {
	q    string
	want []string
}{
	{"", []string{"s5@x", "s4@x", "s3@x", "s2@x", "s1@x"}},
	{"order by date", []string{"s1@x", "s2@x", "s3@x", "s4@x", "s5@x"}},
	{"from alice", []string{"s5@x", "s1@x"}},
	{"from alice order by subject", []string{"s5@x", "s1@x"}},
	{"to bob order by date", []string{"s1@x", "s4@x"}},
	{"subject report or subject invoice", []string{"s4@x", "s1@x"}},
	{"not subject report and not subject invoice order by subject", []string{"s5@x", "s3@x", "s2@x"}},
	{"body pizza", []string{"s3@x"}},
	{"body budget or body deadline", []string{"s5@x", "s1@x"}},
	{"flag seen", []string{"s3@x", "s1@x"}},
	{"not flag seen", []string{"s5@x", "s4@x", "s2@x"}},
	{"flag flagged or flag forwarded", []string{"s5@x", "s2@x"}},
	{"flag work", []string{"s2@x"}},
	{"flag answered and flag seen", []string{"s3@x"}},
	{"date 2026-02-03", []string{"s2@x"}}, // 23:30 -0500 is 02-04 in UTC
	{"before 2026-02-04", []string{"s2@x", "s1@x"}},
	{"after 2026-02-04", []string{"s5@x", "s4@x"}},
	{"after 2026-02-02 before 2026-02-06 order by date", []string{"s2@x", "s3@x", "s4@x"}},
	{"not (date 2026-02-03 or date 2026-02-05)", []string{"s5@x", "s3@x", "s1@x"}},
	{`subject "lunch plans"`, []string{"s3@x"}},
	{`subject "o\"k" or subject "x\\y"`, nil},
	{"subject nothing-here", nil},
	{`subject ""`, []string{"s5@x", "s4@x", "s3@x", "s2@x", "s1@x"}},
	{`from "" and body ""`, []string{"s5@x", "s4@x", "s3@x", "s2@x", "s1@x"}},
	{"from martin", []string{"s5@x", "s1@x"}},
	{"to example.net", []string{"s4@x", "s1@x"}},
	{"not flag draft and not flag deleted order by date", []string{"s1@x", "s2@x", "s3@x", "s4@x", "s5@x"}},
}

func loadSearchSample(t *testing.T, ic *IMAPClient, mailbox string) {
	t.Helper()
	ctx := tctx(t)
	for _, m := range searchSample {
		_, err := ic.AddMessage(ctx, mailbox, strings.NewReader(m.raw), m.flags)
		require.NoError(t, err)
	}
}

func messageIDs(envs []email.Envelope) []string {
	out := []string{}
	for _, e := range envs {
		out = append(out, e.MessageID)
	}
	return out
}

// checkSearchCases runs every case whole and in pages of two, then values
// built by hand that try to end the command early: they go as literals,
// match nothing, and the session stays in step.
func checkSearchCases(t *testing.T, ic *IMAPClient, mailbox string) {
	ctx := tctx(t)
	for _, v := range []string{"x\r\nA99 LOGOUT", "x\nA99 LOGOUT\r\n", `") ALL (`, "{3}\r\n"} {
		q := search.Query{Filter: &search.Or{Nodes: []search.Node{
			&search.TextCond{Field: search.Subject, Value: v},
			&search.TextCond{Field: search.Body, Value: v},
		}}}
		got, err := ic.SearchEnvelopes(ctx, mailbox, q, email.ListOptions{})
		require.NoError(t, err, "%q", v)
		assert.Empty(t, got, "%q", v)
	}
	for _, c := range searchCases {
		q := search.MustParse(c.q)
		got, err := ic.SearchEnvelopes(ctx, mailbox, q, email.ListOptions{})
		require.NoError(t, err, c.q)
		want := c.want
		if want == nil {
			want = []string{}
		}
		assert.Equal(t, want, messageIDs(got), "%q", c.q)
		var paged []email.Envelope
		for page := 1; page <= 4; page++ {
			p, err := ic.SearchEnvelopes(ctx, mailbox, q, email.ListOptions{Page: page, PageSize: 2})
			require.NoError(t, err)
			paged = append(paged, p...)
		}
		assert.Equal(t, want, messageIDs(paged), "%q in pages of 2", c.q)
	}
}

// TestIMAPSearchMemServer runs the search against go-imap's in-memory
// server, which has no SORT: UID SEARCH, then the local sort.
func TestIMAPSearchMemServer(t *testing.T) {
	ic := memClient(t)
	require.False(t, ic.Session().HasCapability("SORT"))
	loadSearchSample(t, ic, "INBOX")
	checkSearchCases(t, ic, "INBOX")

	ctx := tctx(t)
	envs, err := ic.SearchEnvelopes(ctx, "INBOX", search.MustParse("from carol"), email.ListOptions{WithAttachment: true})
	require.NoError(t, err)
	require.Len(t, envs, 1)
	assert.Equal(t, "Invoice 42", envs[0].Subject)
	assert.Equal(t, []email.Address{{Name: "Carol", Email: "carol@example.com"}}, envs[0].From)
	require.NotNil(t, envs[0].HasAttachment)
	assert.False(t, *envs[0].HasAttachment)

	// A negative page size means no paging, as email.ListOptions.Window.
	envs, err = ic.SearchEnvelopes(ctx, "INBOX", search.Query{}, email.ListOptions{Page: 3, PageSize: -1})
	require.NoError(t, err)
	assert.Len(t, envs, len(searchSample))

	// Non-ASCII text goes as a literal with CHARSET UTF-8.
	envs, err = ic.SearchEnvelopes(ctx, "INBOX", search.MustParse("body café"), email.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s2@x"}, messageIDs(envs))

	// Sorting by from and to is local (display name, else address).
	envs, err = ic.SearchEnvelopes(ctx, "INBOX", search.MustParse("order by from desc"), email.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s2@x", "s4@x", "s3@x", "s5@x", "s1@x"}, messageIDs(envs))
}

// TestIMAPSearchDovecot runs the search against the loopback Dovecot, which
// has SORT and SORT=DISPLAY.
func TestIMAPSearchDovecot(t *testing.T) {
	ic := dovecotClient(t)
	require.True(t, ic.Session().HasCapability("SORT"))
	ctx := tctx(t)
	mailbox := uniqueName("search")
	require.NoError(t, ic.CreateMailbox(ctx, mailbox))
	t.Cleanup(func() { ic.DeleteMailbox(context.Background(), mailbox) })
	loadSearchSample(t, ic, mailbox)
	checkSearchCases(t, ic, mailbox)

	envs, err := ic.SearchEnvelopes(ctx, mailbox, search.MustParse("subject réunion"), email.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s2@x"}, messageIDs(envs))
	assert.Equal(t, "Réunion du lundi", envs[0].Subject)
	// DISPLAYFROM: Alice Martin, bob@example.net, Carol, Zed.
	envs, err = ic.SearchEnvelopes(ctx, mailbox, search.MustParse("order by from"), email.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s5@x", "s1@x", "s3@x", "s4@x", "s2@x"}, messageIDs(envs))
}

func TestIMAPSearchErrors(t *testing.T) {
	ic := memClient(t)
	ctx := tctx(t)
	_, err := ic.SearchEnvelopes(ctx, "Nope", search.Query{}, email.ListOptions{})
	assert.ErrorIs(t, err, email.ErrNotFound)

	nul := search.Query{Filter: &search.TextCond{Field: search.Subject, Value: "a\x00b"}}
	_, err = ic.SearchEnvelopes(ctx, "INBOX", nul, email.ListOptions{})
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
	var oe *email.OpError
	require.True(t, errors.As(err, &oe))
	assert.Equal(t, "search_envelopes", oe.Op)

	// The refused query sent nothing: the session still works.
	envs, err := ic.SearchEnvelopes(ctx, "INBOX", search.Query{}, email.ListOptions{PageSize: 0})
	require.NoError(t, err)
	assert.Empty(t, envs)
}

// supersetQuery is the query of the superset transcript: the server is
// asked OR BODY pizza SEEN, then BODY pizza alone.
var supersetQuery = search.MustParse("body pizza or from alice and flag seen order by subject")

// TestRecordSearchTranscripts records the replay transcripts under
// testdata/imap when IOEMAIL_RECORD=1 (against the loopback Dovecot and an
// in-process imapmemserver); it is a tool, skipped otherwise.
func TestRecordSearchTranscripts(t *testing.T) {
	if os.Getenv("IOEMAIL_RECORD") != "1" {
		t.Skip("set IOEMAIL_RECORD=1 to record testdata/imap/search-*.txt")
	}
	ctx := tctx(t)
	q := search.MustParse(`subject réunion or from "alice martin" or flag work order by date desc`)
	opts := email.ListOptions{Page: 1, PageSize: 2}

	// Dovecot: a text condition, so every message's header fields are
	// fetched and checked here.
	env := testpeers.Load(t, "PEERS_IMAPS_ADDR")
	setup, err := DialIMAP(ctx, "imaps://"+env["PEERS_IMAPS_ADDR"], &Options{TLSConfig: env.TLSConfig(t), Auth: Password("alice", "alicepass")})
	require.NoError(t, err)
	setup.DeleteMailbox(ctx, "srch-rec")
	require.NoError(t, setup.CreateMailbox(ctx, "srch-rec"))
	loadSearchSample(t, setup, "srch-rec")
	setup.Close()
	conn, err := Dial(ctx, env["PEERS_IMAPS_ADDR"], &Options{TLSConfig: env.TLSConfig(t)}, true)
	require.NoError(t, err)
	record(t, ctx, conn, "search-dovecot-whole.txt", "SearchEnvelopes on Dovecot 2.3.19.1 (implicit TLS), login alice: no SEARCH (the filter has text conditions, no superset query), FETCH of the header fields of every message, local check and sort, page 1 of 2.", "srch-rec", q, opts)
	conn, err = Dial(ctx, env["PEERS_IMAPS_ADDR"], &Options{TLSConfig: env.TLSConfig(t)}, true)
	require.NoError(t, err)
	record(t, ctx, conn, "search-dovecot-superset.txt", "SearchEnvelopes on Dovecot 2.3.19.1 (implicit TLS), login alice: the superset UID SEARCH OR BODY pizza SEEN, the body's own UID SEARCH, UID FETCH of the candidates' header fields, local check and sort, page 1 of 2.", "srch-rec", supersetQuery, opts)

	// imapmemserver: the same query, the same commands.
	addr := memIMAP(t)
	setup, err = DialIMAP(ctx, "imap://"+addr, &Options{AllowPlaintext: true, Auth: Password("alice", "alicepass")})
	require.NoError(t, err)
	loadSearchSample(t, setup, "INBOX")
	setup.Close()
	conn, err = Dial(ctx, addr, &Options{AllowPlaintext: true}, false)
	require.NoError(t, err)
	record(t, ctx, conn, "search-memserver-whole.txt", "SearchEnvelopes on go-imap's imapmemserver, login alice: FETCH of the header fields and flags of every message, local check and sort, page 1 of 2.", "INBOX", q, opts)
}

func record(t *testing.T, ctx context.Context, conn *NetConn, file, title, mailbox string, q search.Query, opts email.ListOptions) {
	defer conn.Close()
	s := imap.NewSession(true, imap.Limits{}) // replayed as a secure session
	m := coroutine.Then(imap.Open(s, imap.OpenOptions{Auth: sasl.NewPlainClient("", "alice", "alicepass")}),
		func(imap.OpenResult) coroutine.NetMachine[[]email.Envelope] {
			return imap.SearchEnvelopes(s, mailbox, q, opts)
		})
	rec := &recording{m: m}
	envs, err := RunNet(ctx, conn, coroutine.NetMachine[[]email.Envelope](rec), nil)
	require.NoError(t, err)
	t.Logf("%s: %v", file, messageIDs(envs))
	text := "# " + title + "\n# Query: " + q.String() + "\n# Recorded by TestRecordSearchTranscripts on " + time.Now().UTC().Format("2006-01-02") + ".\n" + rec.out.String()
	require.NoError(t, os.WriteFile("../testdata/imap/"+file, []byte(text), 0o644))
}

// recording wraps a machine and writes what it reads and writes in the
// transcript format of coroutine.ParseTranscript.
type recording struct {
	m   coroutine.NetMachine[[]email.Envelope]
	out bytes.Buffer
}

func (r *recording) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	r.lines("S", in.Data)
	req, done := r.m.Resume(in)
	if !done && req.Op == coroutine.NetWrite {
		r.lines("C", req.Data)
	}
	return req, done
}

func (r *recording) Result() ([]email.Envelope, error) { return r.m.Result() }

func (r *recording) lines(side string, b []byte) {
	for len(b) > 0 {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			fmt.Fprintf(&r.out, "%s- %s\n", side, b)
			return
		}
		fmt.Fprintf(&r.out, "%s: %s\n", side, b[:i])
		b = b[i+2:]
	}
}

// BenchmarkIMAPSearchDovecot searches a 400-message mailbox on the
// loopback Dovecot for a page of 20 (UID SORT, then UID FETCH of the
// page): ours against go-imap's imapclient sending the same two commands.
// ns/op is per search, network round trips included.
func BenchmarkIMAPSearchDovecot(b *testing.B) {
	env := testpeers.Load(b, "PEERS_IMAPS_ADDR")
	ctx := context.Background()
	ic, err := DialIMAP(ctx, "imaps://"+env["PEERS_IMAPS_ADDR"], &Options{TLSConfig: env.TLSConfig(b), Auth: Password("alice", "alicepass")})
	require.NoError(b, err)
	defer ic.Close()
	mailbox := uniqueName("search-bench")
	require.NoError(b, ic.CreateMailbox(ctx, mailbox))
	defer ic.DeleteMailbox(context.Background(), mailbox)
	for range 80 {
		for _, m := range searchSample {
			_, err := ic.AddMessage(ctx, mailbox, strings.NewReader(m.raw), m.flags)
			require.NoError(b, err)
		}
	}
	q := search.MustParse("from alice or subject invoice")
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			envs, err := ic.SearchEnvelopes(ctx, mailbox, q, email.ListOptions{Page: 2, PageSize: 20})
			if err != nil || len(envs) != 20 {
				b.Fatal(err, len(envs))
			}
		}
	})
	b.Run("imapclient", func(b *testing.B) {
		c, err := imapclient.DialTLS(env["PEERS_IMAPS_ADDR"], &imapclient.Options{TLSConfig: env.TLSConfig(b)})
		require.NoError(b, err)
		defer c.Close()
		require.NoError(b, c.Login("alice", "alicepass").Wait())
		_, err = c.Select(mailbox, &goimap.SelectOptions{ReadOnly: true}).Wait()
		require.NoError(b, err)
		crit := &goimap.SearchCriteria{Or: [][2]goimap.SearchCriteria{{
			{Header: []goimap.SearchCriteriaHeaderField{{Key: "From", Value: "alice"}}},
			{Header: []goimap.SearchCriteriaHeaderField{{Key: "Subject", Value: "invoice"}}},
		}}}
		b.ReportAllocs()
		for b.Loop() {
			nums, err := c.UIDSort(&imapclient.SortOptions{SearchCriteria: crit, SortCriteria: []imapclient.SortCriterion{{Key: imapclient.SortKeyDate, Reverse: true}}}).Wait()
			if err != nil || len(nums) < 40 {
				b.Fatal(err, len(nums))
			}
			var set goimap.UIDSet
			for _, n := range nums[20:40] {
				set.AddNum(goimap.UID(n))
			}
			msgs, err := c.Fetch(set, &goimap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true}).Collect()
			if err != nil || len(msgs) != 20 {
				b.Fatal(err, len(msgs))
			}
		}
	})
}
