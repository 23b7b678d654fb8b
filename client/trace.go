package client

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
)

// maxTraceRecord bounds the bytes one trace record shows.
const maxTraceRecord = 2 << 10

const redacted = "<redacted>"

// wireTrace logs the bytes of one IMAP or SMTP connection at debug level
// (Options.Trace), with credentials redacted: the arguments of LOGIN,
// AUTHENTICATE (IMAP) and AUTH (SMTP), and every line either side sends
// until the server's final answer to that command.
type wireTrace struct {
	log   *slog.Logger
	proto string // "imap" or "smtp"
	// authTag is the tag of the IMAP LOGIN or AUTHENTICATE in flight.
	authTag string
	// smtpAuth is set from an SMTP AUTH until its final reply.
	smtpAuth bool
}

// newWireTrace returns the tracer of o for proto, or nil without Trace.
func newWireTrace(o *Options, proto string) *wireTrace {
	if !o.Trace || o.Logger == nil {
		return nil
	}
	return &wireTrace{log: o.Logger, proto: proto}
}

// sent logs bytes written by the client.
func (t *wireTrace) sent(p []byte) { t.record("C: ", p, t.redactSent) }

// received logs bytes read from the server.
func (t *wireTrace) received(p []byte) { t.record("S: ", p, t.redactReceived) }

// record logs p, redacting each of its lines.
func (t *wireTrace) record(dir string, p []byte, redact func(line string) string) {
	if t == nil {
		return
	}
	var out strings.Builder
	for _, line := range splitLines(p) {
		out.WriteString(redact(line))
	}
	t.emit(dir, out.String(), len(p))
}

func (t *wireTrace) emit(dir, s string, n int) {
	if len(s) > maxTraceRecord {
		s = s[:maxTraceRecord] + "... (" + strconv.Itoa(n) + " bytes)"
	}
	t.log.LogAttrs(context.Background(), slog.LevelDebug, t.proto+" wire", slog.String("data", dir+s))
}

// splitLines splits p after each LF, keeping the line ends.
func splitLines(p []byte) []string {
	var lines []string
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			i = len(p) - 1
		}
		lines = append(lines, string(p[:i+1]))
		p = p[i+1:]
	}
	return lines
}

func lineEnd(line string) string {
	if strings.HasSuffix(line, "\r\n") {
		return "\r\n"
	}
	if strings.HasSuffix(line, "\n") {
		return "\n"
	}
	return ""
}

func (t *wireTrace) redactSent(line string) string {
	end := lineEnd(line)
	if t.proto == "smtp" {
		f := strings.Fields(line)
		if len(f) > 0 && strings.EqualFold(f[0], "AUTH") {
			t.smtpAuth = true
			if len(f) > 1 {
				return "AUTH " + f[1] + " " + redacted + end
			}
			return "AUTH " + redacted + end
		}
		if t.smtpAuth {
			return redacted + end
		}
		return line
	}
	f := strings.Fields(line)
	if len(f) >= 2 && (strings.EqualFold(f[1], "LOGIN") || strings.EqualFold(f[1], "AUTHENTICATE")) {
		t.authTag = f[0]
		if strings.EqualFold(f[1], "AUTHENTICATE") && len(f) > 2 {
			return f[0] + " " + f[1] + " " + f[2] + " " + redacted + end
		}
		return f[0] + " " + f[1] + " " + redacted + end
	}
	if t.authTag != "" {
		return redacted + end
	}
	return line
}

func (t *wireTrace) redactReceived(line string) string {
	end := lineEnd(line)
	if t.proto == "smtp" {
		if !t.smtpAuth {
			return line
		}
		if len(line) >= 4 && line[3] == ' ' && !strings.HasPrefix(line, "334") {
			t.smtpAuth = false // the final reply of AUTH
		}
		if len(line) >= 4 {
			return line[:4] + redacted + end
		}
		return redacted + end
	}
	if t.authTag == "" {
		return line
	}
	f := strings.Fields(line)
	if len(f) >= 2 && f[0] == t.authTag {
		t.authTag = ""
		return f[0] + " " + f[1] + " " + redacted + end
	}
	if len(f) >= 1 && f[0] == "+" {
		return "+ " + redacted + end
	}
	return line
}
