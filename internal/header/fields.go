package header

import (
	"bytes"
	"iter"
)

// End returns the index just past the blank line that ends the header
// (RFC 5322 section 2.1: the first empty line, CRLF or bare LF), or -1 when
// data holds no complete header. A message that starts with an empty line
// has an empty header: End returns the length of that line.
func End(data []byte) int {
	if n := blankLine(data, 0); n > 0 {
		return n
	}
	i := 0
	for {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		if n := blankLine(data, i); n > 0 {
			return n
		}
	}
}

// blankLine returns the index past the empty line that starts at i in data
// ("\n" or "\r\n"), or 0 when no empty line starts there.
func blankLine(data []byte, i int) int {
	if i < len(data) {
		switch data[i] {
		case '\n':
			return i + 1
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				return i + 2
			}
		}
	}
	return 0
}

// Field is one header field as it appears in the head.
type Field struct {
	// Name is the field name without the colon (and without white space
	// before the colon, RFC 5322 section 4.5).
	Name []byte
	// Value is the field body as written: after the colon, folds (a line
	// end followed by white space) still in place, without the line end
	// that closes the field.
	Value []byte
}

// Fields returns an iterator over the header fields of head, in order, up to
// the blank line that ends the header or the end of head. The slices alias
// head. Lines that cannot start a field (no colon, a name with white space,
// control or 8-bit bytes, such as an mbox "From " line, or a continuation
// line with no field before it) are skipped.
func Fields(head []byte) iter.Seq[Field] {
	return func(yield func(Field) bool) {
		w := walker{data: head}
		for {
			name, value, ok := w.next()
			if !ok || !yield(Field{Name: name, Value: value}) {
				return
			}
		}
	}
}

// walker walks the fields of a header. It is a value with no allocation.
type walker struct {
	data []byte
	pos  int
	// bodyOffset is set once the walk is over: the index past the blank
	// line, or -1 when the data ended first.
	bodyOffset int
	done       bool
}

// next returns the next field's name and raw value, or ok false at the end
// of the header.
func (w *walker) next() (name, value []byte, ok bool) {
	data := w.data
	for !w.done {
		start := w.pos
		if start >= len(data) {
			w.finish(-1)
			break
		}
		if n := blankLine(data, start); n > 0 {
			w.finish(n)
			break
		}
		// The field runs to the first line end not followed by white space.
		end, next := lineEnd(data, start)
		for next < len(data) && (data[next] == ' ' || data[next] == '\t') {
			end, next = lineEnd(data, next)
		}
		w.pos = next
		if data[start] == ' ' || data[start] == '\t' {
			continue // continuation with no field before it
		}
		field := data[start:end]
		colon := bytes.IndexByte(field, ':')
		if colon <= 0 {
			continue
		}
		name = trimRightWSP(field[:colon])
		if !validName(name) {
			continue
		}
		return name, field[colon+1:], true
	}
	return nil, nil, false
}

func (w *walker) finish(bodyOffset int) {
	w.done = true
	w.bodyOffset = bodyOffset
	w.pos = len(w.data)
}

// validName reports whether name is a field name: printable US-ASCII
// without white space (RFC 5322 section 3.6.8).
func validName(name []byte) bool {
	for _, c := range name {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return len(name) > 0
}

// lineEnd returns, for the line starting at i, the index of its end (before
// CRLF or LF) and the index of the next line.
func lineEnd(data []byte, i int) (end, next int) {
	j := bytes.IndexByte(data[i:], '\n')
	if j < 0 {
		return len(data), len(data)
	}
	end = i + j
	next = end + 1
	if end > i && data[end-1] == '\r' {
		end--
	}
	return end, next
}

// isSpace reports white space, line ends included.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

func trimRightWSP(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// trimSpace trims white space and line ends at both ends of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// unfoldTo joins the lines of a folded value (RFC 5322 section 2.2.3) and
// trims it. Like go-message, it turns each fold, with the white space around
// it, into one space, so a value folded with a tab reads the same as one
// folded with a space. It returns a subslice of v when v has no line end,
// and the unfolded value appended to buf otherwise.
func unfoldTo(buf, v []byte) []byte {
	v = trimSpace(v)
	if bytes.IndexByte(v, '\n') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return v
	}
	out := buf
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\r' && c != '\n' {
			out = append(out, c)
			continue
		}
		out = trimRightWSP(out)
		for i+1 < len(v) && isSpace(v[i+1]) {
			i++
		}
		out = append(out, ' ')
	}
	return out
}
