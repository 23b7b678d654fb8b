package wire

import (
	"strings"

	"github.com/emersion/go-imap/v2"
)

// body reads a BODY or BODYSTRUCTURE value (RFC 3501 section 9, body).
// Extension data is decoded where it has the usual shape and skipped where
// it does not.
func (p *parser) body() imap.BodyStructure {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		p.fail("body structure nested too deep")
		return nil
	}
	p.expect('(')
	if p.err != nil {
		return nil
	}
	if p.peek() == '(' {
		return p.bodyMulti()
	}
	return p.bodySingle()
}

func (p *parser) bodyMulti() imap.BodyStructure {
	mp := &imap.BodyStructureMultiPart{}
	for p.peek() == '(' && p.err == nil {
		if c := p.body(); c != nil {
			mp.Children = append(mp.Children, c)
		}
		p.skipSpaces()
	}
	sub, _ := p.nstring()
	mp.Subtype = strings.ToLower(string(sub))
	if p.sp() && !p.atEnd() && p.peek() != ')' {
		ext := &imap.BodyStructureMultiPartExt{}
		ext.Params = p.bodyParams()
		if p.sp() && p.peek() != ')' {
			ext.Disposition = p.disposition()
		}
		mp.Extended = ext
	}
	p.skipRest()
	return mp
}

func (p *parser) bodySingle() imap.BodyStructure {
	bs := &imap.BodyStructureSinglePart{}
	typ, _ := p.nstring()
	p.expectSP()
	sub, _ := p.nstring()
	bs.Type, bs.Subtype = strings.ToLower(string(typ)), strings.ToLower(string(sub))
	p.expectSP()
	bs.Params = p.bodyParams()
	p.expectSP()
	bs.ID = p.nstr()
	p.expectSP()
	bs.Description = p.nstr()
	p.expectSP()
	bs.Encoding = p.nstr()
	p.expectSP()
	bs.Size = uint32(min(p.number(), 0xffffffff))
	if p.err != nil {
		return nil
	}
	switch {
	case bs.Type == "message" && (bs.Subtype == "rfc822" || bs.Subtype == "global") && p.peek() == ' ':
		p.sp()
		m := &imap.BodyStructureMessageRFC822{}
		m.Envelope = p.envelope()
		p.expectSP()
		m.BodyStructure = p.body()
		p.expectSP()
		m.NumLines = int64(p.number())
		bs.MessageRFC822 = m
	case bs.Type == "text" && p.peek() == ' ':
		p.sp()
		bs.Text = &imap.BodyStructureText{NumLines: int64(p.number())}
	}
	if p.err != nil {
		return nil
	}
	if p.sp() && p.peek() != ')' {
		ext := &imap.BodyStructureSinglePartExt{}
		p.nstring() // MD5
		if p.sp() && p.peek() != ')' {
			ext.Disposition = p.disposition()
		}
		bs.Extended = ext
	}
	p.skipRest()
	return bs
}

// skipRest skips any remaining extension values and the closing ')'.
func (p *parser) skipRest() {
	for p.err == nil {
		p.skipSpaces()
		if p.accept(')') {
			return
		}
		if p.atEnd() {
			p.fail("unterminated body structure")
			return
		}
		p.skipValue()
	}
}

func (p *parser) bodyParams() map[string]string {
	if p.nil_() {
		return nil
	}
	if p.peek() != '(' {
		p.fail("expected body parameters")
		return nil
	}
	p.i++
	m := map[string]string{}
	for p.err == nil {
		p.skipSpaces()
		if p.accept(')') {
			return m
		}
		if p.atEnd() {
			p.fail("unterminated body parameters")
			return nil
		}
		k, _ := p.nstring()
		p.expectSP()
		v, _ := p.nstring() // quirk: ("boundary" NIL) from mail.ru
		if len(m) < 64 {
			m[strings.ToLower(string(k))] = decodeWords(string(v))
		}
	}
	return nil
}

func (p *parser) disposition() *imap.BodyStructureDisposition {
	if p.nil_() {
		return nil
	}
	if p.peek() != '(' {
		// Some servers send a bare string here; skip it.
		p.skipValue()
		return nil
	}
	p.i++
	d := &imap.BodyStructureDisposition{}
	v, _ := p.nstring()
	d.Value = strings.ToLower(string(v))
	p.skipSpaces()
	if p.peek() != ')' {
		d.Params = p.bodyParams()
	}
	p.skipSpaces()
	p.expect(')')
	return d
}
