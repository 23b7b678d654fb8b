package client

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap"
)

// countingReader is an io.Reader without Size, counting what was read.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestIMAPAddMessageReaders adds messages from every kind of reader
// AddMessage tells apart (a file read from its offset, a sized reader, a
// small and a large unsized one), with and without LITERAL+ and UIDPLUS,
// and reads each back the same; on imapmemserver and Dovecot.
func TestIMAPAddMessageReaders(t *testing.T) {
	small := "From: a@example.test\r\nSubject: small\r\nMessage-ID: <small@example.test>\r\n\r\nHi\r\n"
	var large bytes.Buffer
	large.WriteString("From: a@example.test\r\nSubject: large\r\nMessage-ID: <large@example.test>\r\n\r\n")
	large.Write(bytes.Repeat([]byte("a line of a message over the spooling threshold\r\n"), 3<<20/50))
	path := filepath.Join(t.TempDir(), "m.eml")
	require.NoError(t, os.WriteFile(path, []byte("skipped"+small), 0o600))
	readers := map[string]func(t *testing.T) (io.Reader, string){
		"file at offset": func(t *testing.T) (io.Reader, string) {
			f, err := os.Open(path)
			require.NoError(t, err)
			t.Cleanup(func() { f.Close() })
			_, err = f.Seek(int64(len("skipped")), io.SeekStart)
			require.NoError(t, err)
			return f, small
		},
		"strings.Reader": func(*testing.T) (io.Reader, string) { return strings.NewReader(small), small },
		"bytes.Reader":   func(*testing.T) (io.Reader, string) { return bytes.NewReader(large.Bytes()), large.String() },
		"small unsized":  func(*testing.T) (io.Reader, string) { return &countingReader{r: strings.NewReader(small)}, small },
		"spooled unsized": func(*testing.T) (io.Reader, string) {
			return &countingReader{r: bytes.NewReader(large.Bytes())}, large.String()
		},
	}
	for peer, dial := range map[string]func(testing.TB) *IMAPClient{"imapmemserver": memClient, "dovecot": dovecotClient} {
		t.Run(peer, func(t *testing.T) {
			for _, hide := range [][]string{nil, {"LITERAL+", "LITERAL-", "IMAP4rev2"}, {"UIDPLUS"}} {
				ic := dial(t) // a session of its own: hiding lasts
				ctx := tctx(t)
				box := uniqueName("imapstream-readers")
				require.NoError(t, ic.CreateMailbox(ctx, box))
				t.Cleanup(func() { ic.DeleteMailbox(context.Background(), box) })
				for name, open := range readers {
					r, want := open(t)
					id, err := addHiding(ctx, ic, box, r, hide)
					require.NoError(t, err, "%s hiding %v", name, hide)
					require.NotEmpty(t, id, "%s hiding %v", name, hide)
					var got bytes.Buffer
					n, err := ic.GetMessage(ctx, box, id, &got)
					require.NoError(t, err)
					assert.Equal(t, int64(len(want)), n)
					assert.True(t, want == got.String(), "%s hiding %v: message changed", name, hide)
				}
			}
		})
	}
}

// addHiding runs AddMessage's machine with the capabilities hide masked
// on the session (for good: the session is the test's own).
func addHiding(ctx context.Context, ic *IMAPClient, box string, r io.Reader, hide []string) (string, error) {
	if len(hide) == 0 {
		return ic.AddMessage(ctx, box, r, nil)
	}
	src, size, cleanup, err := sizedSource(r, 0)
	if err != nil {
		return "", err
	}
	defer cleanup()
	return runIMAPBody(ctx, ic, runUnsafe, Body{Source: src}, func(s *imap.Session) coroutine.NetMachine[string] {
		for _, c := range hide {
			s.IgnoreCapability(c)
		}
		return imap.AddMessageStream(s, box, size, nil)
	})
}

// A message over MaxMessageSize is refused before anything is sent, from
// a sized and from an unsized reader, and the client goes on.
func TestIMAPAddMessageTooLarge(t *testing.T) {
	ctx := tctx(t)
	ic, err := DialIMAP(ctx, "imap://"+memIMAP(t), &Options{AllowPlaintext: true, Auth: plainAlice(), MaxMessageSize: 100})
	require.NoError(t, err)
	t.Cleanup(func() { ic.Close() })
	msg := "Subject: x\r\n\r\n" + strings.Repeat("y", 100)
	_, err = ic.AddMessage(ctx, "INBOX", strings.NewReader(msg), nil)
	require.ErrorIs(t, err, email.ErrTooLarge)
	cr := &countingReader{r: strings.NewReader(msg)}
	_, err = ic.AddMessage(ctx, "INBOX", cr, nil)
	require.ErrorIs(t, err, email.ErrTooLarge)
	assert.Equal(t, int64(101), cr.n, "reads at most one byte past the limit")
	envs, err := ic.ListEnvelopes(ctx, "INBOX", email.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, envs)
	_, err = ic.AddMessage(ctx, "INBOX", strings.NewReader(msg[:100]), nil)
	require.NoError(t, err)
}
