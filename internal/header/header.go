package header

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/ioemail/ioemail/email"
)

// Summary is what Scan extracts from a message head.
type Summary struct {
	MessageID    string          // normalised, without angle brackets
	Subject      string          // RFC 2047 decoded
	From, To, Cc []email.Address // decoded; groups flattened
	ReplyTo      []email.Address // decoded; groups flattened
	// InReplyTo and References are the message ids of those fields,
	// normalised as MessageID, in order, at most MaxIDs each.
	InReplyTo, References []string
	Date                  time.Time // zero when missing or unparseable
	HasAttachment         bool      // by the rule documented on Scan
	// BodyOffset is the index of the first body byte in the scanned data,
	// or -1 when the end of the header was not within it.
	BodyOffset int
}

// The fields Scan keeps, as indexes into its table of raw values.
const (
	fieldOther = iota
	fieldSubject
	fieldFrom
	fieldTo
	fieldCc
	fieldDate
	fieldMessageID
	fieldReplyTo
	fieldInReplyTo
	fieldReferences
	fieldContentType
	fieldContentDisposition
	fieldCount
)

// Scan extracts the envelope fields from head, which may be a whole message
// or only its first bytes. It never fails: missing or broken fields are left
// empty (best effort). When a field occurs more than once, the first one
// counts. When head holds no blank line, every field in it is scanned (a
// message may consist of a header alone) and BodyOffset is -1; a caller that
// read only a prefix of a file may then read more and scan again.
//
// The fields are decoded as follows: Subject by [DecodeWords]; From, To and
// Cc and Reply-To by [ParseAddressList]; Date by [ParseDate] (zero when it
// fails); Message-ID by taking what lies between the first '<' and the next
// '>' (or the whole value when it has no angle brackets), without white
// space or comments; In-Reply-To and References as lists of such ids (RFC
// 5322 section 3.6.4), each '<'...'>' one id, at most MaxIDs kept (the
// first ones).
//
// HasAttachment follows this rule, which sees only head:
//
//   - true when the top-level Content-Disposition is "attachment";
//   - for a top-level Content-Type of multipart/mixed: true when one of its
//     direct body parts visible in head is an attachment (its
//     Content-Disposition is "attachment", or it is a leaf that is not
//     text/*, not multipart/* and not marked "inline"), and also true when
//     head ends before the closing boundary without showing such a part (a
//     multipart/mixed message usually carries one); false when head shows
//     the whole multipart/mixed body and none of its parts is an attachment;
//   - false otherwise: single-part messages, multipart/alternative,
//     multipart/related (inline images) and multipart/signed wrappers.
func Scan(head []byte) Summary {
	var raw [fieldCount][]byte
	var seen [fieldCount]bool
	var s Summary
	if slowPaths {
		s.BodyOffset = walkFields(head, &raw, &seen)
	} else {
		s.BodyOffset = keptFields(head, &raw, &seen)
	}
	if seen[fieldDate] {
		var ok bool
		if !slowPaths {
			s.Date, ok = fastDate(raw[fieldDate])
		}
		if !ok {
			s.Date, _ = parseDate(raw[fieldDate])
		}
	}
	s.HasAttachment = hasAttachment(raw[fieldContentType], raw[fieldContentDisposition], head, s.BodyOffset)

	// The strings share one allocation: they are written to an arena,
	// converted once, and sliced.
	sc := getScratch()
	defer putScratch(sc)
	var id, subject [2]int
	var lists [4][2]int // span ranges of From, To, Cc, Reply-To
	if seen[fieldMessageID] {
		id[0] = len(sc.arena)
		sc.arena = appendMessageID(sc.arena, raw[fieldMessageID])
		id[1] = len(sc.arena)
	}
	if seen[fieldSubject] {
		subject[0] = len(sc.arena)
		sc.arena = appendText(sc.arena, raw[fieldSubject])
		subject[1] = len(sc.arena)
	}
	var idLists [2][2]int // ranges in sc.ids of In-Reply-To, References
	for i, k := range [...]int{fieldInReplyTo, fieldReferences} {
		idLists[i][0] = len(sc.ids)
		if seen[k] {
			sc.arena, sc.ids = appendMessageIDs(sc.arena, sc.ids, raw[k])
		}
		idLists[i][1] = len(sc.ids)
	}
	for i, k := range [...]int{fieldFrom, fieldTo, fieldCc, fieldReplyTo} {
		lists[i][0] = len(sc.spans)
		if seen[k] {
			appendAddressList(sc, raw[k])
		}
		lists[i][1] = len(sc.spans)
	}
	spans := sc.spans
	str := string(sc.arena)
	s.MessageID = str[id[0]:id[1]]
	s.Subject = str[subject[0]:subject[1]]
	if len(spans) > 0 {
		addrs := make([]email.Address, len(spans))
		for i, sp := range spans {
			addrs[i] = sp.address(str)
		}
		for i, l := range [...]*[]email.Address{&s.From, &s.To, &s.Cc, &s.ReplyTo} {
			if a, b := lists[i][0], lists[i][1]; b > a {
				*l = addrs[a:b:b]
			}
		}
	}
	if len(sc.ids) > 0 {
		// One array holds both lists.
		ids := make([]string, len(sc.ids))
		for j, sp := range sc.ids {
			ids[j] = str[sp[0]:sp[1]]
		}
		for i, l := range [...]*[]string{&s.InReplyTo, &s.References} {
			if a, b := idLists[i][0], idLists[i][1]; b > a {
				*l = ids[a:b:b]
			}
		}
	}
	return s
}

// walkFields sets raw[k] to the value of the first field of each kind k
// of head, and seen[k] when there is one, through the walker of Fields. It
// returns the body offset. It is the general way that keptFields shortens.
func walkFields(head []byte, raw *[fieldCount][]byte, seen *[fieldCount]bool) int {
	w := walker{data: head}
	for {
		name, value, ok := w.next()
		if !ok {
			return w.bodyOffset
		}
		if k := fieldKind(name); k != fieldOther && !seen[k] {
			seen[k] = true
			raw[k] = value
		}
	}
}

// keptFields does what walkFields does with less work per field: the name
// is read and checked in one pass over its bytes (a valid name lies within
// the first line), and a field Scan does not keep is skipped line by line
// without looking at its value.
func keptFields(data []byte, raw *[fieldCount][]byte, seen *[fieldCount]bool) int {
	pos := 0
	for {
		if pos >= len(data) {
			return -1
		}
		if n := blankLine(data, pos); n > 0 {
			return n
		}
		start := pos
		k := fieldOther
		i := start
		// Only the names Scan keeps are read; any other is skipped
		// without reading it to its end.
		if keptFirst[data[start]] {
			k, i = keptName(data, start)
		}
		if k == fieldOther || seen[k] {
			// Skip to the first line start not followed by white space.
			for {
				j := bytes.IndexByte(data[pos:], '\n')
				if j < 0 {
					pos = len(data)
					break
				}
				pos += j + 1
				if pos >= len(data) || (data[pos] != ' ' && data[pos] != '\t') {
					break
				}
			}
			continue
		}
		end, next := lineEnd(data, start)
		for next < len(data) && (data[next] == ' ' || data[next] == '\t') {
			end, next = lineEnd(data, next)
		}
		pos = next
		seen[k] = true
		raw[k] = data[i+1 : end]
	}
}

// keptNames lists the names Scan keeps by their first letter, in lower
// case, each as 8-byte words to compare a head with.
var keptNames = func() (t [26][]keptEntry) {
	for _, e := range []struct {
		name string
		kind int
	}{
		{"to", fieldTo}, {"cc", fieldCc}, {"from", fieldFrom}, {"date", fieldDate},
		{"subject", fieldSubject}, {"reply-to", fieldReplyTo}, {"message-id", fieldMessageID},
		{"references", fieldReferences}, {"in-reply-to", fieldInReplyTo},
		{"content-type", fieldContentType}, {"content-disposition", fieldContentDisposition},
	} {
		k := keptEntry{n: len(e.name), kind: e.kind}
		for i := 0; i < len(e.name); i++ {
			w, shift := i/8, uint(i%8)*8
			k.want[w] |= uint64(e.name[i]) << shift
			k.mask[w] |= 0xff << shift
			if e.name[i] != '-' {
				k.fold[w] |= 0x20 << shift
			}
		}
		t[e.name[0]-'a'] = append(t[e.name[0]-'a'], k)
	}
	return t
}()

// keptEntry is a kept name as up to three little-endian 8-byte words: a
// head's bytes b match when b&mask|fold == want word by word (fold sets
// the lower-case bit of the letters only, so a '-' must match exactly).
type keptEntry struct {
	want, mask, fold [3]uint64
	n, kind          int
}

// keptName returns the kind of the field that starts at data[start] when
// its name is one Scan keeps (ASCII case-insensitively, white space allowed
// before the colon), with the index of its colon; else fieldOther. It
// gives what reading the whole name and calling fieldKind gives, reading
// no further than the longest kept name that could match.
func keptName(data []byte, start int) (kind, colon int) {
	c := data[start] | 0x20
	if c < 'a' || c > 'z' || len(data)-start < 25 {
		return keptNameShort(data, start)
	}
	b := data[start : start+24]
	w0, w1, w2 := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:16]), binary.LittleEndian.Uint64(b[16:24])
	list := keptNames[c-'a']
	for i := range list {
		e := &list[i]
		if w0&e.mask[0]|e.fold[0] != e.want[0] || w1&e.mask[1]|e.fold[1] != e.want[1] || w2&e.mask[2]|e.fold[2] != e.want[2] {
			continue
		}
		return keptColon(data, start+e.n, e.kind)
	}
	return fieldOther, start
}

// keptNameShort is keptName near the end of data, byte by byte.
func keptNameShort(data []byte, start int) (kind, colon int) {
	i := start
	for i < len(data) && nameByte[data[i]] {
		i++
	}
	k := fieldKind(data[start:i])
	if k == fieldOther {
		return fieldOther, start
	}
	return keptColon(data, i, k)
}

// keptColon returns kind and the index of the colon when data[end:] holds
// white space and a colon after a kept name, else fieldOther: a name byte
// right after it means a longer name.
func keptColon(data []byte, end, kind int) (int, int) {
	if end >= len(data) || nameByte[data[end]] {
		return fieldOther, end
	}
	for end < len(data) && (data[end] == ' ' || data[end] == '\t') {
		end++
	}
	if end < len(data) && data[end] == ':' {
		return kind, end
	}
	return fieldOther, end
}

// keptFirst marks the first letters of the names Scan keeps, in both
// cases; nameByte the bytes a field name may hold (printable US-ASCII but
// the colon).
var keptFirst, nameByte = func() (first, name [256]bool) {
	for _, c := range []byte("tcfdsrmi") {
		first[c], first[c-'a'+'A'] = true, true
	}
	for c := '!'; c < 0x7f; c++ {
		name[c] = c != ':'
	}
	return first, name
}()

// fieldKind classifies a field name, ASCII case-insensitively, without
// copying it.
func fieldKind(name []byte) int {
	if len(name) == 0 {
		return fieldOther
	}
	switch name[0] | 0x20 { // the first letter in lower case
	case 't', 'c', 'f', 'd', 's', 'r', 'm', 'i':
	default:
		return fieldOther
	}
	switch len(name) {
	case 2:
		if equalFold(name, "to") {
			return fieldTo
		}
		if equalFold(name, "cc") {
			return fieldCc
		}
	case 4:
		if equalFold(name, "from") {
			return fieldFrom
		}
		if equalFold(name, "date") {
			return fieldDate
		}
	case 7:
		if equalFold(name, "subject") {
			return fieldSubject
		}
	case 8:
		if equalFold(name, "reply-to") {
			return fieldReplyTo
		}
	case 10:
		if equalFold(name, "message-id") {
			return fieldMessageID
		}
		if equalFold(name, "references") {
			return fieldReferences
		}
	case 11:
		if equalFold(name, "in-reply-to") {
			return fieldInReplyTo
		}
	case 12:
		if equalFold(name, "content-type") {
			return fieldContentType
		}
	case 19:
		if equalFold(name, "content-disposition") {
			return fieldContentDisposition
		}
	}
	return fieldOther
}

// equalFold reports whether b equals lower, ASCII case-insensitively; lower
// must be in lower case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether b starts with lower, ASCII
// case-insensitively; lower must be in lower case.
func hasPrefixFold(b []byte, lower string) bool {
	return len(b) >= len(lower) && equalFold(b[:len(lower)], lower)
}

// Envelope returns the envelope fields the summary gives: MessageID,
// Subject, From and To (empty lists, never nil), Cc, ReplyTo, InReplyTo,
// References and Date. The backend fills in the rest (ID, Flags, Size,
// Received, HasAttachment). The slices are shared with s.
func (s Summary) Envelope() email.Envelope {
	e := email.Envelope{
		MessageID: s.MessageID, Subject: s.Subject, From: s.From, To: s.To,
		Cc: s.Cc, ReplyTo: s.ReplyTo, InReplyTo: s.InReplyTo, References: s.References,
		Date: s.Date,
	}
	if e.From == nil {
		e.From = []email.Address{}
	}
	if e.To == nil {
		e.To = []email.Address{}
	}
	return e
}
