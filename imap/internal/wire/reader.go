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
func (r *Reader) Next() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if r.skipLeft > 0 {
			// Drop what has arrived of the oversized literal.
			n := min(r.skipLeft, int64(len(r.buf)-r.start))
			r.start += int(n)
			r.skipLeft -= n

			r.seg, r.scan = r.start, r.start
			if r.skipLeft > 0 {
				return nil, nil
			}
		}
		if r.litEnd > 0 {
			if len(r.buf) < r.litEnd {
				return nil, nil
			}
			r.seg, r.scan, r.litEnd = r.litEnd, r.litEnd, 0
		}
		j := bytes.IndexByte(r.buf[r.scan:], '\n')
		if j < 0 {
			r.scan = len(r.buf)
			if n := len(r.buf) - r.seg; n > r.maxLine() {
				r.err = &LimitError{What: "line", Size: int64(n), Limit: int64(r.maxLine())}
				return nil, r.err
			}
			return nil, nil
		}
		j += r.scan
		if n := j - r.seg; n > r.maxLine() {
			r.err = &LimitError{What: "line", Size: int64(n), Limit: int64(r.maxLine())}
			return nil, r.err
		}
		line := r.buf[r.seg:j]
		if n, ok := literalSuffix(line); ok {
			if n < 0 {
				r.err = &LimitError{What: "literal", Overflow: true, Limit: r.maxLiteral()}
				return nil, r.err
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
				return nil, r.err
			}
			total := int64(j+1-r.start) + n
			if total > r.maxResponse() {
				r.err = &LimitError{What: "response", Size: total, Limit: r.maxResponse()}
				return nil, r.err
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
			return nil, err
		}
		r.consumed += int64(len(resp))
		return resp, nil
	}
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
