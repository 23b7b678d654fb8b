// Package wire is the I/O-free IMAP codec: an incremental framer that cuts
// a byte stream into whole responses (lines plus their literals), a parser
// that decodes one response into go-imap v2 value types and small structs of
// its own, and a command encoder (RFC 3501, RFC 9051 and extensions).
//
// Nothing here reads or writes a connection: the caller feeds bytes in and
// takes bytes out.
package wire

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/ioemail/ioemail/email"
)

// Default limits of a Reader.
const (
	// DefaultMaxLine bounds one line of a response (the text between two
	// literals, or between CRLFs). A UID SEARCH over 100,000 messages is a
	// single line of about 700 KB, hence the generous default.
	DefaultMaxLine = 8 << 20
	// DefaultMaxLiteral bounds one literal the reader buffers.
	DefaultMaxLiteral = 64 << 20
	// DefaultMaxSkip bounds the oversized literal of an untagged response
	// the reader drops to stay in step (see LimitError.Skipped); a larger
	// announcement is a sticky error.
	DefaultMaxSkip = 4 << 30
	// DefaultMaxResponse bounds a whole response, literals included.
	DefaultMaxResponse = 256 << 20
)

// ErrLimit is matched (with errors.Is) by the errors a Reader returns when
// a peer exceeds a limit; it also matches email.ErrTooLarge.
var ErrLimit = fmt.Errorf("imap: response exceeds a limit: %w", email.ErrTooLarge)

// LimitError reports which limit a response broke.
type LimitError struct {
	What  string // "line", "literal" or "response"
	Size  int64  // the size announced or reached; 0 with Overflow
	Limit int64  // the configured limit
	// Overflow reports a literal size announcement too large to be held
	// in 63 bits; Size is then 0.
	Overflow bool
	// Skipped reports an untagged response whose literal was over the
	// limit and that the Reader dropped whole, as its bytes arrived,
	// without holding it: the stream is still in step and Next goes on
	// with the next response.
	Skipped bool
}

// Error implements error.
func (e *LimitError) Error() string {
	if e.Overflow {
		return fmt.Sprintf("imap: %s size announced beyond 2^62 bytes exceeds the limit of %d", e.What, e.Limit)
	}
	return fmt.Sprintf("imap: %s of %d bytes exceeds the limit of %d", e.What, e.Size, e.Limit)
}

// Is makes errors.Is match ErrLimit and email.ErrTooLarge.
func (e *LimitError) Is(target error) bool {
	return target == ErrLimit || target == email.ErrTooLarge
}

// ErrSyntax is matched by every parse error; it also matches
// email.ErrProtocol.
var ErrSyntax = fmt.Errorf("imap: syntax error: %w", email.ErrProtocol)

// SyntaxError reports a response that does not parse. It never holds the
// raw bytes (they may carry secrets), only the offset and a reason.
type SyntaxError struct {
	Offset int    // byte offset in the response
	Reason string // what was expected
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return "imap: syntax error at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Is makes errors.Is match ErrSyntax and email.ErrProtocol.
func (e *SyntaxError) Is(target error) bool {
	return target == ErrSyntax || target == email.ErrProtocol
}

// Reader cuts a stream of server bytes into complete responses. Feed it
// chunks split anywhere (inside a literal, between CR and LF); Next returns
// each complete response in turn. Memory stays within the limits: a literal
// announcement above MaxLiteral is an error before any byte of it is
// buffered. In an untagged response (a FETCH of a message over the limit)
// a literal of at most MaxSkip bytes is instead dropped as it arrives,
// with the rest of its response, and Next reports a *LimitError with
// Skipped set, once, then goes on: the session stays usable.
//
// The zero Reader uses the default limits.
type Reader struct {
	MaxLine     int   // 0 means DefaultMaxLine
	MaxLiteral  int64 // 0 means DefaultMaxLiteral
	MaxResponse int64 // 0 means DefaultMaxResponse
	MaxSkip     int64 // 0 means DefaultMaxSkip

	buf      []byte
	start    int // start of the current response
	seg      int // start of the current line segment
	scan     int // where the search for LF resumes
	litEnd   int // > 0: the response continues after a literal ending here
	err      error
	consumed int64
	// skipLeft > 0: the bytes of an oversized literal still to drop; skip
	// is the error reported once the rest of its response is dropped too.
	skipLeft int64
	skip     *LimitError

	// StreamBodies makes NextPart hand the literal of a FETCH BODY[] item
	// out in chunks instead of buffering it (see NextPart).
	StreamBodies bool
	// A body being streamed: its bytes start at bodyAt in buf (right
	// after the rewritten announcement), bodyLeft are still to come,
	// bodyDrop were handed out by the last NextPart and are removed on the
	// next call, bodySkip drops the rest unseen.
	bodyOn   bool
	bodyAt   int
	bodyLeft int64
	bodyDrop int
	bodySkip bool
}

func (r *Reader) maxLine() int {
	if r.MaxLine > 0 {
		return r.MaxLine
	}
	return DefaultMaxLine
}

func (r *Reader) maxLiteral() int64 {
	if r.MaxLiteral > 0 {
		return r.MaxLiteral
	}
	return DefaultMaxLiteral
}

func (r *Reader) maxSkip() int64 {
	if r.MaxSkip > 0 {
		return r.MaxSkip
	}
	return DefaultMaxSkip
}

func (r *Reader) maxResponse() int64 {
	if r.MaxResponse > 0 {
		return r.MaxResponse
	}
	return DefaultMaxResponse
}

// keepBuffer is the capacity above which an emptied buffer is released.
const keepBuffer = 1 << 20

// Feed appends p to the unparsed input. p is copied; the caller keeps it.
// Slices returned by earlier Next calls become invalid.
func (r *Reader) Feed(p []byte) {
	r.dropChunk()
	if r.start == len(r.buf) && cap(r.buf) > keepBuffer {
		// Everything was consumed: let a large buffer (a big literal) go.
		r.buf, r.start, r.seg, r.scan, r.litEnd = nil, 0, 0, 0, 0
	}
	if r.start > 0 {
		n := copy(r.buf, r.buf[r.start:])
		r.buf = r.buf[:n]
		r.seg -= r.start
		r.scan -= r.start
		if r.litEnd > 0 {
			r.litEnd -= r.start
		}
		if r.bodyOn {
			r.bodyAt -= r.start
		}
		r.start = 0
	}
	if need := len(r.buf) + len(p); need > cap(r.buf) {
		// Double the buffer: append grows large slices by a quarter, which
		// would copy a long line about five times over as it arrives.
		nb := make([]byte, len(r.buf), max(need, 2*cap(r.buf), 4096))
		copy(nb, r.buf)
		r.buf = nb
	}
	r.buf = append(r.buf, p...)
}

// Buffered returns the number of bytes fed but not yet returned by Next.
func (r *Reader) Buffered() int { return len(r.buf) - r.start }

// Consumed returns the number of bytes returned by Next so far (the bytes
// of dropped responses, see LimitError.Skipped, are not counted).
func (r *Reader) Consumed() int64 { return r.consumed }

// Err returns the sticky error of the reader, if any.
func (r *Reader) Err() error { return r.err }

// Next returns the next complete response, CRLF included, or nil when more
// input is needed. The slice aliases the reader's buffer and is valid until
// the next Feed. Once Next has failed it keeps failing with the same error.
// With StreamBodies set, the body parts NextPart would return are dropped.
func (r *Reader) Next() ([]byte, error) {
	for {
		p, err := r.NextPart()
		switch {
		case err != nil:
			return nil, err
		case p.Kind == PartBody:
			r.SkipBody()
		case p.Kind == PartChunk:
		default:
			return p.Data, nil
		}
	}
}

// PartKind is the kind of a Part.
type PartKind uint8

// The parts NextPart returns.
const (
	// PartResponse is a complete response (Part.Data), CRLF included. A
	// response whose body was streamed holds an empty literal in its
	// place: "BODY[] {0}".
	PartResponse PartKind = iota + 1
	// PartBody starts a streamed body literal: Data is the response up to
	// the BODY[] item (without it), Size the literal's announced size.
	// Its bytes follow as PartChunk parts, then the rest of the response
	// comes as a PartResponse.
	PartBody
	// PartChunk is a piece of the body literal being streamed.
	PartChunk
)

// Part is one piece of the server stream: a response, or the start or a
// chunk of a streamed body. Data aliases the reader's buffer and is valid
// until the next NextPart or Feed.
type Part struct {
	Kind PartKind
	Data []byte
	Size int64
}

// BodyLeft returns the number of bytes of the streamed body literal still
// to come (0 when none is being streamed).
func (r *Reader) BodyLeft() int64 {
	if !r.bodyOn {
		return 0
	}
	return r.bodyLeft
}

// SkipBody drops the rest of the body literal being streamed as it
// arrives, without handing it out: the stream stays in step.
func (r *Reader) SkipBody() {
	if r.bodyOn {
		r.bodySkip = true
	}
}

// dropChunk removes the chunk the last NextPart handed out.
func (r *Reader) dropChunk() {
	if r.bodyDrop == 0 {
		return
	}
	n := copy(r.buf[r.bodyAt:], r.buf[r.bodyAt+r.bodyDrop:])
	r.buf = r.buf[:r.bodyAt+n]
	r.bodyDrop = 0
}

// NextPart returns the next part of the stream, or a zero Part when more
// input is needed. Without StreamBodies every part is a PartResponse, as
// Next returns them. With it, the literal of a "BODY[]" item of an
// untagged response is not buffered (MaxLiteral does not apply to it): it
// is announced by a PartBody, handed out in PartChunk parts as its bytes
// arrive (never more than the buffer holds), or dropped after SkipBody.
// Once NextPart has failed it keeps failing with the same error.
func (r *Reader) NextPart() (Part, error) {
	if r.err != nil {
		return Part{}, r.err
	}
	r.dropChunk()
	for {
		if r.bodyOn {
			if r.bodyLeft > 0 {
				avail := len(r.buf) - r.bodyAt
				if avail == 0 {
					return Part{}, nil
				}
				n := int(min(r.bodyLeft, int64(avail)))
				r.bodyLeft -= int64(n)
				r.bodyDrop = n
				if r.bodySkip {
					r.dropChunk()
					continue
				}
				r.consumed += int64(n)
				return Part{Kind: PartChunk, Data: r.buf[r.bodyAt : r.bodyAt+n]}, nil
			}
			r.seg, r.scan = r.bodyAt, r.bodyAt
			r.bodyOn, r.bodySkip = false, false
		}
		if r.skipLeft > 0 {
			// Drop what has arrived of the oversized literal.
			n := min(r.skipLeft, int64(len(r.buf)-r.start))
			r.start += int(n)
			r.skipLeft -= n

			r.seg, r.scan = r.start, r.start
			if r.skipLeft > 0 {
				return Part{}, nil
			}
		}
		if r.litEnd > 0 {
			if len(r.buf) < r.litEnd {
				return Part{}, nil
			}
			r.seg, r.scan, r.litEnd = r.litEnd, r.litEnd, 0
		}
		j := bytes.IndexByte(r.buf[r.scan:], '\n')
		if j < 0 {
			r.scan = len(r.buf)
			if n := len(r.buf) - r.seg; n > r.maxLine() {
				r.err = &LimitError{What: "line", Size: int64(n), Limit: int64(r.maxLine())}
				return Part{}, r.err
			}
			return Part{}, nil
		}
		j += r.scan
		if n := j - r.seg; n > r.maxLine() {
			r.err = &LimitError{What: "line", Size: int64(n), Limit: int64(r.maxLine())}
			return Part{}, r.err
		}
		line := r.buf[r.seg:j]
		if n, ok := literalSuffix(line); ok {
			if n < 0 {
				r.err = &LimitError{What: "literal", Overflow: true, Limit: r.maxLiteral()}
				return Part{}, r.err
			}
			if r.StreamBodies && r.skip == nil && bytes.HasPrefix(r.buf[r.start:], []byte("* ")) {
				if item, open := bodyItem(line); item >= 0 {
					return r.startBody(r.seg+item, r.seg+open, j, n), nil
				}
			}
			if n > r.maxLiteral() && n <= r.maxSkip() && (r.skip != nil || bytes.HasPrefix(r.buf[r.start:], []byte("* "))) {
				// An untagged response (a FETCH of a large message): drop
				// it whole, keeping the stream in step.
				if r.skip == nil {
					r.skip = &LimitError{What: "literal", Size: n, Limit: r.maxLiteral(), Skipped: true}
				}
				r.start, r.skipLeft = j+1, n
				continue
			}
			if n > r.maxLiteral() {
				r.err = &LimitError{What: "literal", Size: n, Limit: r.maxLiteral()}
				return Part{}, r.err
			}
			total := int64(j+1-r.start) + n
			if total > r.maxResponse() {
				r.err = &LimitError{What: "response", Size: total, Limit: r.maxResponse()}
				return Part{}, r.err
			}
			r.litEnd = j + 1 + int(n)
			continue
		}
		resp := r.buf[r.start : j+1]
		r.start = j + 1
		r.seg, r.scan = r.start, r.start
		if r.skip != nil {
			// The end of a dropped response: report it, not its tail.
			err := r.skip
			r.skip = nil
			return Part{}, err
		}
		r.consumed += int64(len(resp))
		return Part{Kind: PartResponse, Data: resp}, nil
	}
}

// startBody begins streaming the literal announced at the end of the line
// ending at lf (its "{" at open, its item at item): the announcement is
// rewritten in place as "{0}" CRLF, the literal bytes already buffered are
// moved up behind it, and the PartBody is returned.
func (r *Reader) startBody(item, open, lf int, n int64) Part {
	head := bytes.TrimRight(r.buf[r.start:item], " ")
	empty := "{0}\r\n"
	if r.buf[lf-1] != '\r' {
		empty = "{0}\n" // a bare LF: "{n}\n" has room for no more
	}
	at := open + copy(r.buf[open:], empty)
	k := copy(r.buf[at:], r.buf[lf+1:])
	r.buf = r.buf[:at+k]
	r.bodyOn, r.bodyAt, r.bodyLeft, r.bodySkip, r.bodyDrop = true, at, n, false, 0
	return Part{Kind: PartBody, Data: head, Size: n}
}

// bodyItem reports where the item "BODY[]" whose literal ends line starts
// in line, and where the literal's "{" is; item is -1 when the literal is
// not that of a BODY[] item (a section, a partial, a binary literal).
func bodyItem(line []byte) (item, open int) {
	open = bytes.LastIndexByte(line, '{')
	if open < 0 {
		return -1, 0
	}
	if open == 0 || line[open-1] != ' ' {
		return -1, 0 // the parser wants "BODY[] {n}"
	}
	i := open - 1
	const name = "BODY[]"
	if i < len(name) || !bytes.EqualFold(line[i-len(name):i], []byte(name)) {
		return -1, 0
	}
	if i-len(name) > 0 && line[i-len(name)-1] != ' ' && line[i-len(name)-1] != '(' {
		return -1, 0
	}
	return i - len(name), open
}

// literalSuffix reports whether line (without LF) ends with a literal
// announcement "{n}", "{n+}" or "~{n}", and returns n (-1 when it
// overflows).
func literalSuffix(line []byte) (int64, bool) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	end := len(line) - 1
	if line[end-1] == '+' || line[end-1] == '-' {
		end--
	}
	i := end - 1
	for i >= 0 && line[i] >= '0' && line[i] <= '9' {
		i--
	}
	if i < 0 || line[i] != '{' || i == end-1 {
		return 0, false
	}
	var n int64
	for _, c := range line[i+1 : end] {
		if n > (1<<62)/10 {
			return -1, true
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// errClosed is used by callers that saw EOF in the middle of a response.
var errClosed = errors.New("imap: connection closed in the middle of a response")

// Incomplete reports whether a partial response is buffered; at EOF that
// means the peer cut a response short.
func (r *Reader) Incomplete() bool { return len(r.buf) > r.start }

// ErrTruncated is returned by callers when the stream ends inside a
// response; it matches email.ErrProtocol.
var ErrTruncated = fmt.Errorf("%w: %w", errClosed, email.ErrProtocol)
