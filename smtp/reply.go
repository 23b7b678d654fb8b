package smtp

import (
	"bytes"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// The default limits of a ReplyParser.
const (
	// DefaultMaxLineLength bounds one reply line, CRLF included. RFC 5321
	// section 4.5.3.1.5 sets 512; servers are known to exceed it a little.
	DefaultMaxLineLength = 4096
	// DefaultMaxLines bounds the lines of one multi-line reply.
	DefaultMaxLines = 128
)

// Reply is one server reply (RFC 5321 section 4.2): a code and one or more
// lines of text.
type Reply struct {
	// Code is the three-digit reply code.
	Code int
	// Enhanced is the enhanced status code (RFC 2034, RFC 3463) of the first
	// line, zero when absent.
	Enhanced EnhancedCode
	// Lines holds the text of each line, without code, separator or
	// enhanced code.
	Lines []string
}

// Message returns the lines joined with "\n".
func (r Reply) Message() string { return strings.Join(r.Lines, "\n") }

// Class returns the first digit of the code: 2 success, 3 intermediate, 4
// transient failure, 5 permanent failure.
func (r Reply) Class() int { return r.Code / 100 }

// Err returns the reply as an *Error attributed to command.
func (r Reply) Err(command string) *Error {
	return &Error{Command: command, Code: r.Code, Enhanced: r.Enhanced, Message: r.Message()}
}

// ReplyParser parses server replies incrementally from a byte stream fed in
// chunks of any size. Memory is bounded: it keeps at most one partial line
// (MaxLineLength bytes) and one reply (MaxLines lines) beyond the bytes of
// the current Feed.
//
// The zero value is ready to use with the default limits.
type ReplyParser struct {
	// MaxLineLength bounds a line, CRLF included; 0 means
	// DefaultMaxLineLength.
	MaxLineLength int
	// MaxLines bounds the lines of one reply; 0 means DefaultMaxLines.
	MaxLines int

	buf   []byte // unparsed bytes
	off   int    // start of unparsed bytes in buf
	cur   Reply  // reply being assembled
	lines int    // lines of cur seen so far
	err   error  // sticky error
	used  int64  // bytes parsed into lines so far
}

// Feed appends bytes read from the server.
func (p *ReplyParser) Feed(data []byte) {
	if p.off > 0 && p.off == len(p.buf) {
		p.buf, p.off = p.buf[:0], 0
	}
	p.buf = append(p.buf, data...)
}

// Buffered returns the number of bytes fed but not yet parsed into a
// complete reply line.
func (p *ReplyParser) Buffered() int { return len(p.buf) - p.off }

// Consumed returns the number of bytes parsed into reply lines so far.
func (p *ReplyParser) Consumed() int64 { return p.used }

// Pending reports whether a reply has started (at least one continuation
// line parsed) without being complete, or bytes are buffered.
func (p *ReplyParser) Pending() bool { return p.lines > 0 || p.Buffered() > 0 }

// Next returns the next complete reply, or ok false when more bytes are
// needed. After an error every later call returns the same error.
func (p *ReplyParser) Next() (r Reply, ok bool, err error) {
	if p.err != nil {
		return Reply{}, false, p.err
	}
	maxLine := p.MaxLineLength
	if maxLine <= 0 {
		maxLine = DefaultMaxLineLength
	}
	maxLines := p.MaxLines
	if maxLines <= 0 {
		maxLines = DefaultMaxLines
	}
	for {
		rest := p.buf[p.off:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			if len(rest) >= maxLine {
				return p.fail(&ProtocolError{Reason: "reply line longer than the limit", Err: email.ErrTooLarge})
			}
			p.compact()
			return Reply{}, false, nil
		}
		if i+1 > maxLine {
			return p.fail(&ProtocolError{Reason: "reply line longer than the limit", Err: email.ErrTooLarge})
		}
		line := rest[:i]
		p.off += i + 1
		p.used += int64(i + 1)
		line = bytes.TrimSuffix(line, []byte{'\r'})
		code, last, text, perr := parseLine(line)
		if perr != nil {
			return p.fail(perr)
		}
		if p.lines == 0 {
			p.cur = Reply{Code: code}
		} else if code != p.cur.Code {
			return p.fail(protoErr("multi-line reply changes code from %d to %d", p.cur.Code, code))
		}
		p.lines++
		if p.lines > maxLines {
			return p.fail(&ProtocolError{Reason: "reply has more lines than the limit", Err: email.ErrTooLarge})
		}
		enh, text := splitEnhanced(code, text)
		if p.lines == 1 {
			p.cur.Enhanced = enh
		}
		p.cur.Lines = append(p.cur.Lines, text)
		if last {
			r = p.cur
			p.cur, p.lines = Reply{}, 0
			return r, true, nil
		}
	}
}

func (p *ReplyParser) fail(err error) (Reply, bool, error) {
	p.err = err
	p.buf, p.off, p.cur, p.lines = nil, 0, Reply{}, 0
	return Reply{}, false, err
}

// compact drops parsed bytes so that the buffer holds only unparsed ones.
func (p *ReplyParser) compact() {
	if p.off == 0 {
		return
	}
	n := copy(p.buf, p.buf[p.off:])
	p.buf, p.off = p.buf[:n], 0
}

// parseLine splits "ddd-text", "ddd text" or "ddd" into its parts. The
// code's digits must be 2-5, 0-5 and 0-9 (RFC 5321 section 4.2).
func parseLine(line []byte) (code int, last bool, text string, err error) {
	if len(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' || line[2] < '0' || line[2] > '9' {
		return 0, false, "", protoErr("malformed reply line %q", clip(line))
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	switch {
	case len(line) == 3:
		return code, true, "", nil
	case line[3] == ' ':
		return code, true, string(line[4:]), nil
	case line[3] == '-':
		return code, false, string(line[4:]), nil
	}
	return 0, false, "", protoErr("malformed reply line %q", clip(line))
}

// splitEnhanced removes a leading enhanced status code "c.s.d " from text
// when its class matches the reply's (RFC 2034 section 4).
func splitEnhanced(code int, text string) (EnhancedCode, string) {
	class := code / 100
	if class != 2 && class != 4 && class != 5 || len(text) < 5 || int(text[0]-'0') != class || text[1] != '.' {
		return EnhancedCode{}, text
	}
	var c EnhancedCode
	c[0] = class
	i := 2
	for k := 1; k <= 2; k++ {
		n, j := 0, i
		for j < len(text) && j-i < 3 && text[j] >= '0' && text[j] <= '9' {
			n = n*10 + int(text[j]-'0')
			j++
		}
		if j == i {
			return EnhancedCode{}, text
		}
		c[k] = n
		i = j
		if k == 1 {
			if i >= len(text) || text[i] != '.' {
				return EnhancedCode{}, text
			}
			i++
		}
	}
	switch {
	case i == len(text):
		return c, ""
	case text[i] == ' ':
		return c, text[i+1:]
	}
	return EnhancedCode{}, text
}

// clip shortens b for an error message.
func clip(b []byte) string {
	const n = 64
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
