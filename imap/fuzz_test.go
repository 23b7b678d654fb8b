package imap

import (
	"testing"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/transcripttest"
)

// FuzzSession feeds arbitrary server bytes to a whole session (open, list
// mailboxes with counts, list envelopes, fetch a message): it must end
// with a result or an error, never panic or loop, whatever the server
// says. Seeds are the server sides of the transcripts in testdata/imap.
func FuzzSession(f *testing.F) {
	for _, server := range transcripttest.Servers(f, "../testdata/imap/*.txt") {
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
		hostileDrive(m, transcripttest.Chunks(server, int(chunk%64)+1), 0)
	})
}
