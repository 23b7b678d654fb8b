package smtp_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/sasl"
	"github.com/ioemail/ioemail/smtp"
)

// The messages the transcripts send, by the name in their "# message:"
// line.
var messages = map[string]string{
	"basic":      "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nBcc: carol@example.test\r\nSubject: hi\r\n\r\nHello.\r\n",
	"dots":       "From: a@example.test\nTo: b@example.test, c@example.test\n\n.\n..x\nend",
	"eightbit":   "From: a@example.test\r\nTo: b@example.test\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n",
	"utf8":       "From: a@example.test\r\nTo: j\xc3\xb6rg@example.test\r\n\r\nhi\r\n",
	"submission": "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nBcc: alice@example.test\r\nSubject: hi\r\n\r\nHello.\r\n",
	"relay":      "From: Alice <alice@example.test>\r\nTo: bob@example.test, nobody@example.test\r\nSubject: hi\r\n\r\nHello.\r\n",
}

// script is a transcript with its directives ("# key: value" lines).
type script struct {
	name  string
	turns []coroutine.Turn
	dir   map[string]string
}

func loadScripts(t *testing.T, glob string) []script {
	t.Helper()
	files, err := filepath.Glob(glob)
	require.NoError(t, err)
	var out []script
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		turns, err := coroutine.ParseTranscript(string(b))
		require.NoError(t, err, f)
		dir := map[string]string{}
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.HasPrefix(line, "# ") {
				continue
			}
			if k, v, ok := strings.Cut(line[2:], ":"); ok && !strings.Contains(k, " ") {
				dir[k] = strings.TrimSpace(v)
			} else if k, _, _ := strings.Cut(line[2:], " "); k == "quit" || k == "whole-reads" {
				dir[k] = "true"
			}
		}
		out = append(out, script{name: filepath.Base(f), turns: turns, dir: dir})
	}
	return out
}

// seq runs machines one after the other and stops at the first error; its
// result is the last machine's.
type seq struct {
	ms   []coroutine.NetMachine[any]
	i    int
	out  any
	err  error
	done bool
}

func (s *seq) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	for !s.done {
		req, done := s.ms[s.i].Resume(in)
		if !done {
			return req, false
		}
		in = coroutine.NetReply{}
		s.out, s.err = s.ms[s.i].Result()
		s.i++
		if s.err != nil || s.i == len(s.ms) {
			s.done = true
		}
	}
	return coroutine.NetRequest{}, true
}

func (s *seq) Result() (any, error) { return s.out, s.err }

func anyM[R any](m coroutine.NetMachine[R]) coroutine.NetMachine[any] {
	return coroutine.Map(m, func(r R) (any, error) { return r, nil })
}

// build returns the machine a script describes: connect, send the message
// "sends" times, QUIT when asked.
func build(sc script) (*seq, *smtp.Session) {
	opts := strings.Fields(sc.dir["options"])
	has := func(o string) bool {
		for _, x := range opts {
			if x == o {
				return true
			}
		}
		return false
	}
	sess := smtp.NewSession(smtp.Config{Domain: "client.example.test"}, has("secure"))
	co := smtp.ConnectOptions{AllowPlaintext: has("plain")}
	if has("plainlink") {
		co.AllowPlaintext = false
	}
	if a := strings.Fields(sc.dir["auth"]); len(a) == 3 {
		switch a[0] {
		case "plain":
			co.Auth = sasl.NewPlainClient("", a[1], a[2])
		case "login":
			co.Auth = sasl.NewLoginClient(a[1], a[2])
		case "xoauth2":
			co.Auth = sasl.NewXOAuth2Client(a[1], a[2])
		}
	}
	var ms []coroutine.NetMachine[any]
	if has("plainlink") {
		// Plain text allowed for the link but not for AUTH.
		ms = append(ms, anyM(sess.Connect(smtp.ConnectOptions{AllowPlaintext: true})), anyM(sess.Auth(co.Auth, false)))
	} else {
		ms = append(ms, anyM(sess.Connect(co)))
	}
	if m := sc.dir["message"]; m != "" {
		n := 1
		if s := sc.dir["sends"]; s != "" {
			n, _ = strconv.Atoi(s)
		}
		for range n {
			ms = append(ms, anyM(sess.Send([]byte(messages[m]), email.SendOptions{})))
		}
	}
	if sc.dir["quit"] == "true" {
		ms = append(ms, anyM(sess.Quit()))
	}
	return &seq{ms: ms}, sess
}

// check compares the outcome with the script's "# expect:" line.
func check(t *testing.T, sc script, out any, err error) {
	t.Helper()
	want := sc.dir["expect"]
	var se *smtp.Error
	switch {
	case want == "ok":
		require.NoError(t, err)
	case want == "protocol":
		require.ErrorIs(t, err, email.ErrProtocol)
	case want == "eof":
		require.ErrorIs(t, err, email.ErrProtocol)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	case want == "toolarge":
		require.ErrorIs(t, err, email.ErrTooLarge)
	case want == "insecure":
		require.ErrorIs(t, err, email.ErrInsecure)
	case want == "unsupported":
		require.ErrorIs(t, err, email.ErrUnsupported)
	case want == "norecipients":
		require.ErrorIs(t, err, smtp.ErrNoRecipients)
	case want == "error":
		require.Error(t, err)
	case strings.HasPrefix(want, "code:"):
		require.ErrorAs(t, err, &se)
		assert.Equal(t, want[5:], strconv.Itoa(se.Code))
	default:
		t.Fatalf("unknown expectation %q", want)
	}
	if err != nil {
		assert.NotContains(t, err.Error(), "alicepass", "secret in error")
		assert.NotContains(t, err.Error(), "tok3n", "secret in error")
	}
	if n := sc.dir["accepted"]; n != "" && err == nil {
		if res, ok := out.(email.SendResult); ok {
			assert.Equal(t, n, strconv.Itoa(len(res.Accepted)))
		}
	}
}

func replay(t *testing.T, sc script, chunk int) {
	m, _ := build(sc)
	ns := &coroutine.NetScript{Turns: sc.turns, Chunk: chunk}
	out, err := coroutine.ReplayNet[any](m, ns)
	var se *coroutine.ScriptError
	if errors.As(err, &se) {
		if !m.done {
			t.Fatalf("departed from the script: %v", err)
		}
		// The machine stopped early on its own error: judge that.
		out, err = m.Result()
		require.Error(t, err, "machine finished early without an error: %v", se)
	}
	check(t, sc, out, err)
}

func TestTranscripts(t *testing.T) {
	scripts := loadScripts(t, "../testdata/smtp/*.txt")
	require.GreaterOrEqual(t, len(scripts), 8)
	for _, sc := range scripts {
		for _, chunk := range []int{0, 1, 7} {
			t.Run(fmt.Sprintf("%s/chunk%d", sc.name, chunk), func(t *testing.T) { replay(t, sc, chunk) })
		}
	}
}

func TestHostileTranscripts(t *testing.T) {
	scripts := loadScripts(t, "../testdata/smtp/hostile/*.txt")
	require.GreaterOrEqual(t, len(scripts), 20)
	for _, sc := range scripts {
		require.NotEqual(t, "ok", sc.dir["expect"], sc.name)
		for _, chunk := range []int{0, 1, 5} {
			if chunk > 0 && sc.dir["whole-reads"] != "" {
				continue
			}
			t.Run(fmt.Sprintf("%s/chunk%d", sc.name, chunk), func(t *testing.T) { replay(t, sc, chunk) })
		}
	}
}

// TestHostileGenerated covers what is too big for a file: endless
// multi-line replies and 100 KB lines, at every stage; memory stays bounded
// by the parser's limits.
func TestHostileGenerated(t *testing.T) {
	long := "S: 250 " + strings.Repeat("x", 100<<10) + "\n"
	endless := strings.Repeat("S: 250-more\n", 10000)
	cases := map[string]string{
		"long greeting":    "S: 220 " + strings.Repeat("x", 100<<10) + "\n",
		"long EHLO":        "S: 220 mx\nC: EHLO client.example.test\n" + long,
		"endless EHLO":     "S: 220 mx\nC: EHLO client.example.test\n" + endless + "S: 250 end\n",
		"endless greeting": strings.Repeat("S: 220-hello\n", 10000),
		"long no newline":  "S- 220 " + strings.Repeat("y", 100<<10) + "\n",
		"endless MAIL": "S: 220 mx\nC: EHLO client.example.test\nS: 250-mx\nS: 250 PIPELINING\n" +
			"C: MAIL FROM:<alice@example.test>\nC: RCPT TO:<bob@example.test>\nC: RCPT TO:<carol@example.test>\nC: DATA\n" + endless,
	}
	for name, text := range cases {
		turns, err := coroutine.ParseTranscript(text)
		require.NoError(t, err)
		sc := script{name: name, turns: turns, dir: map[string]string{"options": "plain", "message": "basic", "expect": "toolarge"}}
		for _, chunk := range []int{0, 4096} {
			t.Run(fmt.Sprintf("%s/%d", name, chunk), func(t *testing.T) { replay(t, sc, chunk) })
		}
	}
}

func TestTranscriptWritesAreExact(t *testing.T) {
	// The Bcc header never reaches the wire in the recorded sessions.
	for _, sc := range loadScripts(t, "../testdata/smtp/*.txt") {
		m, _ := build(sc)
		ns := &coroutine.NetScript{Turns: sc.turns}
		coroutine.ReplayNet[any](m, ns)
		assert.False(t, bytes.Contains(bytes.ToLower(ns.Written), []byte("\nbcc:")), sc.name)
	}
}
