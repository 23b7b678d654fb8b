package coroutine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// greeter is a tiny line protocol machine: it reads a greeting line, writes
// "HELLO\r\n", optionally upgrades to TLS, reads a reply line, yields an
// event, and returns the reply.
type greeter struct {
	tls   bool
	state int
	buf   []byte
	reply string
	err   error
}

func (g *greeter) line(in coroutine.NetReply) (string, bool) {
	g.buf = append(g.buf, in.Data...)
	if i := bytes.Index(g.buf, []byte("\r\n")); i >= 0 {
		l := string(g.buf[:i])
		g.buf = g.buf[i+2:]
		return l, true
	}
	return "", false
}

func (g *greeter) Resume(in coroutine.NetReply) (coroutine.NetRequest, bool) {
	if in.EOF {
		g.err, g.state = errors.New("eof"), 9
	}
	switch g.state {
	case 0:
		g.state = 1
		return coroutine.Read(), false
	case 1:
		if _, ok := g.line(in); !ok {
			return coroutine.Read(), false
		}
		g.state = 2
		return coroutine.Write([]byte("HELLO\r\n")), false
	case 2:
		if g.tls {
			g.state = 3
			return coroutine.NetRequest{Op: coroutine.NetStartTLS}, false
		}
		g.state = 4
		return coroutine.Read(), false
	case 3:
		g.state = 4
		return coroutine.Read(), false
	case 4:
		l, ok := g.line(in)
		if !ok {
			return coroutine.Read(), false
		}
		g.reply, g.state = l, 5
		return coroutine.NetRequest{Op: coroutine.NetEvent, Event: &email.WatchEvent{Kind: email.KeepAlive}}, false
	}
	g.state = 9
	return coroutine.NetRequest{}, true
}

func (g *greeter) Result() (string, error) { return g.reply, g.err }

func TestParseTranscript(t *testing.T) {
	turns, err := coroutine.ParseTranscript("# comment\nS: * OK hi\nS- partial\nC: a1 X\n\nTLS\nS: done\n")
	require.NoError(t, err)
	require.Len(t, turns, 4)
	assert.Equal(t, "* OK hi\r\npartial", string(turns[0].Data), "consecutive turns of one side merge")
	assert.Equal(t, coroutine.TLS, turns[2].Side)
	_, err = coroutine.ParseTranscript("X: nope\n")
	assert.Error(t, err)
}

func TestReplayNetChunks(t *testing.T) {
	turns, err := coroutine.ParseTranscript("S: WELCOME\nC: HELLO\nTLS\nS: OK ready\n")
	require.NoError(t, err)
	for chunk := 0; chunk <= 5; chunk++ {
		s := &coroutine.NetScript{Turns: turns, Chunk: chunk}
		got, err := coroutine.ReplayNet[string](&greeter{tls: true}, s)
		require.NoError(t, err, "chunk %d", chunk)
		assert.Equal(t, "OK ready", got)
		assert.Equal(t, "HELLO\r\n", string(s.Written))
		require.Len(t, s.Events, 1)
		assert.Equal(t, email.KeepAlive, s.Events[0].Kind)
	}
}

func TestReplayNetMismatches(t *testing.T) {
	var se *coroutine.ScriptError
	// The machine does not start TLS where the script says.
	turns, _ := coroutine.ParseTranscript("S: WELCOME\nC: HELLO\nTLS\nS: OK\n")
	_, err := coroutine.ReplayNet[string](&greeter{}, &coroutine.NetScript{Turns: turns})
	require.ErrorAs(t, err, &se)
	assert.Contains(t, se.Reason, "STARTTLS")
	// The machine writes something else.
	turns, _ = coroutine.ParseTranscript("S: WELCOME\nC: HOLA\nS: OK\n")
	_, err = coroutine.ReplayNet[string](&greeter{}, &coroutine.NetScript{Turns: turns})
	require.ErrorAs(t, err, &se)
	// The server closes early: the machine sees EOF.
	turns, _ = coroutine.ParseTranscript("S: WELCOME\nC: HELLO\n")
	_, err = coroutine.ReplayNet[string](&greeter{}, &coroutine.NetScript{Turns: turns})
	assert.EqualError(t, err, "eof")
	// The script holds more than the machine uses.
	turns, _ = coroutine.ParseTranscript("S: WELCOME\nC: HELLO\nS: OK\nC: BYE\n")
	_, err = coroutine.ReplayNet[string](&greeter{}, &coroutine.NetScript{Turns: turns})
	require.ErrorAs(t, err, &se)
}
