package search

import (
	"strconv"

	"github.com/ioemail/ioemail/email"
)

// MaxDepth bounds how deeply parentheses and "not" may nest in a query.
// Deeper queries fail with a SyntaxError instead of exhausting the stack.
const MaxDepth = 100

// SyntaxError reports a query that does not parse: where, what the parser
// expected there, and what it found. It matches email.ErrInvalidArgument
// with errors.Is.
type SyntaxError struct {
	// Pos is the byte offset in the query where the problem is.
	Pos int
	// Expected describes what would have been valid at Pos, such as
	// `a condition (date, before, after, from, to, subject, body, flag)`.
	Expected string
	// Got describes what was there instead: a quoted token or
	// "end of query".
	Got string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return "search: syntax error at offset " + strconv.Itoa(e.Pos) + ": expected " + e.Expected + ", got " + e.Got
}

// Is makes errors.Is(err, email.ErrInvalidArgument) true.
func (e *SyntaxError) Is(target error) bool { return target == email.ErrInvalidArgument }

// gotEnd is the Got of an error at the end of the input.
const gotEnd = "end of query"

// quoteGot quotes a piece of the query for an error message, shortened to
// 40 bytes so that a huge query does not make a huge message.
func quoteGot(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}
