package jmap

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ioemail/ioemail/email"
)

// Limits of the EventSource parser.
const (
	maxSSELine = 64 << 10  // one line of the stream
	maxSSEData = 256 << 10 // the data of one event
)

// SSEEvent is one event of a text/event-stream (the W3C EventSource
// format JMAP push uses, RFC 8620 section 7.3).
type SSEEvent struct {
	Type string // the "event" field; "message" when absent
	ID   string // the "id" field, "" when absent
	Data []byte // the data lines joined with "\n"
}

// SSEParser parses a text/event-stream fed in pieces of any size. Lines
// and event data are bounded; a stream breaking the bounds fails with an
// error matching email.ErrTooLarge.
type SSEParser struct {
	line  []byte
	typ   string
	id    string
	data  []byte
	has   bool
	first bool
	cr    bool // the last byte fed was a CR ending a line
}

// Feed parses data and returns the events it completed.
func (p *SSEParser) Feed(data []byte) ([]SSEEvent, error) {
	var out []SSEEvent
	if p.cr && len(data) > 0 && data[0] == '\n' {
		data = data[1:]
	}
	p.cr = false
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			if len(p.line)+len(data) > maxSSELine {
				return out, fmt.Errorf("jmap: event stream line over %d bytes: %w", maxSSELine, email.ErrTooLarge)
			}
			p.line = append(p.line, data...)
			return out, nil
		}
		if len(p.line)+i > maxSSELine {
			return out, fmt.Errorf("jmap: event stream line over %d bytes: %w", maxSSELine, email.ErrTooLarge)
		}
		line := append(p.line, data[:i]...)
		p.line = p.line[:0]
		// CRLF counts as one line end; a lone CR too.
		if data[i] == '\r' {
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			} else if i+1 == len(data) {
				p.cr = true
			}
		}
		data = data[i+1:]
		ev, ok, err := p.handle(line)
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (p *SSEParser) handle(line []byte) (SSEEvent, bool, error) {
	if !p.first {
		p.first = true
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	}
	if len(line) == 0 {
		if !p.has {
			p.typ = ""
			return SSEEvent{}, false, nil
		}
		ev := SSEEvent{Type: p.typ, ID: p.id, Data: bytes.TrimSuffix(p.data, []byte("\n"))}
		if ev.Type == "" {
			ev.Type = "message"
		}
		p.typ, p.data, p.has = "", nil, false
		return ev, true, nil
	}
	if line[0] == ':' {
		return SSEEvent{}, false, nil
	}
	name, value, _ := bytes.Cut(line, []byte(":"))
	value = bytes.TrimPrefix(value, []byte(" "))
	switch string(name) {
	case "event":
		p.typ = string(value)
	case "data":
		if len(p.data)+len(value)+1 > maxSSEData {
			return SSEEvent{}, false, fmt.Errorf("jmap: event data over %d bytes: %w", maxSSEData, email.ErrTooLarge)
		}
		p.data = append(p.data, value...)
		p.data = append(p.data, '\n')
		p.has = true
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.id = string(value)
		}
	}
	return SSEEvent{}, false, nil
}

// StateChange is the push object of RFC 8620 section 7.1: for each account,
// the new state string of each data type that changed.
type StateChange struct {
	Type    string                       `json:"@type"`   // "StateChange"
	Changed map[string]map[string]string `json:"changed"` // account id -> data type -> new state
}

// ParseStateChange decodes the data of a "state" event.
func ParseStateChange(data []byte) (StateChange, error) {
	var sc StateChange
	if err := json.Unmarshal(data, &sc); err != nil {
		return sc, &DecodeError{What: "StateChange", Err: err}
	}
	if sc.Type != "" && sc.Type != "StateChange" {
		return sc, protocolError("push object of type " + clip(sc.Type, 50))
	}
	return sc, nil
}
