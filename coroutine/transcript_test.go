package coroutine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatTranscriptRoundTrip(t *testing.T) {
	turns := []Turn{
		{Side: Server, Data: []byte("* OK ready\r\n")},
		{Side: Client, Data: []byte("A1 APPEND INBOX {11}\r\n")},
		{Side: Server, Data: []byte("+ go\r\n")},
		// 8-bit bytes, a bare LF, a bare CR, a line ending in a space.
		{Side: Client, Data: []byte("\xe9t\xe9\n\rx \r\n")},
		{Side: Client, Data: []byte("tail")},
		{Side: TLS},
		{Side: Client, Redacted: true, Data: []byte("A2 LOGIN")},
		{Side: Server, Data: []byte("A2 OK\r\n")},
	}
	text := FormatTranscript(turns)
	assert.Equal(t, `S: * OK ready
C: A1 APPEND INBOX {11}
S: + go
C= 6XTpCg14IA0K
C- tail
TLS
C* A2 LOGIN
S: A2 OK
`, text)
	back, err := ParseTranscript(text)
	require.NoError(t, err)
	want := append(append([]Turn(nil), turns[:3]...), Turn{Side: Client, Data: []byte("\xe9t\xe9\n\rx \r\ntail")})
	want = append(want, turns[5:]...)
	assert.Equal(t, want, back)
	assert.Equal(t, text, FormatTranscript(back), "write(parse(x)) == x")

	// The testdata transcripts round-trip once written.
	for _, pattern := range []string{"../testdata/imap/*.txt", "../testdata/smtp/*.txt", "../testdata/jmap/*.txt"} {
		for _, x := range readFiles(t, pattern) {
			turns, err := ParseTranscript(x)
			require.NoError(t, err)
			w := FormatTranscript(turns)
			again, err := ParseTranscript(w)
			require.NoError(t, err)
			require.Equal(t, mergeTurns(turns), again)
			require.Equal(t, w, FormatTranscript(again))
		}
	}
}

func TestRedact(t *testing.T) {
	turns := []Turn{
		{Side: Server, Data: []byte("* OK ready\r\n")},
		{Side: Client, Data: []byte("A1 LOGIN alice alicepass\r\nA2 SELECT INBOX\r\n")},
		{Side: Server, Data: []byte("A1 OK\r\nA2 OK\r\n")},
		{Side: Client, Data: []byte("A3 AUTHENTICATE SCRAM-SHA-256\r\n")},
		{Side: Server, Data: []byte("+ \r\n")},
		{Side: Client, Data: []byte("bj1hbGljZQ==\r\n")},
		{Side: Server, Data: []byte("A3 NO nope\r\n")},
		{Side: Client, Data: []byte("AUTH PLAIN AGFsaWNlAGFsaWNlcGFzcw==\r\nQUIT\r\n")},
		{Side: Client, Data: []byte("GET / HTTP/1.1\r\nauthorization: Basic YWxpY2U6YWxpY2VwYXNz\r\nProxy-Authorization: Basic YWxpY2U6YWxpY2VwYXNz\r\nHost: h\r\n\r\n")},
	}
	text := FormatTranscript(Redact(turns))
	for _, secret := range []string{"alicepass", "bj1hbGljZQ", "AGFsaWNl", "YWxpY2U6"} {
		assert.NotContains(t, text, secret)
	}
	assert.Equal(t, `S: * OK ready
C* A1 LOGIN
C: A2 SELECT INBOX
S: A1 OK
S: A2 OK
C* A3 AUTHENTICATE SCRAM-SHA-256
S: + 
C* 
S: A3 NO nope
C* AUTH PLAIN
C: QUIT
C: GET / HTTP/1.1
C* authorization:
C* Proxy-Authorization:
C: Host: h
C: 
`, text)

	// Replay accepts any bytes in the redacted places, in any split, and
	// still checks what was kept.
	parsed, err := ParseTranscript(text)
	require.NoError(t, err)
	writes := []string{"", "A1 LOGIN bob bobpass\r\nA2 SELECT INBOX\r\n", "A3 AUTHENTICATE SCRAM-SHA-256\r\n", "other\r\n",
		"AUTH PLAIN x\r\r\nQUIT\r\nGET / HTTP/1.1\r\nauthorization: Bearer t\r\nProxy-Authorization: x\r\nHost: h\r\n\r\n"}
	for _, chunk := range []int{1, 3, 1000} {
		var steps []string
		for _, w := range writes {
			if w != "" {
				steps = append(steps, split(w, chunk)...)
			}
			steps = append(steps, "")
		}
		_, err := ReplayNet[struct{}](&stepMachine{steps: steps}, &NetScript{Turns: parsed})
		require.NoError(t, err, "chunk %d", chunk)
	}
	// What was kept is still checked.
	_, err = ReplayNet[struct{}](&stepMachine{steps: []string{"", "A1 LOGOUT x\r\n"}}, &NetScript{Turns: parsed})
	var se *ScriptError
	require.ErrorAs(t, err, &se)
}

// stepMachine writes each non-empty step and reads for each empty one,
// then reads until EOF.
type stepMachine struct {
	steps []string
	i     int
}

func (m *stepMachine) Resume(in NetReply) (NetRequest, bool) {
	if in.EOF {
		return NetRequest{}, true
	}
	if m.i < len(m.steps) {
		m.i++
		if s := m.steps[m.i-1]; s != "" {
			return Write([]byte(s)), false
		}
	}
	return Read(), false
}

func (m *stepMachine) Result() (struct{}, error) { return struct{}{}, nil }

func split(s string, n int) []string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}
