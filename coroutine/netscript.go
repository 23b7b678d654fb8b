package coroutine

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Side says who sent the bytes of a transcript turn.
type Side uint8

// The sides of a conversation, and the TLS upgrade marker.
const (
	Client Side = iota + 1 // bytes the machine must write
	Server                 // bytes the machine will read
	TLS                    // the machine must ask for NetStartTLS here
)

// Turn is one piece of a recorded conversation.
type Turn struct {
	Side Side   // who sent Data
	Data []byte // the bytes of the turn
	// Redacted marks a client line whose end was removed when it was
	// recorded (a credential; see Redact): Data holds the start of the
	// line, and replay accepts any bytes after it up to and including the
	// next CRLF. Data is then text without CR or LF.
	Redacted bool
}

// ParseTranscript reads a transcript in the line format used under
// testdata/: each line "C: text" is a line the client writes and "S: text"
// one the server sends, both followed by CRLF on the wire; "C- text" and
// "S- text" are the same without the CRLF (for partial lines and literal
// bodies); "C= base64" and "S= base64" hold bytes of any kind, standard
// base64 (RFC 4648 section 4), with no CRLF added (for bare CR or LF and
// bytes that are not UTF-8); "C* text" is a client line beginning with
// text whose rest, up to its CRLF, was redacted (see Turn.Redacted); a
// line "TLS" marks a STARTTLS upgrade; blank lines and lines starting with
// '#' are ignored. Consecutive turns of one side are merged, except a
// redacted one. FormatTranscript writes this format.
func ParseTranscript(text string) ([]Turn, error) {
	var turns []Turn
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		// bufio.ScanLines already drops the CR of a CRLF line end: one CR
		// only, so a line may end with a CR of its own (a "C- " piece).
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if line == "TLS" {
			turns = append(turns, Turn{Side: TLS})
			continue
		}
		if len(line) < 2 || (line[0] != 'C' && line[0] != 'S') || !strings.ContainsRune(":-=*", rune(line[1])) || (line[1] == '*' && line[0] != 'C') {
			return nil, fmt.Errorf("coroutine: transcript line %d: want \"C: \", \"S: \", \"C- \", \"S- \", \"C= \", \"S= \", \"C* \" or \"TLS\"", n)
		}
		side := Client
		if line[0] == 'S' {
			side = Server
		}
		data := strings.TrimPrefix(line[2:], " ")
		switch line[1] {
		case ':':
			data += "\r\n"
		case '=':
			b, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				return nil, fmt.Errorf("coroutine: transcript line %d: %w", n, err)
			}
			data = string(b)
		case '*':
			if strings.ContainsRune(data, '\r') {
				return nil, fmt.Errorf("coroutine: transcript line %d: a redacted line holds a CR", n)
			}
			turns = append(turns, Turn{Side: Client, Data: []byte(data), Redacted: true})
			continue
		}
		if k := len(turns) - 1; k >= 0 && turns[k].Side == side && !turns[k].Redacted {
			turns[k].Data = append(turns[k].Data, data...)
			continue
		}
		turns = append(turns, Turn{Side: side, Data: []byte(data)})
	}
	return turns, sc.Err()
}

// NetScript replays a transcript to a network machine; see ReplayNet.
type NetScript struct {
	// Turns is the conversation, as ParseTranscript returns it.
	Turns []Turn
	// Chunk is the largest number of bytes handed to one read; 0 hands a
	// whole server turn at once. Small values test that a machine copes
	// with replies split anywhere.
	Chunk int
	// Events collects the events the machine yields.
	Events []email.WatchEvent
	// Written collects everything the machine wrote.
	Written []byte

	turn, pos int
	// lastCR is set when the redacted rest of a client line has seen a
	// CR as its last byte so far.
	lastCR bool
}

// ReplayNet drives m against the script: writes must match the client turns
// byte for byte (in any split), reads get the server turns (in Chunk-sized
// pieces, then EOF when the script is over), and STARTTLS must come where the
// script says. It returns m's result, or a *ScriptError at the first
// departure, or when m ends before the script does.
func ReplayNet[Out any](m NetMachine[Out], s *NetScript) (Out, error) {
	var zero Out
	var in NetReply
	for step := 0; step < MaxSteps; step++ {
		req, done := m.Resume(in)
		if done {
			s.skipEmpty()
			if s.turn < len(s.Turns) {
				return zero, &ScriptError{Step: step, Reason: fmt.Sprintf("machine finished with the script at turn %d of %d", s.turn, len(s.Turns))}
			}
			return m.Result()
		}
		var err error
		in, err = s.answer(req)
		if err != nil {
			return zero, &ScriptError{Step: step, Reason: err.Error()}
		}
	}
	return zero, ErrTooManySteps
}

func (s *NetScript) skipEmpty() {
	for s.turn < len(s.Turns) && s.Turns[s.turn].Side != TLS && s.pos >= turnLen(s.Turns[s.turn]) {
		s.turn++
		s.pos = 0
		s.lastCR = false
	}
}

// turnLen is the length of a turn in script positions: a redacted turn
// of the client has one more, its rest of the line, passed when its CRLF
// is written (Redacted means nothing on other turns).
func turnLen(t Turn) int {
	if t.Redacted && t.Side == Client {
		return len(t.Data) + 1
	}
	return len(t.Data)
}

// redactedRest consumes the written bytes of the redacted rest of a line
// up to and including its CRLF, and returns what follows.
func (s *NetScript) redactedRest(data []byte) []byte {
	for i, c := range data {
		if c == '\n' && s.lastCR {
			s.pos++
			return data[i+1:]
		}
		s.lastCR = c == '\r'
	}
	return nil
}

func (s *NetScript) answer(req NetRequest) (NetReply, error) {
	switch req.Op {
	case NetEvent:
		if req.Event != nil {
			s.Events = append(s.Events, *req.Event)
		}
		return NetReply{}, nil
	case NetWrite:
		data := req.Data
		s.Written = append(s.Written, data...)
		for len(data) > 0 {
			s.skipEmpty()
			if s.turn >= len(s.Turns) || s.Turns[s.turn].Side != Client {
				return NetReply{}, fmt.Errorf("machine wrote %q where the script %s", data, s.expect())
			}
			t := s.Turns[s.turn]
			if t.Redacted && s.pos == len(t.Data) {
				data = s.redactedRest(data)
				continue
			}
			want := t.Data[s.pos:]
			n := min(len(want), len(data))
			if !bytes.Equal(want[:n], data[:n]) {
				return NetReply{}, fmt.Errorf("machine wrote %q, script has %q", data, want)
			}
			s.pos += n
			data = data[n:]
		}
		return NetReply{}, nil
	case NetRead:
		s.skipEmpty()
		if s.turn >= len(s.Turns) {
			return NetReply{EOF: true}, nil
		}
		t := s.Turns[s.turn]
		if t.Side != Server {
			return NetReply{}, fmt.Errorf("machine reads where the script %s", s.expect())
		}
		end := len(t.Data)
		if s.Chunk > 0 {
			end = min(end, s.pos+s.Chunk)
		}
		out := t.Data[s.pos:end]
		s.pos = end
		return NetReply{Data: out}, nil
	case NetStartTLS:
		s.skipEmpty()
		if s.turn >= len(s.Turns) || s.Turns[s.turn].Side != TLS {
			return NetReply{}, fmt.Errorf("machine starts TLS where the script %s", s.expect())
		}
		s.turn++
		s.pos = 0
		return NetReply{}, nil
	}
	return NetReply{}, fmt.Errorf("invalid request %v", req.Op)
}

func (s *NetScript) expect() string {
	if s.turn >= len(s.Turns) {
		return "has ended"
	}
	t := s.Turns[s.turn]
	switch {
	case t.Side == Client && t.Redacted && s.pos == len(t.Data):
		return "expects the redacted rest of a line up to CRLF"
	case t.Side == Client && t.Redacted:
		return fmt.Sprintf("expects a write of %q and a redacted rest of the line", t.Data[s.pos:])
	case t.Side == Client:
		return fmt.Sprintf("expects a write of %q", t.Data[s.pos:])
	case t.Side == Server:
		return fmt.Sprintf("has %q to read", t.Data[s.pos:])
	}
	return "expects STARTTLS"
}
