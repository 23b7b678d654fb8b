package mailsync

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// The state file, version 2, is lines of tab-separated fields, read and
// written without reflection (a run with nothing changed reads the whole
// file: at 10,000 messages JSON took most of its CPU):
//
//	mailsync state 2
//	stores	<A's store>	<B's store>
//	box	<A name (the key)>	<name on A>	<name on B>	<A's diff state>	<B's diff state>	<a lines>	<b lines>	<p lines>
//	a	<id>	<Message-ID>	<size>	<date>	<subject>	<flags>	<received>   (A's view, by id)
//	b	...                                                                   (B's view)
//	p	<id on A>	<id on B>	<gone>	<base A>	<base B>	<known>	<Message-ID>	<size>	<date>	<subject>
//	end
//
// Strings escape backslash, tab, newline and carriage return with a
// backslash (\\ \t \n \r). Flags are their raw spellings joined by spaces;
// gone and known are two digits (0 or 1), A's then B's; a diff state is
// "-" for none, else "b" and its standard base64. Boxes come in key order.
// The closing "end" tells a complete file from a truncated one.
const stateMagic = "mailsync state 2"

// encodeState returns the version-2 encoding of st.
func encodeState(st *state) []byte {
	n := 64
	keys := make([]string, 0, len(st.Boxes))
	for k, bs := range st.Boxes {
		keys = append(keys, k)
		n += 128 + 80*(len(bs.View[A])+len(bs.View[B])) + 96*len(bs.Pairs)
	}
	slices.Sort(keys)
	b := make([]byte, 0, n)
	b = append(b, stateMagic...)
	b = append(b, "\nstores\t"...)
	b = appendEsc(b, st.Stores[A])
	b = append(b, '\t')
	b = appendEsc(b, st.Stores[B])
	b = append(b, '\n')
	for _, k := range keys {
		bs := st.Boxes[k]
		b = append(b, "box\t"...)
		b = appendEsc(b, k)
		for s := range Side(2) {
			b = append(b, '\t')
			b = appendEsc(b, bs.Name[s])
		}
		for s := range Side(2) {
			b = append(b, '\t')
			if bs.Diff[s] == nil {
				b = append(b, '-')
			} else {
				b = append(b, 'b')
				b = base64.StdEncoding.AppendEncode(b, bs.Diff[s])
			}
		}
		for _, c := range [3]int{len(bs.View[A]), len(bs.View[B]), len(bs.Pairs)} {
			b = append(b, '\t')
			b = strconv.AppendInt(b, int64(c), 10)
		}
		b = append(b, '\n')
		for s, tag := range [2]string{"a\t", "b\t"} {
			for _, m := range bs.View[s] {
				b = append(b, tag...)
				b = appendEsc(b, m.ID)
				b = append(b, '\t')
				b = appendEsc(b, m.MessageID)
				b = append(b, '\t')
				b = strconv.AppendInt(b, m.Size, 10)
				b = append(b, '\t')
				b = strconv.AppendInt(b, m.Date, 10)
				b = append(b, '\t')
				b = appendEsc(b, m.Subject)
				b = append(b, '\t')
				b = appendFlags(b, m.Flags)
				b = append(b, '\t')
				b = strconv.AppendInt(b, m.Received, 10)
				b = append(b, '\n')
			}
		}
		for _, p := range bs.Pairs {
			b = append(b, "p\t"...)
			b = appendEsc(b, p.ID[A])
			b = append(b, '\t')
			b = appendEsc(b, p.ID[B])
			b = append(b, '\t')
			b = appendBools(b, p.Gone)
			b = append(b, '\t')
			b = appendFlags(b, p.Base[A])
			b = append(b, '\t')
			b = appendFlags(b, p.Base[B])
			b = append(b, '\t')
			b = appendBools(b, p.Known)
			b = append(b, '\t')
			b = appendEsc(b, p.MessageID)
			b = append(b, '\t')
			b = strconv.AppendInt(b, p.Size, 10)
			b = append(b, '\t')
			b = strconv.AppendInt(b, p.Date, 10)
			b = append(b, '\t')
			b = appendEsc(b, p.Subject)
			b = append(b, '\n')
		}
	}
	return append(b, "end\n"...)
}

func appendBools(b []byte, v [2]bool) []byte {
	for _, x := range v {
		if x {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	return b
}

func appendFlags(b []byte, f flagList) []byte {
	for i, g := range f {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendEsc(b, g.Raw)
	}
	return b
}

// appendEsc appends s with backslash, tab, newline and carriage return
// escaped.
func appendEsc(b []byte, s string) []byte {
	clean := true
	for i := range len(s) {
		if c := s[i]; c == '\\' || c == '\t' || c == '\n' || c == '\r' {
			clean = false
			break
		}
	}
	if clean {
		return append(b, s...)
	}
	for i := range len(s) {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

var errStateSyntax = errors.New("bad line")

// unesc undoes appendEsc.
func unesc(f []byte) (string, error) {
	if bytes.IndexByte(f, '\\') < 0 {
		return string(f), nil
	}
	out := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(f) {
			return "", errStateSyntax
		}
		switch f[i] {
		case '\\':
			out = append(out, '\\')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		default:
			return "", errStateSyntax
		}
	}
	return string(out), nil
}

// stateDecoder reads a version-2 file; flags keeps each flag field
// already parsed (a store has few distinct flag sets).
type stateDecoder struct {
	flags  map[string]flagList
	fields [][]byte
	left   int    // newlines in the file
	counts [3]int // the current box's a, b and p lines, as its line says
}

// counted checks that box bs (nil before the first) had the lines its box
// line announced.
func (d *stateDecoder) counted(bs *boxState) error {
	if bs == nil {
		return nil
	}
	if got := [3]int{len(bs.View[A]), len(bs.View[B]), len(bs.Pairs)}; got != d.counts {
		return fmt.Errorf("%w: box with %v lines, not %v as announced", errStateSyntax, got, d.counts)
	}
	return nil
}

// decodeStateV2 decodes b, which starts with stateMagic.
func decodeStateV2(b []byte) (*state, error) {
	d := &stateDecoder{flags: map[string]flagList{}, left: bytes.Count(b, []byte{'\n'})}
	st := newState()
	var bs *boxState
	line, rest, _ := bytes.Cut(b, []byte{'\n'})
	if string(line) != stateMagic {
		return nil, fmt.Errorf("first line %q", line)
	}
	for n := 2; ; n++ {
		if len(rest) == 0 {
			return nil, errors.New("truncated: no end line")
		}
		var ok bool
		line, rest, ok = bytes.Cut(rest, []byte{'\n'})
		if !ok {
			return nil, fmt.Errorf("line %d: truncated", n)
		}
		if string(line) == "end" {
			if err := d.counted(bs); err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			if len(rest) > 0 {
				return nil, fmt.Errorf("line %d: data after the end", n+1)
			}
			return st, nil
		}
		var err error
		bs, err = d.line(st, bs, line, n)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
}

// line decodes one line into st; bs is the box the lines are of.
func (d *stateDecoder) line(st *state, bs *boxState, line []byte, n int) (*boxState, error) {
	tag, rest, _ := bytes.Cut(line, []byte{'\t'})
	d.fields = d.fields[:0]
	for {
		f, more, ok := bytes.Cut(rest, []byte{'\t'})
		d.fields = append(d.fields, f)
		if !ok {
			break
		}
		rest = more
	}
	f := d.fields
	if want := fieldCount(tag); want == 0 || len(f) != want {
		return nil, fmt.Errorf("%w: %q with %d fields", errStateSyntax, tag, len(f))
	}
	var err error
	str := func(i int) string {
		s, e := unesc(f[i])
		err = errors.Join(err, e)
		return s
	}
	num := func(i int) int64 {
		v, ok := parseNum(f[i])
		if !ok {
			err = errors.Join(err, fmt.Errorf("%w: number %q", errStateSyntax, f[i]))
		}
		return v
	}
	switch string(tag) {
	case "stores":
		if n != 2 {
			return nil, fmt.Errorf("%w: stores not second", errStateSyntax)
		}
		st.Stores = [2]string{str(0), str(1)}
		return nil, err
	case "box":
		if err := d.counted(bs); err != nil {
			return nil, err
		}
		key := str(0)
		bs = &boxState{Name: [2]string{str(1), str(2)}}
		for s := range Side(2) {
			bs.Diff[s], err = decodeDiff(f[3+s], err)
		}
		// The counts make room (within what the file can hold) and are
		// checked at the next box or the end.
		na, nb, np := num(5), num(6), num(7)
		if na < 0 || nb < 0 || np < 0 || na+nb+np > int64(d.left) {
			return nil, fmt.Errorf("%w: counts %d %d %d", errStateSyntax, na, nb, np)
		}
		bs.View[A], bs.View[B], bs.Pairs = make([]Msg, 0, na), make([]Msg, 0, nb), make([]Pair, 0, np)
		d.counts = [3]int{int(na), int(nb), int(np)}
		if _, dup := st.Boxes[key]; dup {
			err = errors.Join(err, fmt.Errorf("box %q twice", key))
		}
		st.Boxes[key] = bs
		return bs, err
	}
	if bs == nil {
		return nil, fmt.Errorf("%w: %q before any box", errStateSyntax, tag)
	}
	switch string(tag) {
	case "a", "b":
		m := Msg{ID: str(0), MessageID: str(1), Size: num(2), Date: num(3), Subject: str(4), Flags: d.flagsOf(f[5]), Received: num(6)}
		s := A
		if tag[0] == 'b' {
			s = B
		}
		bs.View[s] = append(bs.View[s], m)
	case "p":
		p := Pair{ID: [2]string{str(0), str(1)}, Gone: bools(f[2], &err), Base: [2]flagList{d.flagsOf(f[3]), d.flagsOf(f[4])},
			Known: bools(f[5], &err), MessageID: str(6), Size: num(7), Date: num(8), Subject: str(9)}
		bs.Pairs = append(bs.Pairs, p)
	}
	return bs, err
}

// fieldCount is how many fields follow the tag of a line, 0 for an
// unknown tag.
func fieldCount(tag []byte) int {
	switch string(tag) {
	case "stores":
		return 2
	case "box":
		return 8
	case "a", "b":
		return 7
	case "p":
		return 10
	}
	return 0
}

func decodeDiff(f []byte, err error) (email.State, error) {
	if len(f) == 1 && f[0] == '-' {
		return nil, err
	}
	if len(f) == 0 || f[0] != 'b' {
		return nil, errors.Join(err, fmt.Errorf("%w: diff state %q", errStateSyntax, f))
	}
	v, e := base64.StdEncoding.AppendDecode(make([]byte, 0, base64.StdEncoding.DecodedLen(len(f)-1)), f[1:])
	return email.State(v), errors.Join(err, e)
}

// parseNum parses a decimal integer as strconv.AppendInt writes it.
func parseNum(f []byte) (int64, bool) {
	neg := len(f) > 0 && f[0] == '-'
	if neg {
		f = f[1:]
	}
	if len(f) == 0 || len(f) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range f {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

func bools(f []byte, err *error) [2]bool {
	if len(f) != 2 || (f[0] != '0' && f[0] != '1') || (f[1] != '0' && f[1] != '1') {
		*err = errors.Join(*err, fmt.Errorf("%w: %q is not two 0/1 digits", errStateSyntax, f))
		return [2]bool{}
	}
	return [2]bool{f[0] == '1', f[1] == '1'}
}

// flagsOf parses a flags field, from the cache when seen before; each
// message gets its own copy.
func (d *stateDecoder) flagsOf(f []byte) flagList {
	if len(f) == 0 {
		return nil
	}
	fl, ok := d.flags[string(f)]
	if !ok {
		var raw []string
		for w := range strings.FieldsSeq(string(f)) {
			s, _ := unesc([]byte(w))
			raw = append(raw, s)
		}
		fl = flagList(email.ParseFlags(raw...))
		d.flags[string(f)] = fl
	}
	return slices.Clone(fl)
}
