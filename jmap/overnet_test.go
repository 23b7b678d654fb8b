package jmap

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// scenario is what the recorded Cyrus conversation produces.
type scenario struct {
	Session   *Session
	Boxes     []email.Mailbox
	Created   string
	Added     string
	Envelopes []email.Envelope
	Raw       []byte
}

const scenarioMessage = "From: Alice <alice@jmap.test>\r\nTo: bob@jmap.test\r\nSubject: replayed\r\nDate: Mon, 15 Jan 2024 10:00:00 +0100\r\nMessage-ID: <replay-%s@jmap.test>\r\n\r\nHello over raw HTTP/1.1\r\n"

// scenarioMachine chains session discovery and several operations into
// one machine: machines compose with coroutine.Then and Map.
func scenarioMachine(sessionURL, auth, box, nonce string) Machine[scenario] {
	var out scenario
	return coroutine.Then(Discover(sessionURL, auth), func(s *Session) Machine[scenario] {
		out.Session = s
		return coroutine.Then(ListMailboxes(s, email.ListMailboxesOptions{WithCounts: true}), func(b []email.Mailbox) Machine[scenario] {
			out.Boxes = b
			return coroutine.Then(CreateMailbox(s, box), func(id string) Machine[scenario] {
				out.Created = id
				raw := []byte(fmt.Sprintf(scenarioMessage, nonce))
				return coroutine.Then(AddMessage(s, id, raw, email.ParseFlags(`\Seen`)), func(eid string) Machine[scenario] {
					out.Added = eid
					return coroutine.Then(ListEnvelopes(s, id, email.ListOptions{PageSize: 10}), func(envs []email.Envelope) Machine[scenario] {
						out.Envelopes = envs
						return coroutine.Then(GetMessage(s, id, eid, 0), func(raw []byte) Machine[scenario] {
							out.Raw = raw
							return coroutine.Map(DeleteMailbox(s, id), func(struct{}) (scenario, error) { return out, nil })
						})
					})
				})
			})
		})
	})
}

// transcript writes turns in the format coroutine.ParseTranscript reads.
func transcript(b *strings.Builder, side string, data []byte) error {
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		return fmt.Errorf("bare LF cannot be recorded")
	}
	for len(data) > 0 {
		i := bytes.Index(data, []byte("\r\n"))
		if i < 0 {
			fmt.Fprintf(b, "%s- %s\n", side, data)
			return nil
		}
		fmt.Fprintf(b, "%s: %s\n", side, data[:i])
		data = data[i+2:]
	}
	return nil
}

// TestRecordCyrus records testdata/jmap/cyrus-scenario.txt from the
// loopback Cyrus. It runs only with JMAP_RECORD=1.
func TestRecordCyrus(t *testing.T) {
	if os.Getenv("JMAP_RECORD") != "1" {
		t.Skip("set JMAP_RECORD=1 to record transcripts from the loopback Cyrus")
	}
	conn, err := net.DialTimeout("tcp", "127.0.0.1:18080", 2*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	nonce := fmt.Sprint(time.Now().UnixNano())
	m := OverNet(scenarioMachine("http://127.0.0.1:18080", "Basic YWxpY2U6YWxpY2VwYXNz", "replay-"+nonce, nonce), "http://127.0.0.1:18080")
	var b strings.Builder
	b.WriteString("# Recorded from Cyrus 3.6 by TestRecordCyrus (JMAP_RECORD=1); credentials are the test peer's alice/alicepass.\n")
	fmt.Fprintf(&b, "# nonce %s\n", nonce)
	buf := make([]byte, 64<<10)
	var in coroutine.NetReply
	for {
		req, done := m.Resume(in)
		if done {
			break
		}
		in = coroutine.NetReply{}
		switch req.Op {
		case coroutine.NetWrite:
			require.NoError(t, transcript(&b, "C", req.Data))
			_, in.Err = conn.Write(req.Data)
		case coroutine.NetRead:
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := conn.Read(buf)
			if n > 0 {
				in.Data = buf[:n]
				require.NoError(t, transcript(&b, "S", in.Data))
			} else if err != nil {
				in.EOF = true
			}
		}
	}
	out, err := m.Result()
	require.NoError(t, err)
	require.Len(t, out.Envelopes, 1)
	require.NoError(t, os.WriteFile(filepath.Join("..", "testdata", "jmap", "cyrus-scenario.txt"), []byte(b.String()), 0o644))
}

func TestReplayCyrus(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "testdata", "jmap", "cyrus-scenario.txt"))
	require.NoError(t, err)
	var nonce string
	for _, l := range strings.Split(string(text), "\n") {
		if n, ok := strings.CutPrefix(l, "# nonce "); ok {
			nonce = n
		}
	}
	require.NotEmpty(t, nonce)
	turns, err := coroutine.ParseTranscript(string(text))
	require.NoError(t, err)
	for _, chunk := range []int{0, 1, 13, 1000} {
		script := &coroutine.NetScript{Turns: turns, Chunk: chunk}
		m := OverNet(scenarioMachine("http://127.0.0.1:18080", "Basic YWxpY2U6YWxpY2VwYXNz", "replay-"+nonce, nonce), "http://127.0.0.1:18080")
		out, err := coroutine.ReplayNet(m, script)
		require.NoError(t, err, "chunk %d", chunk)
		assert.Equal(t, "alice", out.Session.AccountID)
		assert.Equal(t, "http://127.0.0.1:18080/jmap/", out.Session.APIURL, "relative apiUrl resolved after the redirect")
		assert.Equal(t, email.RoleInbox, out.Boxes[0].Role)
		require.Len(t, out.Envelopes, 1)
		assert.Equal(t, "replayed", out.Envelopes[0].Subject)
		assert.Equal(t, out.Added, out.Envelopes[0].ID)
		assert.True(t, out.Envelopes[0].Flags.HasIANA(email.Seen))
		assert.Equal(t, fmt.Sprintf(scenarioMessage, nonce), string(out.Raw))
	}
}

func TestOverNetErrors(t *testing.T) {
	// Another origin.
	m := OverNet(Fetch(Request{Method: "GET", URL: "http://other:1/x"}), "http://127.0.0.1:18080")
	_, err := coroutine.ReplayNet(m, &coroutine.NetScript{})
	assert.ErrorIs(t, err, ErrOtherOrigin)
	// A response with Connection: close, then a second exchange.
	turns, err := coroutine.ParseTranscript("C: GET /a HTTP/1.1\nC: Host: h:80\nC: \nS: HTTP/1.1 302 Found\nS: Location: /b\nS: Connection: close\nS: Content-Length: 0\nS: \n")
	require.NoError(t, err)
	m = OverNet(Fetch(Request{Method: "GET", URL: "http://h:80/a"}), "http://h:80")
	_, err = coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
	assert.ErrorIs(t, err, ErrConnClosed)
	// Garbage from the server.
	turns, err = coroutine.ParseTranscript("C: GET /a HTTP/1.1\nC: Host: h\nC: \nS: * OK IMAP4rev1 ready\n")
	require.NoError(t, err)
	m = OverNet(Fetch(Request{Method: "GET", URL: "http://h/a"}), "http://h")
	_, err = coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
	assert.ErrorIs(t, err, email.ErrProtocol)
	// A 1 GB Content-Length.
	turns, err = coroutine.ParseTranscript("C: GET /a HTTP/1.1\nC: Host: h\nC: \nS: HTTP/1.1 200 OK\nS: Content-Length: 1073741824\nS: \nS- {\n")
	require.NoError(t, err)
	m = OverNet(Fetch(Request{Method: "GET", URL: "http://h/a"}), "http://h")
	_, err = coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
	assert.ErrorIs(t, err, email.ErrTooLarge)
	// The server hangs up mid-body.
	turns, err = coroutine.ParseTranscript("C: GET /a HTTP/1.1\nC: Host: h\nC: \nS: HTTP/1.1 200 OK\nS: Content-Length: 10\nS: \nS- abc\n")
	require.NoError(t, err)
	m = OverNet(Fetch(Request{Method: "GET", URL: "http://h/a"}), "http://h")
	_, err = coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns})
	assert.ErrorIs(t, err, email.ErrProtocol)
}
