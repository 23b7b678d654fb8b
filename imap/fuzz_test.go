package imap

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// FuzzSession feeds arbitrary server bytes to a whole session (open, list
// mailboxes with counts, list envelopes, fetch a message): it must end
// with a result or an error, never panic or loop, whatever the server
// says. Seeds are the server sides of the transcripts in testdata/imap.
func FuzzSession(f *testing.F) {
	files, err := filepath.Glob("../testdata/imap/*.txt")
	require.NoError(f, err)
	for _, name := range files {
		text, err := os.ReadFile(name)
		require.NoError(f, err)
		turns, err := coroutine.ParseTranscript(string(text))
		require.NoError(f, err)
		var server []byte
		for _, t := range turns {
			if t.Side == coroutine.Server {
				server = append(server, t.Data...)
			}
		}
		f.Add(server, uint8(7))
	}
	f.Fuzz(func(t *testing.T, server []byte, chunk uint8) {
		s := NewSession(true, Limits{MaxLine: 1 << 12, MaxLiteral: 1 << 14})
		m := openThen(s, func(s *Session) coroutine.NetMachine[[]byte] {
			return coroutine.Then(ListMailboxes(s, email.ListMailboxesOptions{WithCounts: true}), func([]email.Mailbox) coroutine.NetMachine[[]byte] {
				return coroutine.Then(ListEnvelopes(s, "INBOX", email.ListOptions{PageSize: 3, WithAttachment: true}), func([]email.Envelope) coroutine.NetMachine[[]byte] {
					return GetMessage(s, "INBOX", "1")
				})
			})
		})
		n := int(chunk%64) + 1
		var parts []string
		for len(server) > 0 {
			k := min(n, len(server))
			parts = append(parts, string(server[:k]))
			server = server[k:]
		}
		hostileDrive(m, parts, 0)
	})
}
