package jmap

// The fast decoders of the listing's responses: Email/query and Email/get
// arguments read by the scanner (decode_scan.go) straight into
// queryResponse and emailGet, with exactly the results of encoding/json
// into the same structs (FuzzFastDecode checks it), or a refusal, after
// which DecodeInto decodes with encoding/json.

// emailFields are the JSON names of Email's fields, in the order of the
// bits of emailObject's seen mask.
var emailFields = [...]string{"id", "blobId", "messageId", "keywords", "mailboxIds", "subject", "from", "to", "cc", "replyTo",
	"inReplyTo", "references", "sentAt", "receivedAt", "size", "hasAttachment",
	rawFrom, rawTo, rawCc, rawReplyTo, rawSubject, rawDate, rawMessageID, rawInReplyTo, rawReferences}

// maxListHint bounds the list capacity a hint reserves.
const maxListHint = 4096

// emailObject reads one Email object (or null, the zero Email).
func (s *scanner) emailObject(e *Email) bool {
	if s.null() {
		return true
	}
	var seen uint32
	return s.members(func(k []byte) bool {
		f := -1
		for i, n := range emailFields {
			if string(k) == n {
				f = i
				break
			}
		}
		if f < 0 {
			return !foldsTo(k, emailFields[:]...) && s.skip(0)
		}
		if seen&(1<<f) != 0 {
			return false // a duplicate: encoding/json would merge
		}
		seen |= 1 << f
		ok := true
		switch f {
		case 0:
			e.ID, ok = s.optStr()
		case 1:
			e.BlobID, ok = s.optStr()
		case 2:
			e.MessageID, ok = s.strings()
		case 3:
			e.Keywords, ok = s.boolSet()
		case 4:
			e.MailboxIDs, ok = s.boolSet()
		case 5:
			e.Subject, ok = s.optStr()
		case 6:
			e.From, ok = s.addresses()
		case 7:
			e.To, ok = s.addresses()
		case 8:
			e.Cc, ok = s.addresses()
		case 9:
			e.ReplyTo, ok = s.addresses()
		case 10:
			e.InReplyTo, ok = s.strings()
		case 11:
			e.References, ok = s.strings()
		case 12:
			e.SentAt, ok = s.optStr()
		case 13:
			e.ReceivedAt, ok = s.optStr()
		case 14:
			if !s.null() {
				e.Size, ok = s.integer()
			}
		case 15:
			if !s.null() {
				var b bool
				b, ok = s.boolean()
				e.HasAttachment = &b
			}
		default:
			raw := [...]*[]string{&e.RawFrom, &e.RawTo, &e.RawCc, &e.RawReplyTo, &e.RawSubject, &e.RawDate,
				&e.RawMessageID, &e.RawInReplyTo, &e.RawReferences}
			*raw[f-16], ok = s.strings()
		}
		return ok
	})
}

// addresses reads an array of EmailAddress objects or null (nil).
func (s *scanner) addresses() ([]EmailAddress, bool) {
	if s.null() {
		return nil, true
	}
	var tmp []EmailAddress
	var buf [4]EmailAddress
	tmp = buf[:0]
	ok := s.elements(func() bool {
		var a EmailAddress
		if s.null() {
			tmp = append(tmp, a)
			return true
		}
		var seen uint8
		ok := s.members(func(k []byte) bool {
			var ok bool
			switch {
			case string(k) == "name" && seen&1 == 0:
				seen |= 1
				a.Name, ok = s.optStr()
			case string(k) == "email" && seen&2 == 0:
				seen |= 2
				a.Email, ok = s.optStr()
			default:
				ok = !foldsTo(k, "name", "email") && s.skip(0)
			}
			return ok
		})
		tmp = append(tmp, a)
		return ok
	})
	if !ok {
		return nil, false
	}
	return keep(&s.addrs, tmp), true
}

// emailGetArgs reads the arguments of an Email/get response.
func (s *scanner) emailGetArgs(g *emailGet) bool {
	var seen uint8
	return s.members(func(k []byte) bool {
		ok := false
		switch {
		case string(k) == "state" && seen&1 == 0:
			seen |= 1
			g.State, ok = s.optStr()
		case string(k) == "list" && seen&2 == 0:
			seen |= 2
			if s.null() {
				return true
			}
			g.List = make([]Email, 0, min(s.listHint, maxListHint))
			ok = s.elements(func() bool {
				g.List = append(g.List, Email{})
				return s.emailObject(&g.List[len(g.List)-1])
			})
		case string(k) == "notFound" && seen&4 == 0:
			seen |= 4
			g.NotFound, ok = s.strings()
		default:
			ok = !foldsTo(k, "state", "list", "notFound") && s.skip(0)
		}
		return ok
	})
}

// queryArgs reads the arguments of an Email/query response.
func (s *scanner) queryArgs(q *queryResponse) bool {
	var seen uint8
	optInt := func(p **int) bool {
		if s.null() {
			return true
		}
		n, ok := s.integer()
		v := int(n)
		*p = &v
		return ok
	}
	return s.members(func(k []byte) bool {
		ok := true
		switch {
		case string(k) == "queryState" && seen&1 == 0:
			seen |= 1
			q.QueryState, ok = s.optStr()
		case string(k) == "canCalculateChanges" && seen&2 == 0:
			seen |= 2
			if !s.null() {
				q.CanCalculateChanges, ok = s.boolean()
			}
		case string(k) == "position" && seen&4 == 0:
			seen |= 4
			if !s.null() {
				var n int64
				n, ok = s.integer()
				q.Position = int(n)
			}
		case string(k) == "ids" && seen&8 == 0:
			seen |= 8
			if q.IDs, ok = s.strings(); ok {
				s.listHint = len(q.IDs)
			}
		case string(k) == "total" && seen&16 == 0:
			seen |= 16
			ok = optInt(&q.Total)
		case string(k) == "limit" && seen&32 == 0:
			seen |= 32
			ok = optInt(&q.Limit)
		default:
			ok = !foldsTo(k, "queryState", "canCalculateChanges", "position", "ids", "total", "limit") && s.skip(0)
		}
		return ok
	})
}

// decodeFast is DecodeInto's fast path for the targets it knows
// (*queryResponse and *emailGet, zero-valued): sure is false when it could
// not decide, and DecodeInto then decodes with encoding/json; otherwise
// state and ok are DecodeInto's answer and the targets are filled as
// encoding/json would fill them.
func decodeFast(body []byte, names, ids []string, targets []any) (state string, ok, sure bool) {
	for _, t := range targets {
		switch t := t.(type) {
		case *queryResponse:
			if t.QueryState != "" || t.CanCalculateChanges || t.Position != 0 || t.IDs != nil || t.Total != nil || t.Limit != nil {
				return "", false, false
			}
		case *emailGet:
			if t.State != "" || t.List != nil || t.NotFound != nil {
				return "", false, false
			}
		default:
			return "", false, false
		}
	}
	// Decode into fresh values, copied to the targets only once sure: a
	// refusal leaves the targets zero for encoding/json.
	fresh := make([]any, len(targets))
	readers := make([]func(s *scanner) bool, len(targets))
	for i, t := range targets {
		switch t.(type) {
		case *queryResponse:
			q := new(queryResponse)
			fresh[i] = q
			readers[i] = func(s *scanner) bool { return s.queryArgs(q) }
		case *emailGet:
			g := new(emailGet)
			fresh[i] = g
			readers[i] = func(s *scanner) bool { return s.emailGetArgs(g) }
		}
	}
	s := &scanner{b: body}
	gotNames := make([]string, len(targets))
	gotIDs := make([]string, len(targets))
	n := 0
	var seen uint8
	whole := s.members(func(k []byte) bool {
		switch {
		case string(k) == "methodResponses" && seen&1 == 0:
			seen |= 1
			if s.null() {
				return false
			}
			return s.elements(func() bool {
				if n >= len(targets) {
					return false // encoding/json appends; DecodeInto says false
				}
				var ok bool
				if !s.eat('[') || s.null() {
					return false
				}
				if gotNames[n], ok = s.str(); !ok || !s.eat(',') || s.null() || !readers[n](s) || !s.eat(',') || s.null() {
					return false
				}
				if gotIDs[n], ok = s.str(); !ok || !s.eat(']') {
					return false
				}
				n++
				return true
			})
		case string(k) == "sessionState" && seen&2 == 0:
			seen |= 2
			var ok bool
			state, ok = s.optStr()
			return ok
		default:
			return !foldsTo(k, "methodResponses", "sessionState") && s.skip(0)
		}
	})
	if !whole || !s.end() || seen&1 == 0 {
		return "", false, false
	}
	if n != len(targets) {
		return "", false, true
	}
	for i := range targets {
		if gotNames[i] != names[i] || gotIDs[i] != ids[i] {
			return "", false, true
		}
	}
	for i, t := range targets {
		switch t := t.(type) {
		case *queryResponse:
			*t = *fresh[i].(*queryResponse)
		case *emailGet:
			*t = *fresh[i].(*emailGet)
		}
	}
	return state, true, true
}

// decodeArgsFast is Responses.Decode's fast path: the arguments of an
// Email/get response into a zero-valued *emailGet, as json.Unmarshal
// would; false leaves v untouched for encoding/json.
func decodeArgsFast(args []byte, v any) bool {
	g, ok := v.(*emailGet)
	if !ok || g.State != "" || g.List != nil || g.NotFound != nil {
		return false
	}
	var fresh emailGet
	s := &scanner{b: args}
	if s.null() || !s.emailGetArgs(&fresh) || !s.end() {
		return false
	}
	*g = fresh
	return true
}
