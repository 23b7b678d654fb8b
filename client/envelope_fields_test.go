package client_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
	"github.com/ioemail/ioemail/maildir"
	"github.com/ioemail/ioemail/search"
)

// threadMessage is a message whose reply and thread fields every backend
// must list as the local parser reads them; id makes it unique per run.
func threadMessage(id string) []byte {
	return []byte("From: Carol <carol@example.org>\r\nTo: bob@example.net\r\n" +
		"Cc: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.com>, dan@example.net\r\n" +
		"Reply-To: \"Lee, Ed\" <ed@example.org>\r\n" +
		"Subject: thread " + id + "\r\nDate: Tue, 27 Jan 2026 09:15:00 +0100\r\n" +
		"Message-ID: <" + id + "@example.org>\r\nIn-Reply-To: <p-" + id + "@example.org> (parent)\r\n" +
		"References: <r-" + id + "@example.org>\r\n <p-" + id + "@example.org>\r\n\r\nHello.\r\n")
}

// checkReceivedAndThread adds two messages, one with a received time given
// by WithReceived and one without, and checks the listing gives that time,
// a recent time for the other, and the Cc, Reply-To, In-Reply-To and
// References fields.
func checkReceivedAndThread(t *testing.T, mailbox string,
	add func(ctx context.Context, mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) (string, error),
	list func(ctx context.Context, mailbox string, opts email.ListOptions) ([]email.Envelope, error)) {
	t.Helper()
	ctx := context.Background()
	id := fmt.Sprintf("t%d", time.Now().UnixNano())
	received := time.Date(2019, 3, 4, 5, 6, 7, 0, time.FixedZone("", -5*3600))
	_, err := add(ctx, mailbox, threadMessage(id), nil, email.WithReceived(received))
	require.NoError(t, err)
	before := time.Now().Add(-5 * time.Second)
	_, err = add(ctx, mailbox, threadMessage(id+"-now"), nil)
	require.NoError(t, err)
	after := time.Now().Add(5 * time.Second)
	envs, err := list(ctx, mailbox, email.ListOptions{})
	require.NoError(t, err)
	byID := map[string]email.Envelope{}
	for _, e := range envs {
		byID[e.MessageID] = e
	}
	e, ok := byID[id+"@example.org"]
	require.True(t, ok, "the added message is listed")
	assert.True(t, e.Received.Equal(received), "Received %v, want %v", e.Received, received)
	want := search.EnvelopeFromHeader(threadMessage(id))
	assert.Equal(t, []email.Address{{Name: "Zoë", Email: "zoe@example.com"}, {Email: "dan@example.net"}}, e.Cc)
	assert.Equal(t, []email.Address{{Name: "Lee, Ed", Email: "ed@example.org"}}, e.ReplyTo)
	assert.Equal(t, []string{"p-" + id + "@example.org"}, e.InReplyTo)
	assert.Equal(t, []string{"r-" + id + "@example.org", "p-" + id + "@example.org"}, e.References)
	assert.Equal(t, want.Cc, e.Cc, "as the local parser reads it")
	now, ok := byID[id+"-now@example.org"]
	require.True(t, ok, "the second message is listed")
	assert.True(t, now.Received.After(before) && now.Received.Before(after), "Received %v without WithReceived, want about now", now.Received)
}

func clientAdd(c *client.Client) func(ctx context.Context, mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) (string, error) {
	return func(ctx context.Context, mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) (string, error) {
		return c.AddMessage(ctx, mailbox, bytes.NewReader(raw), flags, opts...)
	}
}

func imapAdd(ic *client.IMAPClient) func(ctx context.Context, mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) (string, error) {
	return func(ctx context.Context, mailbox string, raw []byte, flags email.Flags, opts ...email.AddOption) (string, error) {
		return ic.AddMessage(ctx, mailbox, bytes.NewReader(raw), flags, opts...)
	}
}

func TestEnvelopeReceivedLocal(t *testing.T) {
	for name, c := range map[string]*client.Client{
		"maildir": client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(t.TempDir())}),
		"m2dir":   client.New().WithM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir())}),
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, c.CreateMailbox(context.Background(), "INBOX"))
			checkReceivedAndThread(t, "INBOX", clientAdd(c), c.ListEnvelopes)
		})
	}
}

func imapReceived(t *testing.T, ic *client.IMAPClient, prefix string) {
	mailbox := client.SearchTableName(prefix + "received")
	require.NoError(t, ic.CreateMailbox(context.Background(), mailbox))
	t.Cleanup(func() { _ = ic.DeleteMailbox(context.Background(), mailbox) })
	checkReceivedAndThread(t, mailbox, imapAdd(ic), ic.ListEnvelopes)
}

func TestEnvelopeReceivedMemServer(t *testing.T) { imapReceived(t, client.SearchTableMem(t), "") }

func TestEnvelopeReceivedDovecot(t *testing.T) { imapReceived(t, client.SearchTableDovecot(t), "") }

func TestEnvelopeReceivedCyrusIMAP(t *testing.T) {
	imapReceived(t, client.SearchTableCyrusIMAP(t), "INBOX/")
}

func TestEnvelopeReceivedCyrusJMAP(t *testing.T) {
	c, _, box := cyrus(t)
	checkReceivedAndThread(t, box, clientAdd(c), c.ListEnvelopes)
}

// TestCorpusThreadFields pins what the parser reads of the corpus message
// that carries every reply and thread field, which the search table then
// requires of every backend.
func TestCorpusThreadFields(t *testing.T) {
	raw, err := os.ReadFile("../testdata/corpus/39-thread-fields.eml")
	require.NoError(t, err)
	e := search.EnvelopeFromHeader(raw)
	assert.Equal(t, []email.Address{{Name: "Zoë Müller", Email: "zoe@example.com"}, {Email: "dan@example.net"}}, e.Cc)
	assert.True(t, slices.Equal([]email.Address{{Email: "ann@example.org"}, {Name: "Lee, Ed", Email: "ed@example.org"}}, e.ReplyTo), "%v", e.ReplyTo)
	assert.Equal(t, []string{"thread2@example.org"}, e.InReplyTo)
	assert.Equal(t, []string{"thread1@example.org", "thread2@example.org"}, e.References)
}

// differ is the storage of the diff test: adding and diffing.
type differ interface {
	AddMessage(ctx context.Context, mailbox string, r io.Reader, flags email.Flags, opts ...email.AddOption) (string, error)
	DiffEnvelopes(ctx context.Context, mailbox string, state email.State) (email.EnvelopeDiff, error)
}

// checkDiffFields checks that a message added after a baseline comes back
// in the diff's New with the same received time and thread fields as a
// listing gives.
func checkDiffFields(t *testing.T, s differ, mailbox string) {
	t.Helper()
	ctx := context.Background()
	base, err := s.DiffEnvelopes(ctx, mailbox, nil)
	require.NoError(t, err)
	id := fmt.Sprintf("d%d", time.Now().UnixNano())
	received := time.Date(2018, 7, 8, 9, 10, 11, 0, time.UTC)
	_, err = s.AddMessage(ctx, mailbox, bytes.NewReader(threadMessage(id)), nil, email.WithReceived(received))
	require.NoError(t, err)
	d, err := s.DiffEnvelopes(ctx, mailbox, base.State)
	require.NoError(t, err)
	require.False(t, d.FullListRequired)
	require.Len(t, d.New, 1)
	e := d.New[0]
	assert.True(t, e.Received.Equal(received), "Received %v, want %v", e.Received, received)
	assert.Equal(t, []string{"r-" + id + "@example.org", "p-" + id + "@example.org"}, e.References)
	assert.Equal(t, []string{"p-" + id + "@example.org"}, e.InReplyTo)
	assert.Equal(t, []email.Address{{Name: "Lee, Ed", Email: "ed@example.org"}}, e.ReplyTo)
	assert.Len(t, e.Cc, 2)
}

func TestEnvelopeFieldsInDiff(t *testing.T) {
	md := client.New().WithMaildir(maildir.Store{Root: filepath.ToSlash(t.TempDir())})
	m2 := client.New().WithM2dir(m2dir.Store{Root: filepath.ToSlash(t.TempDir())})
	for name, s := range map[string]differ{"maildir": md.Maildir(), "m2dir": m2.M2dir()} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, s.(client.Storage).CreateMailbox(context.Background(), "INBOX"))
			checkDiffFields(t, s, "INBOX")
		})
	}
	for name, ic := range map[string]func(testing.TB) *client.IMAPClient{"imapmem": client.SearchTableMem, "dovecot": client.SearchTableDovecot} {
		t.Run(name, func(t *testing.T) {
			c := ic(t)
			mailbox := client.SearchTableName("diff-fields")
			require.NoError(t, c.CreateMailbox(context.Background(), mailbox))
			t.Cleanup(func() { _ = c.DeleteMailbox(context.Background(), mailbox) })
			checkDiffFields(t, c, mailbox)
		})
	}
	t.Run("cyrus-jmap", func(t *testing.T) {
		_, jc, box := cyrus(t)
		checkDiffFields(t, jc, box)
	})
}
