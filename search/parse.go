package search

import (
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Expected descriptions shared by several errors.
const (
	expCondition = `a condition (date, before, after, from, to, subject, body, flag), "not" or "("`
	expDate      = "a date (YYYY-MM-DD, YYYY/MM/DD, DD-MM-YYYY or DD/MM/YYYY)"
	expSortKey   = "a sort key (date, from, to, subject)"
	expFlag      = "a flag (seen, answered, flagged, draft, deleted, or a keyword of printable ASCII without ( ) { ] % * \" \\)"
)

// Parse reads a query in the search language; see the package
// documentation for the grammar. An empty or blank query is the zero Query
// (every message, default order). A query that does not parse returns a
// *SyntaxError naming the byte offset and what was expected there.
func Parse(s string) (Query, error) {
	p := &parser{lex: lexer{src: s}}
	if err := p.advance(); err != nil {
		return Query{}, err
	}
	var q Query
	if p.tok.kind != tokEOF && p.tok.keyword() != "order" {
		f, err := p.or()
		if err != nil {
			return Query{}, err
		}
		q.Filter = f
	}
	switch {
	case p.tok.keyword() == "order":
		sort, err := p.order()
		if err != nil {
			return Query{}, err
		}
		q.Sort = sort
	case p.tok.kind == tokRParen:
		return Query{}, p.fail(`a condition, "and", "or", "order by" or end of query (this ")" closes nothing)`)
	case p.tok.kind != tokEOF:
		return Query{}, p.fail(`a condition, "and", "or", "order by" or end of query`)
	}
	return q, nil
}

// MustParse is Parse for queries known to be valid, such as constants in
// programs and tests. It panics when s does not parse.
func MustParse(s string) Query {
	q, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return q
}

// parser is a recursive-descent parser with one token of look-ahead. Its
// recursion is bounded by depth, which counts open parentheses and "not".
type parser struct {
	lex   lexer
	tok   token // the current, not yet consumed token
	depth int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) fail(expected string) error {
	return &SyntaxError{Pos: p.tok.pos, Expected: expected, Got: p.tok.got()}
}

// enter counts one level of nesting at the current token.
func (p *parser) enter() error {
	if p.depth >= MaxDepth {
		return &SyntaxError{Pos: p.tok.pos, Expected: "at most " + itoa(MaxDepth) + " nested parentheses and \"not\"", Got: p.tok.got()}
	}
	p.depth++
	return nil
}

// or = and *( "or" and )
func (p *parser) or() (Node, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	nodes := []Node{first}
	for p.tok.keyword() == "or" {
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &Or{Nodes: nodes}, nil
}

// startsUnary reports whether the current token can begin a condition,
// which makes juxtaposition an implicit "and".
func (p *parser) startsUnary() bool {
	if p.tok.kind == tokLParen {
		return true
	}
	switch p.tok.keyword() {
	case "not", "date", "before", "after", "from", "to", "subject", "body", "flag":
		return true
	}
	return false
}

// and = unary *( [ "and" ] unary )
func (p *parser) and() (Node, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	nodes := []Node{first}
	for {
		if p.tok.keyword() == "and" {
			if err := p.advance(); err != nil {
				return nil, err
			}
		} else if !p.startsUnary() {
			break
		}
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if len(nodes) == 1 {
		return first, nil
	}
	return &And{Nodes: nodes}, nil
}

// unary = "not" unary / atom
func (p *parser) unary() (Node, error) {
	if p.tok.keyword() != "not" {
		return p.atom()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	n, err := p.unary()
	if err != nil {
		return nil, err
	}
	p.depth--
	return &Not{Node: n}, nil
}

// atom = "(" or ")" / condition
func (p *parser) atom() (Node, error) {
	if p.tok.kind == tokLParen {
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.fail(`")", "and", "or" or a condition`)
		}
		p.depth--
		return n, p.advance()
	}
	kw := p.tok.keyword()
	switch kw {
	case "date", "before", "after":
		return p.dateCond(kw)
	case "from", "to", "subject", "body":
		return p.textCond(kw)
	case "flag":
		return p.flagCond()
	}
	return nil, p.fail(expCondition)
}

// value consumes the condition keyword and returns the value token after
// it: a quoted string, or an unquoted word that is not reserved.
func (p *parser) value(kw, expected string) (token, error) {
	if err := p.advance(); err != nil {
		return token{}, err
	}
	t := p.tok
	switch {
	case t.kind == tokQuoted:
	case t.kind == tokWord && t.escaped:
	case t.kind == tokWord && !reserved(t.text):
	case t.kind == tokWord:
		return token{}, p.fail(expected + ` after "` + kw + `" (quote "` + t.text + `" to search for the word)`)
	default:
		return token{}, p.fail(expected + ` after "` + kw + `"`)
	}
	return t, p.advance()
}

func (p *parser) dateCond(kw string) (Node, error) {
	t, err := p.value(kw, expDate)
	if err != nil {
		return nil, err
	}
	d, err := ParseDay(t.text)
	if err != nil {
		return nil, &SyntaxError{Pos: t.pos, Expected: expDate, Got: t.got()}
	}
	op := map[string]DateOp{"date": On, "before": Before, "after": After}[kw]
	return &DateCond{Op: op, Day: d}, nil
}

func (p *parser) textCond(kw string) (Node, error) {
	t, err := p.value(kw, "a value")
	if err != nil {
		return nil, err
	}
	f := map[string]Field{"from": From, "to": To, "subject": Subject, "body": Body}[kw]
	return &TextCond{Field: f, Value: t.text}, nil
}

func (p *parser) flagCond() (Node, error) {
	t, err := p.value("flag", expFlag)
	if err != nil {
		return nil, err
	}
	f, ok := parseFlag(t.text)
	if !ok {
		return nil, &SyntaxError{Pos: t.pos, Expected: expFlag, Got: t.got()}
	}
	return &FlagCond{Flag: f}, nil
}

// parseFlag classifies a flag value. Registered flags may be written in any
// spelling (seen, Seen, \Seen, $seen); any other flag must be a keyword
// that IMAP, JMAP and m2dir can all carry: printable ASCII without
// ( ) { ] % * " \ and not starting with a backslash.
func parseFlag(s string) (email.Flag, bool) {
	f := email.ParseFlag(s)
	if f.IANA != email.Custom {
		return f, true
	}
	if s == "" || s[0] == '\\' {
		return email.Flag{}, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){]%*"\`, c) >= 0 {
			return email.Flag{}, false
		}
	}
	return f, true
}

// order = "order" "by" *( sortkey [ "asc" / "desc" ] )
func (p *parser) order() ([]Sorter, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.keyword() != "by" {
		return nil, p.fail(`"by" after "order"`)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var out []Sorter
	for p.tok.kind != tokEOF {
		var key SortKey
		if p.tok.kind == tokWord && !p.tok.escaped {
			switch strings.ToLower(p.tok.text) {
			case "date":
				key = ByDate
			case "from":
				key = ByFrom
			case "to":
				key = ByTo
			case "subject":
				key = BySubject
			}
		}
		if key == 0 {
			if len(out) == 0 {
				return nil, p.fail(expSortKey + " or end of query")
			}
			return nil, p.fail(expSortKey + `, "asc", "desc" or end of query`)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		s := Sorter{Key: key}
		switch p.tok.keyword() {
		case "desc":
			s.Desc = true
			fallthrough
		case "asc":
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}
