package imap

import (
	"bytes"
	"slices"

	"github.com/emersion/go-imap/v2"
)

// UntaggedError reports an untagged response that did not parse and
// carries state the running command depends on: a message count (EXISTS,
// EXPUNGE, VANISHED), the UIDVALIDITY, UIDNEXT or HIGHESTMODSEQ of the
// mailbox, search results (SEARCH, ESEARCH, SORT) or message data
// (FETCH). The command fails with it once its tagged status has arrived,
// so the connection stays in step; errors.Is matches email.ErrProtocol
// through the wrapped *wire.SyntaxError.
//
// Other untagged responses that do not parse (an extension the codec does
// not know, a broken LIST during a listing of envelopes) are skipped.
type UntaggedError struct {
	// Name is the response's keyword ("EXISTS", "FETCH", "OK [UIDVALIDITY]").
	Name string
	// Err is the syntax error.
	Err error
}

// Error implements error.
func (e *UntaggedError) Error() string {
	return "imap: untagged " + e.Name + " response does not parse: " + e.Err.Error()
}

// Unwrap returns the syntax error.
func (e *UntaggedError) Unwrap() error { return e.Err }

// stateName returns the keyword of an untagged response (raw, as framed)
// that carries state a command depends on, or "" for any other; view
// reports state of the selected mailbox's view.
func stateName(raw []byte) (name string, view bool) {
	w, after := untaggedKeyword(raw)
	switch w {
	case "EXISTS", "EXPUNGE", "VANISHED":
		return w, true
	case "FETCH", "SEARCH", "ESEARCH", "SORT":
		return w, false
	case "OK", "NO", "BAD":
		after = bytes.ToUpper(bytes.TrimLeft(after, " "))
		for _, code := range []string{"UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ"} {
			if bytes.HasPrefix(after, []byte("["+code)) {
				return w + " [" + code + "]", true
			}
		}
	}
	return "", false
}

// untaggedKeyword returns the upper-cased keyword of an untagged response
// (after its number, if any) and the bytes after it; "" when raw is not
// untagged.
func untaggedKeyword(raw []byte) (string, []byte) {
	rest, ok := bytes.CutPrefix(raw, []byte("* "))
	if !ok {
		return "", nil
	}
	// Servers put extra spaces where one belongs; the parser takes them.
	rest = bytes.TrimLeft(rest, " ")
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i > 0 && i < len(rest) && rest[i] == ' ' {
		rest = bytes.TrimLeft(rest[i:], " ")
	}
	// The keyword is the leading run of letters, as the parser reads it
	// (it stops at the first byte that cannot be in an atom).
	j := 0
	for j < len(rest) && (rest[j]|0x20 >= 'a' && rest[j]|0x20 <= 'z') {
		j++
	}
	return string(bytes.ToUpper(rest[:j])), rest[j:]
}

// brokenUntagged handles an untagged response that did not parse: one
// that carries state fails the command (after its tagged status); one
// that changes the mailbox's view also forgets the selection, so the next
// operation selects the mailbox again and learns it afresh.
func (r *runner) brokenUntagged(raw []byte, err error) {
	name, view := stateName(raw)
	if name == "" {
		// The responses this command is answered with (LIST for a
		// listing of mailboxes) carry its state too.
		if kw, _ := untaggedKeyword(raw); kw != "" && slices.Contains(r.needs, kw) {
			name = kw
		}
	}
	if name == "" {
		return
	}
	if view {
		r.s.unselect()
	}
	r.later(&UntaggedError{Name: name, Err: err})
}

// later records err as the run's error, reported once every command of
// the batch has its tagged status; the first such error wins.
func (r *runner) later(err error) {
	if r.late == nil {
		r.late = err
	}
}

// uidCount returns the number of UIDs in a set of explicit ranges ("*"
// counts as one).
func uidCount(set imap.UIDSet) uint32 {
	var n uint64
	for _, r := range set {
		if r.Stop >= r.Start {
			n += uint64(r.Stop-r.Start) + 1
		} else {
			n++
		}
	}
	return uint32(min(n, 1<<32-1))
}
