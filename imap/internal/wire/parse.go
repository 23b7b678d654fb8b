package wire

import (
	"bytes"

	"github.com/emersion/go-imap/v2"
)

// Parse decodes one complete response as returned by Reader.Next. Unknown
// untagged responses are returned as KindOther, not as errors; only a
// response whose framing or known grammar is broken gives a *SyntaxError.
func Parse(raw []byte) (*Response, error) {
	p := &parser{b: raw}
	r := p.response()
	if p.err != nil {
		return nil, p.err
	}
	return r, nil
}

func (p *parser) response() *Response {
	r := &Response{}
	switch {
	case p.accept('+'):
		r.Kind = KindContinuation
		p.accept(' ')
		r.Text = p.rest()
		return r
	case p.accept('*'):
		p.expectSP()
		p.untagged(r)
		return r
	}
	tag := p.atom()
	if p.err != nil {
		return nil
	}
	r.Tag = string(tag)
	p.expectSP()
	r.Kind = KindStatus
	r.Status = p.status(upper(p.atom()))
	if r.Status != nil && r.Status.Type != OK && r.Status.Type != NO && r.Status.Type != BAD {
		p.fail("tagged response is not OK, NO or BAD")
	}
	return r
}

func (p *parser) untagged(r *Response) {
	if c := p.peek(); c >= '0' && c <= '9' {
		n := p.number32()
		p.expectSP()
		name := upper(p.atom())
		r.Num = n
		switch name {
		case "EXISTS":
			r.Kind = KindExists
		case "RECENT":
			r.Kind = KindRecent
		case "EXPUNGE":
			r.Kind = KindExpunge
		case "FETCH":
			r.Kind = KindFetch
			p.expectSP()
			r.Fetch = p.fetch(n)
		default:
			r.Kind = KindOther
			r.Name = name
		}
		return
	}
	name := upper(p.atom())
	switch name {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		r.Kind = KindStatus
		r.Status = p.status(name)
	case "CAPABILITY":
		r.Kind = KindCapability
		r.Caps = p.capList()
	case "ENABLED":
		r.Kind = KindEnabled
		r.Caps = p.capList()
	case "LIST", "LSUB":
		r.Kind = KindList
		p.expectSP()
		r.List = p.listData()
	case "STATUS":
		r.Kind = KindStatusData
		p.expectSP()
		r.StatusData = p.statusData()
	case "FLAGS":
		r.Kind = KindFlags
		p.skipSpaces()
		r.Flags = p.flagList()
	case "SEARCH", "SORT":
		r.Kind = KindSearch
		if name == "SORT" {
			r.Kind = KindSort
		}
		r.Nums, r.ModSeq = p.searchNums()
	case "ESEARCH":
		r.Kind = KindESearch
		r.ESearch = p.esearch()
	case "ID":
		r.Kind = KindID
		p.skipSpaces()
		r.ID = p.idParams()
	case "VANISHED":
		r.Kind = KindVanished
		r.Vanished = p.vanished()
	default:
		r.Kind = KindOther
		r.Name = name
		p.rest()
	}
}

// status reads the rest of a status response after its condition.
func (p *parser) status(cond string) *Status {
	s := &Status{Type: StatusType(cond)}
	switch s.Type {
	case OK, NO, BAD, BYE, PREAUTH:
	default:
		p.fail("unknown status condition")
		return nil
	}
	// RFC 3501 requires a space and a text; servers omit both (quirk).
	if !p.sp() {
		return s
	}
	if p.peek() == '[' {
		p.i++
		p.respCode(s)
		p.skipSpaces()
	}
	s.Text = string(p.rest())
	return s
}

func (p *parser) respCode(s *Status) {
	code := upper(p.atomWith(""))
	if p.err != nil {
		return
	}
	s.Code = imap.ResponseCode(code)
	start := p.i
	switch code {
	case "CAPABILITY":
		s.Caps = p.capList()
	case "PERMANENTFLAGS":
		p.expectSP()
		s.PermanentFlags = p.flagList()
	case "UIDVALIDITY":
		p.expectSP()
		s.UIDValidity = p.number32()
	case "UIDNEXT":
		p.expectSP()
		s.UIDNext = imap.UID(p.number32())
	case "UNSEEN":
		p.expectSP()
		s.Unseen = p.number32()
	case "HIGHESTMODSEQ":
		p.expectSP()
		s.HighestModSeq = p.number()
	case "APPENDUID":
		p.expectSP()
		s.UIDValidity = p.number32()
		p.expectSP()
		s.AppendUIDs = p.uidSet()
		if len(s.AppendUIDs) > 0 {
			s.AppendUID = s.AppendUIDs[0].Start
		}
	case "COPYUID":
		p.expectSP()
		c := &imap.CopyData{UIDValidity: p.number32()}
		p.expectSP()
		c.SourceUIDs = p.uidSet()
		p.expectSP()
		c.DestUIDs = p.uidSet()
		s.Copy = c
	case "MODIFIED":
		p.expectSP()
		s.Modified = p.uidSet()
	default:
		// Skip to the closing bracket; Outlook puts quoted strings here.
		for p.i < len(p.b) && p.b[p.i] != ']' && p.b[p.i] != '\r' && p.b[p.i] != '\n' {
			if p.b[p.i] == '"' {
				p.quoted()
				if p.err != nil {
					return
				}
				continue
			}
			p.i++
		}
		s.Arg = string(trimSpace(p.b[start:p.i]))
	}
	if p.err != nil {
		// A broken code argument: keep the condition, drop the code, and
		// say which code broke.
		s.BadCode, s.CodeErr = s.Code, p.err
		p.err = nil
		s.Code = ""
		for p.i < len(p.b) && p.b[p.i] != ']' && p.b[p.i] != '\r' && p.b[p.i] != '\n' {
			p.i++
		}
	}
	p.skipSpaces()
	p.accept(']')
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// Bounds on the items kept from one list, so that the work and memory a
// hostile line costs stay a small multiple of its length whatever it holds
// (a CAPABILITY of a million one-letter atoms would otherwise cost 40 times
// its size in slice headers). Items past a bound are parsed and dropped.
const (
	// MaxCaps bounds the capabilities kept from one CAPABILITY or ENABLED
	// list; real servers send fewer than 100.
	MaxCaps = 1024
	// MaxFlags bounds the flags kept from one flag list (FLAGS,
	// PERMANENTFLAGS, a message's FLAGS, LIST attributes).
	MaxFlags = 4096
)

// capList reads " cap cap ..." up to ']' or the line end, keeping at most
// MaxCaps of them.
func (p *parser) capList() []imap.Cap {
	var caps []imap.Cap
	for p.sp() {
		if p.atEnd() || p.peek() == ']' {
			break
		}
		a := p.atom()
		if len(caps) < MaxCaps {
			caps = append(caps, imap.Cap(upper(a)))
		}
	}
	return caps
}

// flagList reads "(flag flag ...)", keeping at most MaxFlags of them.
// `\*` is accepted.
func (p *parser) flagList() []imap.Flag {
	p.expect('(')
	var flags []imap.Flag
	for p.err == nil {
		p.skipSpaces()
		if p.accept(')') {
			return flags
		}
		if p.atEnd() {
			p.fail("unterminated flag list")
			return nil
		}
		if len(flags) < MaxFlags {
			flags = append(flags, imap.Flag(p.flag()))
		} else {
			p.skipFlag()
		}
	}
	return nil
}

// skipFlag reads a flag without keeping it.
func (p *parser) skipFlag() {
	p.accept('\\')
	if !p.accept('*') {
		p.atomWith("]")
	}
}

func (p *parser) flag() string {
	s := p.i
	p.accept('\\')
	if p.accept('*') {
		return `\*`
	}
	p.atomWith("]")
	return internFlag(p.b[s:p.i])
}

var commonFlags = map[string]string{}

func init() {
	for _, f := range []string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`, "$Forwarded", "$Junk", "$NotJunk", "$MDNSent", "$Phishing", "$Important",
		`\seen`, `\answered`, `\flagged`, `\deleted`, `\draft`, `\recent`, `\Noselect`, `\HasChildren`, `\HasNoChildren`, `\NonExistent`, `\Subscribed`,
		`\Sent`, `\Drafts`, `\Trash`, `\Junk`, `\Archive`, `\All`, `\Flagged`, `\Important`, `\Marked`, `\Unmarked`, `\NoInferiors`} {
		commonFlags[f] = f
	}
}

func internFlag(b []byte) string {
	if f, ok := commonFlags[string(b)]; ok {
		return f
	}
	return string(b)
}

// listData reads "(attrs) delim mailbox [ext]" (RFC 3501 7.2.2, RFC 5258).
// The mailbox name is returned as sent (modified UTF-7 unless UTF-8 was
// enabled); the caller decodes it.
func (p *parser) listData() *imap.ListData {
	d := &imap.ListData{}
	for _, f := range p.flagList() {
		d.Attrs = append(d.Attrs, imap.MailboxAttr(f))
	}
	p.expectSP()
	if !p.nil_() {
		q := p.quoted()
		if len(q) > 0 {
			d.Delim = rune(q[0])
		}
	}
	p.expectSP()
	d.Mailbox = string(p.astring())
	if p.err != nil {
		return nil
	}
	p.skipSpaces()
	if p.peek() == '(' {
		// Extended data (CHILDINFO, OLDNAME): skip, tolerating anything.
		p.skipList()
		p.err = nil
	}
	return d
}

// statusData reads "mailbox (item value ...)".
func (p *parser) statusData() *imap.StatusData {
	d := &imap.StatusData{Mailbox: string(p.astring())}
	p.skipSpaces()
	if p.atEnd() {
		return d // mail.163.com sends no list at all
	}
	p.expect('(')
	for p.err == nil {
		p.skipSpaces()
		if p.accept(')') {
			break
		}
		if p.atEnd() {
			p.fail("unterminated STATUS list")
			break
		}
		item := upper(p.atom())
		p.expectSP()
		n := p.number()
		if p.err != nil {
			break
		}
		v := uint32(min(n, 0xffffffff))
		switch item {
		case "MESSAGES":
			d.NumMessages = &v
		case "RECENT":
			d.NumRecent = &v
		case "UIDNEXT":
			d.UIDNext = imap.UID(v)
		case "UIDVALIDITY":
			d.UIDValidity = v
		case "UNSEEN":
			d.NumUnseen = &v
		case "DELETED":
			d.NumDeleted = &v
		case "SIZE":
			sz := int64(min(n, 1<<62))
			d.Size = &sz
		case "HIGHESTMODSEQ":
			d.HighestModSeq = n
		case "APPENDLIMIT":
			d.AppendLimit = &v
		}
	}
	if p.err != nil {
		return nil
	}
	return d
}

// searchNums reads " n n n [(MODSEQ m)]".
func (p *parser) searchNums() ([]uint32, uint64) {
	// One number per space at most: sized once, so that a long result
	// costs its final size, not the five times append's growth would.
	var nums []uint32
	// Each number takes a space and a digit at least.
	if n := min(bytes.Count(p.b[p.i:], []byte{' '}), (len(p.b)-p.i)/2+1); n > 16 {
		nums = make([]uint32, 0, n)
	}
	var modseq uint64
	for p.sp() {
		if p.atEnd() {
			break
		}
		if p.accept('(') {
			if upper(p.atom()) == "MODSEQ" {
				p.expectSP()
				modseq = p.number()
			}
			p.expect(')')
			continue
		}
		nums = append(nums, p.number32())
		if p.err != nil {
			return nil, 0
		}
	}
	return nums, modseq
}

// esearch reads "[(TAG "t")] [UID] (name value)*".
func (p *parser) esearch() *ESearch {
	e := &ESearch{}
	for p.sp() {
		if p.atEnd() {
			break
		}
		if p.accept('(') {
			if upper(p.atom()) == "TAG" {
				p.expectSP()
				e.Tag = string(p.astring())
			}
			for p.err == nil && !p.accept(')') {
				if p.atEnd() {
					p.fail("unterminated ESEARCH correlator")
					return nil
				}
				p.i++
			}
			continue
		}
		name := upper(p.atom())
		if name == "UID" {
			e.UID = true
			continue
		}
		p.expectSP()
		switch name {
		case "MIN":
			e.Min = p.number32()
		case "MAX":
			e.Max = p.number32()
		case "COUNT":
			n := p.number32()
			e.Count = &n
		case "ALL":
			e.All = p.uidSet()
		case "MODSEQ":
			e.ModSeq = p.number()
		default:
			p.skipValue()
		}
		if p.err != nil {
			return nil
		}
	}
	return e
}

func (p *parser) vanished() *Vanished {
	v := &Vanished{}
	p.expectSP()
	if p.accept('(') {
		if upper(p.atom()) == "EARLIER" {
			v.Earlier = true
		}
		p.expect(')')
		p.expectSP()
	}
	v.UIDs = p.uidSet()
	return v
}

// idParams reads "NIL" or "(key value ...)" (RFC 2971).
func (p *parser) idParams() map[string]string {
	m := map[string]string{}
	if p.nil_() {
		return m
	}
	p.expect('(')
	for p.err == nil {
		p.skipSpaces()
		if p.accept(')') {
			break
		}
		if p.atEnd() {
			p.fail("unterminated ID list")
			return nil
		}
		k, _ := p.nstring()
		p.expectSP()
		v, _ := p.nstring()
		if len(m) < 64 {
			m[string(k)] = string(v)
		}
	}
	return m
}

// uidSet reads a sequence set of UIDs ("1:4,7,9:*"; "*" reads as 0).
func (p *parser) uidSet() imap.UIDSet {
	var set imap.UIDSet
	for p.err == nil {
		a := p.setNum()
		b := a
		if p.accept(':') {
			b = p.setNum()
		}
		if p.err != nil {
			return nil
		}
		if (a != 0 && b != 0 && b < a) || (a == 0 && b != 0) {
			// "4:2" is "2:4", and "*:2" is "2:*" (RFC 3501 section 9),
			// the form imap.UIDSet expects.
			a, b = b, a
		}
		if len(set) >= 1<<16 {
			p.fail("too many ranges in a set")
			return nil
		}
		set = append(set, imap.UIDRange{Start: imap.UID(a), Stop: imap.UID(b)})
		if !p.accept(',') {
			break
		}
	}
	return set
}

func (p *parser) setNum() uint32 {
	if p.accept('*') {
		return 0
	}
	n := p.number32()
	if n == 0 && p.err == nil {
		// RFC 3501 section 9: seq-number is nz-number or "*"; a 0 would
		// read as "*" here.
		p.fail("0 in a sequence set")
	}
	return n
}

// ParseUIDSet parses a sequence set such as "1:4,7,9:*"; "*" reads as 0.
func ParseUIDSet(s string) (imap.UIDSet, error) {
	p := &parser{b: []byte(s)}
	set := p.uidSet()
	if p.err == nil && !p.eof() {
		p.fail("trailing bytes after a set")
	}
	if p.err != nil {
		return nil, p.err
	}
	return set, nil
}
