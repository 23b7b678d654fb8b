package maildir_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/search"
)

// searchFixture is a store with six messages in INBOX, keyed by subject.
type searchFixture struct {
	s   maildir.Store
	ids map[string]string
}

func newSearchFixture(t *testing.T) searchFixture {
	t.Helper()
	ctx := context.Background()
	d := client.NewFileDriver(2)
	s := maildir.Store{Root: filepath.ToSlash(t.TempDir()), Entropy: rand.Reader, Hostname: "test.example", Pid: 42,
		Clock: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	_, err := client.RunFiles(ctx, d, s.CreateMailbox("INBOX"))
	require.NoError(t, err)
	f := searchFixture{s: s, ids: map[string]string{}}
	add := func(subject, from, date, body string, flags ...string) {
		raw := "From: " + from + "\r\nTo: bob@example.org\r\nSubject: " + subject + "\r\nDate: " + date +
			"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n"
		id, err := client.RunFiles(ctx, d, s.AddMessage("INBOX", []byte(raw), email.ParseFlags(flags...)))
		require.NoError(t, err)
		f.ids[subject] = id
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

// search runs a query and returns the subjects of the hits, in order, and
// the paths read whole.
func (f searchFixture) search(t *testing.T, q string, opts email.ListOptions) ([]string, []string) {
	t.Helper()
	d := client.NewFileDriver(2)
	rec := &coroutine.Recorder{Do: func(r []coroutine.FileRequest) []coroutine.FileResult { return d.Do(context.Background(), r) }}
	envs, err := coroutine.Run(f.s.SearchEnvelopes("INBOX", search.MustParse(q), opts), rec.Perform)
	require.NoError(t, err, q)
	var subjects, whole []string
	for _, e := range envs {
		subjects = append(subjects, e.Subject)
		assert.Equal(t, f.ids[e.Subject], e.ID)
	}
	for _, step := range rec.Steps {
		for _, r := range step.Requests {
			if r.Op == coroutine.FileRead && r.Limit == maildir.DefaultMaxMessageSize {
				whole = append(whole, r.Path)
			}
		}
	}
	return subjects, whole
}

func TestSearchEnvelopes(t *testing.T) {
	f := newSearchFixture(t)
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
		got, whole := f.search(t, c.q, email.ListOptions{})
		assert.Equal(t, c.want, got, c.q)
		assert.Len(t, whole, c.whole, "%s reads %v", c.q, whole)
	}

	got, _ := f.search(t, "not from alice", email.ListOptions{Page: 2, PageSize: 2})
	assert.Equal(t, []string{"three", "six"}, got)
	got, _ = f.search(t, "not from alice", email.ListOptions{Page: 3, PageSize: 2})
	assert.Empty(t, got)
}

func TestSearchEnvelopesVanished(t *testing.T) {
	f := newSearchFixture(t)
	d := client.NewFileDriver(2)
	removed := false
	do := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for _, r := range reqs {
			if !removed && r.Op == coroutine.FileRead && r.Limit == maildir.DefaultMaxMessageSize && strings.Contains(r.Path, f.ids["one"]) {
				require.NoError(t, os.Remove(filepath.FromSlash(r.Path)))
				removed = true
			}
		}
		return d.Do(context.Background(), reqs)
	}
	envs, err := coroutine.Run(f.s.SearchEnvelopes("INBOX", search.MustParse("body invoice or body lunch"), email.ListOptions{}), do)
	require.NoError(t, err)
	assert.True(t, removed)
	assert.Len(t, envs, 2, "the message deleted before its body was read is left out")
}

func TestSearchEnvelopesErrors(t *testing.T) {
	f := newSearchFixture(t)
	_, err := client.RunFiles(context.Background(), client.NewFileDriver(1), f.s.SearchEnvelopes("Nope", search.Query{}, email.ListOptions{}))
	assert.ErrorIs(t, err, email.ErrNotFound)
	var nf *email.NotFoundError
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, "Nope", nf.Mailbox)

	_, err = client.RunFiles(context.Background(), client.NewFileDriver(1), f.s.SearchEnvelopes("INBOX", search.Query{}, email.ListOptions{PageSize: -1}))
	assert.ErrorIs(t, err, email.ErrInvalidArgument)

	m := f.s.SearchEnvelopes("INBOX", search.Query{}, email.ListOptions{})
	m.Resume(nil)
	_, done := m.Resume([]coroutine.FileResult{{}, {}, {}, {}, {}})
	assert.True(t, done)
	_, err = m.Result()
	assert.ErrorIs(t, err, email.ErrUnexpectedReply)
}

func TestSearchEnvelopesRenamed(t *testing.T) {
	f := newSearchFixture(t)
	d := client.NewFileDriver(2)
	renamed := false
	do := func(reqs []coroutine.FileRequest) []coroutine.FileResult {
		for _, r := range reqs {
			if !renamed && r.Op == coroutine.FileRead && r.Limit == maildir.DefaultMaxMessageSize && strings.Contains(r.Path, f.ids["one"]) {
				require.True(t, strings.HasSuffix(r.Path, ":2,S"), r.Path)
				require.NoError(t, os.Rename(filepath.FromSlash(r.Path), filepath.FromSlash(r.Path+"F")))
				renamed = true
			}
		}
		return d.Do(context.Background(), reqs)
	}
	envs, err := coroutine.Run(f.s.SearchEnvelopes("INBOX", search.MustParse("body invoice"), email.ListOptions{}), do)
	require.NoError(t, err)
	assert.True(t, renamed)
	require.Len(t, envs, 2, "a file renamed by a flag change is found again")
	assert.Equal(t, f.ids["one"], envs[1].ID)
}

// TestSearchEnvelopesReplay records a body search on the real tree and
// replays it: the machine asks for the same batches and ends the same way
// without touching the disk.
func TestSearchEnvelopesReplay(t *testing.T) {
	f := newSearchFixture(t)
	d := client.NewFileDriver(2)
	rec := &coroutine.Recorder{Do: func(r []coroutine.FileRequest) []coroutine.FileResult { return d.Do(context.Background(), r) }}
	q := search.MustParse("from alice or body café order by subject")
	live, err := coroutine.Run(f.s.SearchEnvelopes("INBOX", q, email.ListOptions{PageSize: 2}), rec.Perform)
	require.NoError(t, err)
	require.Len(t, live, 2)
	replayed, err := coroutine.ReplayFiles(f.s.SearchEnvelopes("INBOX", q, email.ListOptions{PageSize: 2}), rec.Steps)
	require.NoError(t, err)
	assert.Equal(t, live, replayed)
}
