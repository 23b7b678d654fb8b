package smtp

import (
	"fmt"

	"github.com/ioemail/ioemail/email"
)

// normalize returns data with every line ending as CRLF (a bare LF or a
// bare CR becomes CRLF, RFC 5321 section 2.3.8) and a final CRLF added when
// missing; with stuff it also doubles a '.' at the start of every line and
// appends the end-of-data line ".\r\n" (RFC 5321 section 4.5.2). It
// returns data itself when nothing needs to change and stuff is false.
func normalize(data []byte, stuff bool) []byte {
	if !stuff && cleanCRLF(data) {
		return data
	}
	e := encoder{stuff: stuff, allow8: true}
	out, _ := e.encode(make([]byte, 0, len(data)+len(data)/64+8), data)
	return e.end(out)
}

// cleanCRLF reports whether every CR and LF in data is part of a CRLF and
// data ends with CRLF (or is empty).
func cleanCRLF(data []byte) bool {
	n := len(data)
	if n == 1 || n >= 2 && (data[n-2] != '\r' || data[n-1] != '\n') {
		return false
	}
	for i := 0; i < n; i++ {
		switch data[i] {
		case '\r':
			if i+1 >= n || data[i+1] != '\n' {
				return false
			}
			i++
		case '\n':
			return false
		}
	}
	return true
}

// has8bit reports whether b holds a byte outside US-ASCII.
func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func has8bitString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// encoder is normalize on a stream: it converts line endings to CRLF and,
// with stuff, doubles a leading '.', keeping the line state across chunks,
// and refuses 8-bit bytes unless allow8.
type encoder struct {
	stuff, allow8 bool
	started       bool // a byte has been seen
	bol           bool // at the beginning of a line
	skipLF        bool // the last byte was a CR already written as CRLF
}

// errEightBit is the error of an 8-bit byte met on a stream the server
// cannot take it on.
var errEightBit = fmt.Errorf("smtp: the message has 8-bit data and the server does not offer 8BITMIME: %w", email.ErrUnsupported)

// encode appends the encoding of p to out.
func (e *encoder) encode(out, p []byte) ([]byte, error) {
	if !e.started && len(p) > 0 {
		e.started, e.bol = true, true
	}
	for _, c := range p {
		if e.skipLF {
			e.skipLF = false
			if c == '\n' {
				continue
			}
		}
		if c >= 0x80 && !e.allow8 {
			return out, errEightBit
		}
		if e.bol && e.stuff && c == '.' {
			out = append(out, '.')
		}
		e.bol = false
		switch c {
		case '\r':
			out = append(out, '\r', '\n')
			e.bol, e.skipLF = true, true
		case '\n':
			out = append(out, '\r', '\n')
			e.bol = true
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

// end appends what closes the data: a final CRLF when missing and, with
// stuff, the end-of-data line.
func (e *encoder) end(out []byte) []byte {
	if e.started && !e.bol {
		out = append(out, '\r', '\n')
	}
	if e.stuff {
		out = append(out, '.', '\r', '\n')
	}
	return out
}
