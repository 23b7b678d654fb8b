package imap

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/transcripttest"
)

// sessionRun is what a whole session did against one server stream.
type sessionRun struct {
	out     []byte
	written []byte
	err     string
}

func runSession(server []byte, chunk int) sessionRun {
	s := NewSession(true, Limits{MaxLine: 1 << 12, MaxLiteral: 1 << 14})
	m := openThen(s, func(s *Session) coroutine.NetMachine[[]byte] {
		return coroutine.Then(ListMailboxes(s, email.ListMailboxesOptions{WithCounts: true}), func([]email.Mailbox) coroutine.NetMachine[[]byte] {
			return coroutine.Then(ListEnvelopes(s, "INBOX", email.ListOptions{PageSize: 3, WithAttachment: true}), func([]email.Envelope) coroutine.NetMachine[[]byte] {
				return getBytes(s, "INBOX", "1")
			})
		})
	})
	out, written, err := hostileDrive(m, transcripttest.Chunks(server, chunk), 0)
	r := sessionRun{out: out, written: written}
	if err != nil {
		r.err = err.Error()
	}
	return r
}

// FuzzSession feeds arbitrary server bytes to a whole session (open, list
// mailboxes with counts, list envelopes, fetch a message). It must end
// with a result or an error, never panic or loop, whatever the server
// says; and it must do the same (same writes, same result, same error)
// whether the bytes come at once or in pieces; every line it writes ends
// with CRLF (the literal of a command is within its line count); and no
// error quotes the password. Seeds are the server sides of the
// transcripts in testdata/imap.
func FuzzSession(f *testing.F) {
	for _, server := range transcripttest.Servers(f, "../testdata/imap/*.txt") {
		f.Add(server, uint8(7))
	}
	f.Fuzz(func(t *testing.T, server []byte, chunk uint8) {
		whole := runSession(server, len(server))
		cut := runSession(server, int(chunk%64)+1)
		if !reflect.DeepEqual(whole, cut) {
			t.Fatalf("at once: %+v\nin pieces of %d: %+v", whole, int(chunk%64)+1, cut)
		}
		if len(whole.written) > 0 && !bytes.HasSuffix(whole.written, []byte("\r\n")) {
			t.Fatalf("the session wrote a line without CRLF: %q", whole.written)
		}
		if strings.Contains(whole.err, "alicepass") {
			t.Fatalf("password in the error %q", whole.err)
		}
	})
}
