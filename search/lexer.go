package search

import (
	"strings"
	"unicode/utf8"
)

// tokenKind is the kind of a lexical token.
type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokLParen           // (
	tokRParen           // )
	tokWord             // an unquoted word, escapes removed
	tokQuoted           // a double-quoted string, quotes and escapes removed
)

// token is one lexical token of a query.
type token struct {
	kind tokenKind
	pos  int    // byte offset of the token's first byte
	text string // the value: escapes resolved, quotes removed
	raw  string // the token as written
	// escaped is set when an unquoted word contained an escape; such a
	// word is never a keyword.
	escaped bool
}

// got describes the token for a SyntaxError.
func (t token) got() string {
	if t.kind == tokEOF {
		return gotEnd
	}
	return quoteGot(t.raw)
}

// keyword returns the lower-cased keyword the token spells, or "".
// Keywords are unquoted, unescaped words, compared ignoring ASCII case.
func (t token) keyword() string {
	if t.kind != tokWord || t.escaped || len(t.text) > len("subject") {
		return ""
	}
	k := strings.ToLower(t.text)
	if _, ok := keywords[k]; ok {
		return k
	}
	return ""
}

// keywords lists the words that have a meaning in the query language.
// The reserved ones cannot be unquoted values.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "order": true,
	"date": true, "before": true, "after": true,
	"from": true, "to": true, "subject": true, "body": true, "flag": true,
	// Meaningful only after "order by"; usable as bare values.
	"by": false, "asc": false, "desc": false,
}

// reserved reports whether s, ignoring ASCII case, is a word that cannot
// be an unquoted value.
func reserved(s string) bool {
	return len(s) <= len("subject") && keywords[strings.ToLower(s)]
}

// lexer splits a query into tokens. It is an explicit state machine over
// the input: pos is the next byte to read.
type lexer struct {
	src string
	pos int
}

// isSpace reports whether c separates tokens.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isControl reports whether r is a control character, which no value may
// hold.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// escapable reports whether a backslash before c is an escape. A backslash
// before any other character is kept as written, so `\Seen` is a word.
func escapable(c byte) bool {
	return c == '\\' || c == '"' || c == '(' || c == ')' || c == ' '
}

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: len(l.src)}, nil
	}
	start := l.pos
	switch l.src[start] {
	case '(':
		l.pos++
		return token{kind: tokLParen, pos: start, text: "(", raw: "("}, nil
	case ')':
		l.pos++
		return token{kind: tokRParen, pos: start, text: ")", raw: ")"}, nil
	case '"':
		return l.quoted()
	}
	return l.word()
}

// rune reads the rune at l.pos, failing on invalid UTF-8 and on control
// characters.
func (l *lexer) rune() (rune, int, error) {
	r, n := utf8.DecodeRuneInString(l.src[l.pos:])
	if r == utf8.RuneError && n <= 1 {
		return 0, 0, &SyntaxError{Pos: l.pos, Expected: "UTF-8 text", Got: quoteGot(l.src[l.pos : l.pos+1])}
	}
	if isControl(r) {
		return 0, 0, &SyntaxError{Pos: l.pos, Expected: "printable text", Got: "control character " + quoteGot(string(r))}
	}
	return r, n, nil
}

// word reads an unquoted word: everything up to white space, a parenthesis
// or the end, with the escapes \\, \", \(, \) and "\ " resolved.
func (l *lexer) word() (token, error) {
	start := l.pos
	var b strings.Builder
	escaped := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if isSpace(c) || c == '(' || c == ')' {
			break
		}
		if c == '\\' && l.pos+1 < len(l.src) && escapable(l.src[l.pos+1]) {
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
			escaped = true
			continue
		}
		r, n, err := l.rune()
		if err != nil {
			return token{}, err
		}
		b.WriteRune(r)
		l.pos += n
	}
	return token{kind: tokWord, pos: start, text: b.String(), raw: l.src[start:l.pos], escaped: escaped}, nil
}

// quoted reads a double-quoted string starting at l.pos, with the escapes
// \\ and \" resolved (a backslash before anything else is kept).
func (l *lexer) quoted() (token, error) {
	start := l.pos
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return token{}, &SyntaxError{Pos: len(l.src), Expected: `a closing '"' for the string at offset ` + itoa(start), Got: gotEnd}
		}
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			return token{kind: tokQuoted, pos: start, text: b.String(), raw: l.src[start:l.pos]}, nil
		case c == '\\' && l.pos+1 < len(l.src) && (l.src[l.pos+1] == '\\' || l.src[l.pos+1] == '"'):
			b.WriteByte(l.src[l.pos+1])
			l.pos += 2
			continue
		}
		r, n, err := l.rune()
		if err != nil {
			return token{}, err
		}
		b.WriteRune(r)
		l.pos += n
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}
