package coroutine

import (
	"bytes"
)

// NetRecorder wraps the function that performs a network machine's
// requests (client.NetConn's Do, or a driver of your own) and keeps the
// conversation, as Recorder does for files, so a real session can be
// written with FormatTranscript and replayed with ReplayNet:
//
//	rec := &coroutine.NetRecorder{Do: func(r coroutine.NetRequest) coroutine.NetReply { return conn.Do(ctx, r) }}
//	out, err := coroutine.Run(m, rec.Perform)
//	text := coroutine.FormatTranscript(rec.Turns())
//
// Events the machine yields are not part of the conversation and are not
// kept, nor are a write or an upgrade that failed. The conversation is
// kept whole in memory: record sessions, not endless watches.
type NetRecorder struct {
	Do    func(NetRequest) NetReply // the driver that performs each request
	turns []Turn
}

// Perform runs req through r.Do and records the bytes written or read, or
// the TLS upgrade.
func (r *NetRecorder) Perform(req NetRequest) NetReply {
	in := r.Do(req)
	switch req.Op {
	case NetWrite:
		if in.Err == nil {
			r.add(Client, req.Data)
		}
	case NetRead:
		r.add(Server, in.Data)
	case NetStartTLS:
		if in.Err == nil {
			r.turns = append(r.turns, Turn{Side: TLS})
		}
	}
	return in
}

func (r *NetRecorder) add(side Side, data []byte) {
	if len(data) == 0 {
		return
	}
	if k := len(r.turns) - 1; k >= 0 && r.turns[k].Side == side {
		r.turns[k].Data = append(r.turns[k].Data, data...)
		return
	}
	r.turns = append(r.turns, Turn{Side: side, Data: append([]byte(nil), data...)})
}

// Turns returns the conversation so far with its credentials redacted
// (see Redact), ready for FormatTranscript.
func (r *NetRecorder) Turns() []Turn { return Redact(r.turns) }

// Redact returns turns with the credentials a client sends cut out, so a
// transcript can be shared: the arguments of an IMAP LOGIN or
// AUTHENTICATE command (RFC 9051 sections 6.2.3 and 6.2.2) and of an SMTP
// AUTH command (RFC 4954 section 4), every client line that answers a
// server challenge of theirs ("+" in IMAP, 334 in SMTP), and the value of
// an HTTP Authorization or Proxy-Authorization header (RFC 9110 sections
// 11.6.2 and 11.7.2). Each such client
// line becomes a redacted turn that keeps the line's start up to the
// command or mechanism name (nothing of a challenge answer), and that
// ReplayNet accepts whatever the rest of the line holds. The argument is
// not changed.
func Redact(turns []Turn) []Turn {
	var out []Turn
	// pending: an authentication command awaits the server's reply;
	// answering: the client's lines answer a challenge.
	pending, answering := false, false
	emit := func(t Turn) {
		if k := len(out) - 1; k >= 0 && !t.Redacted && !out[k].Redacted && out[k].Side == t.Side && t.Side != TLS {
			out[k].Data = append(out[k].Data, t.Data...)
			return
		}
		out = append(out, t)
	}
	for _, t := range turns {
		switch {
		case t.Side == Server:
			// A challenge keeps the exchange going; any other reply ends it.
			answering = pending && challenge(t.Data)
			pending = answering
			emit(Turn{Side: Server, Data: append([]byte(nil), t.Data...)})
			continue
		case t.Side != Client || t.Redacted:
			emit(t)
			continue
		}
		// literal: the rest of this turn is the literal argument of a
		// LOGIN sent with LITERAL+ (RFC 7888), without a continuation.
		literal := false
		for data := t.Data; len(data) > 0; {
			line, rest, crlf := cutLine(data)
			data = rest
			keep, redact, starts := 0, answering || literal, false
			if !redact {
				keep, redact, starts = credentialLine(line)
			}
			if !crlf || !redact {
				if crlf {
					line = line[:len(line)+2]
				}
				emit(Turn{Side: Client, Data: append([]byte(nil), line...)})
				continue
			}
			pending = pending || starts
			literal = literal || bytes.HasSuffix(line, []byte("+}"))
			if !plain(line[:keep]) {
				keep = 0
			}
			emit(Turn{Side: Client, Data: append([]byte(nil), line[:keep]...), Redacted: true})
		}
	}
	return out
}

// challenge reports whether a server turn is an authentication challenge:
// an IMAP continuation or an SMTP 334 reply.
func challenge(data []byte) bool {
	return bytes.HasPrefix(data, []byte("+")) || bytes.HasPrefix(data, []byte("334"))
}

// credentialLine says whether a client line (without its CRLF) holds a
// credential, how much of its start to keep, and whether it is a command
// whose server challenges the client answers with credentials too.
func credentialLine(line []byte) (keep int, redact, starts bool) {
	if i := bytes.IndexByte(line, ':'); i > 0 {
		if h := bytes.TrimSpace(line[:i]); bytes.EqualFold(h, []byte("Authorization")) || bytes.EqualFold(h, []byte("Proxy-Authorization")) {
			return i + 1, true, false
		}
	}
	words := bytes.Fields(line)
	switch {
	case len(words) >= 1 && bytes.EqualFold(words[0], []byte("AUTH")):
		// SMTP: AUTH mechanism [initial-response].
		return wordsEnd(line, 2), true, true
	case len(words) >= 2 && bytes.EqualFold(words[1], []byte("AUTHENTICATE")):
		// IMAP: tag AUTHENTICATE mechanism [initial-response].
		return wordsEnd(line, 3), true, true
	case len(words) >= 2 && bytes.EqualFold(words[1], []byte("LOGIN")):
		// IMAP: tag LOGIN user password; a literal argument follows a
		// continuation, or at once with LITERAL+.
		return wordsEnd(line, 2), true, bytes.HasSuffix(line, []byte("}"))
	}
	return 0, false, false
}

// wordsEnd returns the offset just past the n-th space-separated word of
// line (or the line's length when it has fewer), so that the kept start
// of a redacted line never ends in a space.
func wordsEnd(line []byte, n int) int {
	i := 0
	for w := 0; w < n; w++ {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i == len(line) {
			return i
		}
		for i < len(line) && line[i] != ' ' {
			i++
		}
	}
	return i
}
