package coroutine

import (
	"bytes"
	"encoding/base64"
	"unicode/utf8"
)

// FormatTranscript writes turns in the format ParseTranscript reads, so
// that ParseTranscript(FormatTranscript(t)) gives t back (with consecutive
// turns of one side merged and empty ones dropped) and FormatTranscript of
// a parsed transcript it wrote gives the same text. Each CRLF-ended line
// that is UTF-8 without other CR or LF becomes a "C: " or "S: " line; a
// piece without a final CRLF a "C- " or "S- " line; anything else (bare
// CR or LF, bytes that are not UTF-8) a "C= " or "S= " line in base64. A
// redacted turn becomes a "C* " line; a TLS turn a "TLS" line.
func FormatTranscript(turns []Turn) string {
	var b bytes.Buffer
	for _, t := range mergeTurns(turns) {
		switch t.Side {
		case TLS:
			b.WriteString("TLS\n")
			continue
		case Client:
			if t.Redacted {
				writeLine(&b, 'C', '*', t.Data)
				continue
			}
		case Server:
		default:
			continue
		}
		side := byte('C')
		if t.Side == Server {
			side = 'S'
		}
		for data := t.Data; len(data) > 0; {
			line, rest, crlf := cutLine(data)
			data = rest
			switch {
			case !plain(line):
				if crlf {
					line = line[:len(line)+2]
				}
				writeLine(&b, side, '=', []byte(base64.StdEncoding.EncodeToString(line)))
			case crlf:
				writeLine(&b, side, ':', line)
			default:
				writeLine(&b, side, '-', line)
			}
		}
	}
	return b.String()
}

// mergeTurns joins consecutive turns of one side, as ParseTranscript does,
// and drops empty ones and those of no side.
func mergeTurns(turns []Turn) []Turn {
	var out []Turn
	for _, t := range turns {
		switch {
		case t.Side == TLS || t.Redacted:
			out = append(out, Turn{Side: t.Side, Data: t.Data, Redacted: t.Redacted})
			continue
		case t.Side != Client && t.Side != Server, len(t.Data) == 0:
			continue
		}
		if k := len(out) - 1; k >= 0 && out[k].Side == t.Side && !out[k].Redacted {
			out[k].Data = append(out[k].Data, t.Data...)
			continue
		}
		out = append(out, Turn{Side: t.Side, Data: append([]byte(nil), t.Data...)})
	}
	return out
}

// cutLine splits data after its first CRLF; line excludes the CRLF (its
// capacity still reaches it) and crlf says whether there was one.
func cutLine(data []byte) (line, rest []byte, crlf bool) {
	if i := bytes.Index(data, []byte("\r\n")); i >= 0 {
		return data[:i], data[i+2:], true
	}
	return data, nil, false
}

// plain reports whether line can be written as text: UTF-8 without CR or
// LF. A line that ParseTranscript would read otherwise (an empty piece
// is never written) stays plain.
func plain(line []byte) bool {
	return utf8.Valid(line) && !bytes.ContainsAny(line, "\r\n")
}

func writeLine(b *bytes.Buffer, side, kind byte, data []byte) {
	b.WriteByte(side)
	b.WriteByte(kind)
	b.WriteByte(' ')
	b.Write(data)
	b.WriteByte('\n')
}
