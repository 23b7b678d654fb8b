// Package storetest holds the tests the local stores (Maildir and m2dir)
// share, so that both run the same table against the same messages: a
// fixture of six messages in INBOX and the SearchEnvelopes checks made on
// it. It is imported only from the stores' tests.
package storetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/search"
)

// Store is the part of a local store the shared tests drive.
type Store interface {
	// CreateMailbox makes the mailbox name.
	CreateMailbox(name string) coroutine.FileMachine[struct{}]
	// AddMessage stores raw in mailbox with flags and returns its id.
	AddMessage(mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) coroutine.FileMachine[string]
	// SearchEnvelopes returns the envelopes of mailbox that match q.
	SearchEnvelopes(mailbox string, q search.Query, opts email.ListOptions) coroutine.FileMachine[[]email.Envelope]
}

// SearchFixture is a store with six messages in INBOX, keyed by subject.
type SearchFixture struct {
	// Store is the store under test.
	Store Store
	// IDs maps each subject to the id AddMessage returned for it.
	IDs map[string]string
	// WholeLimit is the Limit of the store's whole-message reads (its
	// DefaultMaxMessageSize): a FileRead with this limit reads a body.
	WholeLimit int64
}

// NewSearchFixture adds the six messages to INBOX of s, an empty store
// whose whole-message reads have the limit wholeLimit.
func NewSearchFixture(t *testing.T, s Store, wholeLimit int64) SearchFixture {
	t.Helper()
	ctx := context.Background()
	d := client.NewFileDriver(2)
	_, err := client.RunFiles(ctx, d, s.CreateMailbox("INBOX"))
	require.NoError(t, err)
	f := SearchFixture{Store: s, IDs: map[string]string{}, WholeLimit: wholeLimit}
	add := func(subject, from, date, body string, flags ...string) {
		raw := "From: " + from + "\r\nTo: bob@example.org\r\nSubject: " + subject + "\r\nDate: " + date +
			"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n"
		id, err := client.RunFiles(ctx, d, s.AddMessage("INBOX", []byte(raw), email.ParseFlags(flags...)))
		require.NoError(t, err)
		f.IDs[subject] = id
	}
	// Bodies are base64 of: "invoice 42 attached", "lunch at noon", "invoice paid",
	// "meeting notes", "café au lait", "no body words".
	add("one", "Alice <alice@example.org>", "Mon, 05 Jan 2026 10:00:00 +0000", "aW52b2ljZSA0MiBhdHRhY2hlZA==", `\Seen`)
	add("two", "Alice <alice@example.org>", "Tue, 06 Jan 2026 10:00:00 +0000", "bHVuY2ggYXQgbm9vbg==")
	add("three", "Bob <bob@example.net>", "Wed, 07 Jan 2026 10:00:00 +0000", "aW52b2ljZSBwYWlk", `\Flagged`)
	add("four", "Carol <carol@example.com>", "Thu, 08 Jan 2026 23:30:00 -0500", "bWVldGluZyBub3Rlcw==", "$Work")
	add("five", "Dave <dave@example.com>", "Fri, 09 Jan 2026 00:30:00 +0200", "Y2Fmw6kgYXUgbGFpdA==", `\Seen`)
	add("six", "Eve <eve@example.com>", "not a date", "bm8gYm9keSB3b3Jkcw==")
	return f
}

// readsWhole reports whether r reads a message whole.
func (f SearchFixture) readsWhole(r coroutine.FileRequest) bool {
	return r.Op == coroutine.FileRead && r.Limit == f.WholeLimit
}

// OnFirstWholeRead returns a file performer for the real tree that, the
// first time a batch asks to read the message subject whole, calls action
// with that read's path before the batch is performed.
func (f SearchFixture) OnFirstWholeRead(subject string, action func(path string)) func([]coroutine.FileRequest) []coroutine.FileResult {
	d := client.NewFileDriver(2)
	fired := false
	return func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for _, r := range reqs {
			if !fired && f.readsWhole(r) && strings.Contains(r.Path, f.IDs[subject]) {
				fired = true
				action(r.Path)
			}
		}
		return d.Do(context.Background(), reqs)
	}
}

// Search runs a query and returns the subjects of the hits, in order, and
// the paths read whole.
func (f SearchFixture) Search(t *testing.T, q string, opts email.ListOptions) ([]string, []string) {
	t.Helper()
	d := client.NewFileDriver(2)
	rec := &coroutine.Recorder{Do: func(r []coroutine.FileRequest) []coroutine.FileResult { return d.Do(context.Background(), r) }}
	envs, err := coroutine.Run(f.Store.SearchEnvelopes("INBOX", search.MustParse(q), opts), rec.Perform)
	require.NoError(t, err, q)
	var subjects, whole []string
	for _, e := range envs {
		subjects = append(subjects, e.Subject)
		assert.Equal(t, f.IDs[e.Subject], e.ID)
	}
	for _, step := range rec.Steps {
		for _, r := range step.Requests {
			if f.readsWhole(r) {
				whole = append(whole, r.Path)
			}
		}
	}
	return subjects, whole
}

// SearchTable runs the shared queries on f and checks the hits, their
// order, how many messages each query reads whole, and paging.
func SearchTable(t *testing.T, f SearchFixture) {
	t.Helper()
	cases := []struct {
		q     string
		want  []string
		whole int // messages read whole
	}{
		// four is 2026-01-09 04:30 UTC, five 2026-01-08 22:30 UTC.
		{"", []string{"four", "five", "three", "two", "one", "six"}, 0},
		{"from alice", []string{"two", "one"}, 0},
		{"flag seen", []string{"five", "one"}, 0},
		{`flag \Flagged or flag $work`, []string{"four", "three"}, 0},
		{"not flag seen order by subject", []string{"four", "six", "three", "two"}, 0},
		{"date 2026-01-08", []string{"four"}, 0},
		{"date 2026-01-09", []string{"five"}, 0},
		{"before 2026-01-07", []string{"two", "one"}, 0},
		{"not before 2026-01-07", []string{"four", "five", "three", "six"}, 0},
		{"body invoice", []string{"three", "one"}, 6},
		{"from alice and body invoice", []string{"one"}, 2},
		{"from alice or body café", []string{"five", "two", "one"}, 4},
		{"body CAFÉ order by from desc", []string{"five"}, 6},
		{"not body invoice and flag seen", []string{"five"}, 2},
		{"subject nothing and body invoice", nil, 0},
	}
	for _, c := range cases {
		got, whole := f.Search(t, c.q, email.ListOptions{})
		assert.Equal(t, c.want, got, c.q)
		assert.Len(t, whole, c.whole, "%s reads %v", c.q, whole)
	}

	got, _ := f.Search(t, "not from alice", email.ListOptions{Page: 2, PageSize: 2})
	assert.Equal(t, []string{"three", "six"}, got)
	got, _ = f.Search(t, "not from alice", email.ListOptions{Page: 3, PageSize: 2})
	assert.Empty(t, got)
}

// SearchVanished deletes message "one" just before the search reads it
// whole, and checks that the search leaves it out without failing.
func SearchVanished(t *testing.T, f SearchFixture) {
	t.Helper()
	removed := false
	do := f.OnFirstWholeRead("one", func(path string) {
		require.NoError(t, os.Remove(filepath.FromSlash(path)))
		removed = true
	})
	envs, err := coroutine.Run(f.Store.SearchEnvelopes("INBOX", search.MustParse("body invoice or body lunch"), email.ListOptions{}), do)
	require.NoError(t, err)
	assert.True(t, removed)
	assert.Len(t, envs, 2, "the message deleted before its body was read is left out")
}

// SearchErrors checks the errors of SearchEnvelopes shared by the stores: a
// missing mailbox (ErrNotFound), a negative page size (ErrInvalidArgument),
// and a first reply of firstBatch empty results (ErrUnexpectedReply). It
// returns the missing mailbox's error, for the caller to check its type.
func SearchErrors(t *testing.T, f SearchFixture, firstBatch int) error {
	t.Helper()
	_, notFound := client.RunFiles(context.Background(), client.NewFileDriver(1), f.Store.SearchEnvelopes("Nope", search.Query{}, email.ListOptions{}))
	assert.ErrorIs(t, notFound, email.ErrNotFound)

	_, err := client.RunFiles(context.Background(), client.NewFileDriver(1), f.Store.SearchEnvelopes("INBOX", search.Query{}, email.ListOptions{PageSize: -1}))
	assert.ErrorIs(t, err, email.ErrInvalidArgument)

	m := f.Store.SearchEnvelopes("INBOX", search.Query{}, email.ListOptions{})
	m.Resume(nil)
	_, done := m.Resume(make([]coroutine.FileResult, firstBatch))
	assert.True(t, done)
	_, err = m.Result()
	assert.ErrorIs(t, err, email.ErrUnexpectedReply)
	return notFound
}

// SearchReplay records a body search on the real tree and replays it: the
// machine asks for the same batches and ends the same way without touching
// the disk.
func SearchReplay(t *testing.T, f SearchFixture) {
	t.Helper()
	d := client.NewFileDriver(2)
	rec := &coroutine.Recorder{Do: func(r []coroutine.FileRequest) []coroutine.FileResult { return d.Do(context.Background(), r) }}
	q := search.MustParse("from alice or body café order by subject")
	live, err := coroutine.Run(f.Store.SearchEnvelopes("INBOX", q, email.ListOptions{PageSize: 2}), rec.Perform)
	require.NoError(t, err)
	require.Len(t, live, 2)
	replayed, err := coroutine.ReplayFiles(f.Store.SearchEnvelopes("INBOX", q, email.ListOptions{PageSize: 2}), rec.Steps)
	require.NoError(t, err)
	assert.Equal(t, live, replayed)
}
