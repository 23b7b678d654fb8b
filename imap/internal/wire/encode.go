package wire

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/ioemail/ioemail/email"
)

// EncodeOptions are the server capabilities and session settings that
// change how a command is encoded.
type EncodeOptions struct {
	// LiteralPlus: the server offers LITERAL+ (RFC 7888); every literal is
	// non-synchronising.
	LiteralPlus bool
	// LiteralMinus: the server offers LITERAL- (or IMAP4rev2); literals of
	// at most 4096 bytes are non-synchronising.
	LiteralMinus bool
	// UTF8: UTF8=ACCEPT is enabled (RFC 6855); strings and mailbox names go
	// as UTF-8 quoted strings instead of literals or modified UTF-7.
	UTF8 bool
}

// Command is an encoded command. The client writes Segments[0], and before
// writing each later segment waits for a continuation request ("+"): each
// segment but the last ends with a synchronising literal announcement.
type Command struct {
	Tag      string
	Segments [][]byte
	// Source, when set, is a literal whose bytes the client streams from
	// the operation's source (see LiteralSource) before writing
	// Segments[Source.Seg]; that segment waits for a continuation request
	// only when Source.Sync.
	Source *Source
}

// Source is a literal of a Command streamed from the operation's source.
type Source struct {
	Seg  int   // the segment the literal's bytes precede
	Size int64 // the literal's size
	Sync bool  // a synchronising literal: wait for "+" before its bytes
}

// Bytes returns all segments joined, for commands without synchronising
// literals (and for tests).
func (c *Command) Bytes() []byte {
	var b []byte
	for _, s := range c.Segments {
		b = append(b, s...)
	}
	return b
}

// ErrArgument is matched by encoding errors; it also matches
// email.ErrInvalidArgument.
var ErrArgument = fmt.Errorf("imap: argument cannot be encoded: %w", email.ErrInvalidArgument)

// Encoder builds one command. Every method that takes caller data checks
// it, so a caller's string can never end the command early or start a
// second one; the first error sticks and is returned by Finish.
type Encoder struct {
	opts EncodeOptions
	tag  string
	buf  []byte
	segs [][]byte
	src  *Source
	err  error
}

// NewCommand starts the command "tag name". The tag and name are trusted
// atoms chosen by this module.
func NewCommand(tag, name string, opts EncodeOptions) *Encoder {
	e := &Encoder{opts: opts, tag: tag}
	e.buf = append(e.buf, tag...)
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, name...)
	return e
}

func (e *Encoder) fail(what string) {
	if e.err == nil {
		e.err = fmt.Errorf("%w: %s", ErrArgument, what)
	}
}

// SP writes a space.
func (e *Encoder) SP() *Encoder {
	e.buf = append(e.buf, ' ')
	return e
}

// Raw writes trusted protocol text (keywords, parentheses) as is.
func (e *Encoder) Raw(s string) *Encoder {
	e.buf = append(e.buf, s...)
	return e
}

// Atom writes s, which must be a non-empty atom.
func (e *Encoder) Atom(s string) *Encoder {
	if !isAtom(s, "") {
		e.fail("not an atom")
		return e
	}
	e.buf = append(e.buf, s...)
	return e
}

// Flag writes a flag: an atom, optionally after one backslash.
func (e *Encoder) Flag(s string) *Encoder {
	a := s
	if len(a) > 0 && a[0] == '\\' {
		a = a[1:]
	}
	if !isAtom(a, "") {
		e.fail("flag " + strconv.Quote(s) + " is not an atom")
		return e
	}
	e.buf = append(e.buf, s...)
	return e
}

// Number writes a decimal number.
func (e *Encoder) Number(n uint64) *Encoder {
	e.buf = strconv.AppendUint(e.buf, n, 10)
	return e
}

func isAtom(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAtomChar(s[i]) {
			return false
		}
	}
	return true
}

// String writes s as an astring: an atom when it is one (and not "NIL"),
// a quoted string when it is printable, a literal otherwise (line breaks,
// 8-bit text without UTF8=ACCEPT, long text). A NUL byte cannot be sent
// in a string and is an error.
func (e *Encoder) String(s string) *Encoder {
	if isAtom(s, "") && !(len(s) == 3 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'i' && (s[2]|0x20) == 'l') {
		e.buf = append(e.buf, s...)
		return e
	}
	return e.Quoted(s)
}

// Quoted writes s as a quoted string when it can be one, else a literal.
func (e *Encoder) Quoted(s string) *Encoder {
	quotable := len(s) <= 1024
	for i := 0; i < len(s) && quotable; i++ {
		c := s[i]
		switch {
		case c == 0:
			e.fail("NUL byte in a string")
			return e
		case c == '\r' || c == '\n':
			quotable = false
		case c >= 0x80:
			quotable = e.opts.UTF8 && utf8.ValidString(s)
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			e.fail("NUL byte in a string")
			return e
		}
	}
	if !quotable {
		return e.Literal([]byte(s))
	}
	e.buf = append(e.buf, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			e.buf = append(e.buf, '\\')
		}
		e.buf = append(e.buf, s[i])
	}
	e.buf = append(e.buf, '"')
	return e
}

// Mailbox writes a mailbox name: "INBOX" for any case of inbox, modified
// UTF-7 (RFC 3501 section 5.1.3) or, with UTF8=ACCEPT, UTF-8.
func (e *Encoder) Mailbox(name string) *Encoder {
	if email.IsInbox(name) {
		e.buf = append(e.buf, "INBOX"...)
		return e
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] == 0x7f {
			e.fail("control character in a mailbox name")
			return e
		}
	}
	if !utf8.ValidString(name) {
		e.fail("mailbox name is not UTF-8")
		return e
	}
	if e.opts.UTF8 {
		return e.String(name)
	}
	return e.String(EncodeUTF7(name))
}

// Literal writes data as a literal: non-synchronising "{n+}" under
// LITERAL+ (or LITERAL- up to 4096 bytes), else synchronising "{n}", which
// ends the current segment.
func (e *Encoder) Literal(data []byte) *Encoder {
	n := len(data)
	e.buf = append(e.buf, '{')
	e.buf = strconv.AppendInt(e.buf, int64(n), 10)
	if e.opts.LiteralPlus || (e.opts.LiteralMinus && n <= 4096) {
		e.buf = append(e.buf, "+}\r\n"...)
	} else {
		e.buf = append(e.buf, "}\r\n"...)
		e.segs = append(e.segs, e.buf)
		e.buf = nil
	}
	e.buf = append(e.buf, data...)
	return e
}

// LiteralSource announces a literal of n bytes that the client streams
// from the operation's source instead of holding it (Command.Source):
// non-synchronising under LITERAL+ (or LITERAL- up to 4096 bytes), else
// synchronising. A command has at most one.
func (e *Encoder) LiteralSource(n int64) *Encoder {
	if e.src != nil {
		e.fail("a second streamed literal")
		return e
	}
	e.buf = append(e.buf, '{')
	e.buf = strconv.AppendInt(e.buf, n, 10)
	plus := e.opts.LiteralPlus || (e.opts.LiteralMinus && n <= 4096)
	if plus {
		e.buf = append(e.buf, "+}\r\n"...)
	} else {
		e.buf = append(e.buf, "}\r\n"...)
	}
	e.segs = append(e.segs, e.buf)
	e.buf = nil
	e.src = &Source{Seg: len(e.segs), Size: n, Sync: !plus}
	return e
}

// Finish ends the command with CRLF and returns it.
func (e *Encoder) Finish() (*Command, error) {
	if e.err != nil {
		return nil, e.err
	}
	e.buf = append(e.buf, '\r', '\n')
	return &Command{Tag: e.tag, Segments: append(e.segs, e.buf), Source: e.src}, nil
}
