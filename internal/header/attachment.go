package header

import "bytes"

// hasAttachment applies the rule documented on Scan to the top-level
// Content-Type and Content-Disposition values and the scanned data.
func hasAttachment(ctype, disp, data []byte, bodyOffset int) bool {
	if equalFold(mediaType(disp), "attachment") {
		return true
	}
	if !equalFold(mediaType(ctype), "multipart/mixed") {
		return false
	}
	boundary := param(ctype, "boundary")
	if len(boundary) == 0 || bodyOffset < 0 {
		return true
	}
	body := data[bodyOffset:]
	for i := 0; ; {
		j := bytes.Index(body[i:], boundary)
		if j < 0 {
			return true // the closing delimiter is not in view
		}
		j += i
		i = j + len(boundary)
		// A delimiter is "--" boundary at the start of a line (RFC 2046
		// section 5.1.1).
		if j < 2 || body[j-1] != '-' || body[j-2] != '-' || (j > 2 && body[j-3] != '\n') {
			continue
		}
		if bytes.HasPrefix(body[i:], []byte("--")) {
			return false // the closing delimiter: no attachment seen
		}
		end, next := lineEnd(body, i)
		if len(trimSpace(body[i:end])) > 0 {
			continue // a longer boundary, not this one
		}
		// The part's header lies before the next delimiter; looking no
		// further keeps the work linear in hostile bodies.
		part := body[next:]
		if k := bytes.Index(part, boundary); k >= 0 {
			part = part[:k]
		}
		if partIsAttachment(part) {
			return true
		}
	}
}

// partIsAttachment reads the header of a body part and says whether the
// part is an attachment: its disposition is "attachment", or it is a leaf
// that is neither text nor marked inline.
func partIsAttachment(part []byte) bool {
	var ctype, disp []byte
	w := walker{data: part}
	for {
		name, value, ok := w.next()
		if !ok {
			break
		}
		switch fieldKind(name) {
		case fieldContentType:
			if ctype == nil {
				ctype = value
			}
		case fieldContentDisposition:
			if disp == nil {
				disp = value
			}
		}
	}
	d := mediaType(disp)
	if equalFold(d, "attachment") {
		return true
	}
	if equalFold(d, "inline") {
		return false
	}
	t := mediaType(ctype)
	return len(t) > 0 && !hasPrefixFold(t, "text/") && !hasPrefixFold(t, "multipart/")
}

// mediaType returns the value before the first ';' of a Content-Type or
// Content-Disposition value, trimmed.
func mediaType(v []byte) []byte {
	if i := bytes.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return trimSpace(v)
}

// param returns the value of the named parameter of a Content-Type value
// (RFC 2045 section 5.1), unquoted, or nil; name must be in lower case.
// Quoted values keep their escapes, which boundaries never need.
func param(v []byte, name string) []byte {
	i := bytes.IndexByte(v, ';')
	for i >= 0 && i < len(v) {
		i++ // past ';'
		for i < len(v) && isSpace(v[i]) {
			i++
		}
		k := i
		for k < len(v) && v[k] != '=' && v[k] != ';' {
			k++
		}
		key := trimSpace(v[i:k])
		if k >= len(v) || v[k] == ';' {
			i = k
			continue
		}
		k++ // past '='
		for k < len(v) && isSpace(v[k]) {
			k++
		}
		var val []byte
		if k < len(v) && v[k] == '"' {
			end, closed := skipQuoted(v, k)
			if closed {
				val = v[k+1 : end-1]
			} else {
				val = v[k+1 : end] // unterminated
			}
			i = end
			for i < len(v) && v[i] != ';' {
				i++
			}
		} else {
			e := k
			for e < len(v) && v[e] != ';' && !isSpace(v[e]) {
				e++
			}
			val = v[k:e]
			i = e
			for i < len(v) && v[i] != ';' {
				i++
			}
		}
		if equalFold(key, name) {
			return val
		}
	}
	return nil
}
