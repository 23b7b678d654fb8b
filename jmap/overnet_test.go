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

// TestRecordCyrus records the transcripts of testdata/jmap/ from the
// loopback Cyrus. It runs only with JMAP_RECORD=1.
func TestRecordCyrus(t *testing.T) {
	if os.Getenv("JMAP_RECORD") != "1" {
		t.Skip("set JMAP_RECORD=1 to record transcripts from the loopback Cyrus")
	}
	nonce := fmt.Sprint(time.Now().UnixNano())
	out := record(t, "cyrus-scenario.txt", nonce, OverNet(scenarioMachine("http://127.0.0.1:18080", "Basic YWxpY2U6YWxpY2VwYXNz", "replay-"+nonce, nonce), "http://127.0.0.1:18080"))
	require.Len(t, out.Envelopes, 1)
	d := record(t, "cyrus-diff.txt", nonce, OverNet(diffScenario("http://127.0.0.1:18080", "Basic YWxpY2U6YWxpY2VwYXNz", nonce), "http://127.0.0.1:18080"))
	require.Len(t, d.New, 1)
}

// diffScenario adds a message, takes a baseline, adds another and flags
// the first, and diffs.
func diffScenario(sessionURL, auth, nonce string) Machine[email.EnvelopeDiff] {
	raw := func(n string) []byte { return []byte(fmt.Sprintf(scenarioMessage, nonce+"-"+n)) }
	return coroutine.Then(Discover(sessionURL, auth), func(s *Session) Machine[email.EnvelopeDiff] {
		return coroutine.Then(CreateMailbox(s, "diff-"+nonce), func(box string) Machine[email.EnvelopeDiff] {
			return coroutine.Then(AddMessage(s, box, raw("1"), nil), func(first string) Machine[email.EnvelopeDiff] {
				return coroutine.Then(DiffEnvelopes(s, box, nil), func(base email.EnvelopeDiff) Machine[email.EnvelopeDiff] {
					return coroutine.Then(AddMessage(s, box, raw("2"), nil), func(string) Machine[email.EnvelopeDiff] {
						return coroutine.Then(StoreFlags(s, []string{first}, email.FlagAdd, email.ParseFlags(`\Flagged`)), func(struct{}) Machine[email.EnvelopeDiff] {
							return coroutine.Then(DiffEnvelopes(s, box, base.State), func(d email.EnvelopeDiff) Machine[email.EnvelopeDiff] {
								return coroutine.Map(DeleteMailbox(s, box), func(struct{}) (email.EnvelopeDiff, error) { return d, nil })
							})
						})
					})
				})
			})
		})
	})
}

// record runs m over a TCP connection to the loopback Cyrus and writes the
// conversation to testdata/jmap/name.
func record[R any](t *testing.T, name, nonce string, m coroutine.NetMachine[R]) R {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:18080", 2*time.Second)
	require.NoError(t, err)
	defer conn.Close()
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
	require.NoError(t, os.WriteFile(filepath.Join("..", "testdata", "jmap", name), []byte(b.String()), 0o644))
	return out
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

func TestReplayCyrusDiff(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "testdata", "jmap", "cyrus-diff.txt"))
	require.NoError(t, err)
	var nonce string
	for _, l := range strings.Split(string(text), "\n") {
		if n, ok := strings.CutPrefix(l, "# nonce "); ok {
			nonce = n
		}
	}
	turns, err := coroutine.ParseTranscript(string(text))
	require.NoError(t, err)
	for _, chunk := range []int{0, 5} {
		m := OverNet(diffScenario("http://127.0.0.1:18080", "Basic YWxpY2U6YWxpY2VwYXNz", nonce), "http://127.0.0.1:18080")
		d, err := coroutine.ReplayNet(m, &coroutine.NetScript{Turns: turns, Chunk: chunk})
		require.NoError(t, err)
		require.False(t, d.FullListRequired)
		require.Len(t, d.New, 1)
		assert.Equal(t, "replayed", d.New[0].Subject)
		require.Len(t, d.FlagUpdates, 1, "Cyrus lists the flagged email as removed and added again; the state's membership set makes it an update")
		assert.True(t, d.FlagUpdates[0].Flags.Equal(email.ParseFlags(`\Flagged`)))
		assert.Empty(t, d.Vanished)
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
