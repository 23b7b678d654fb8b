package smtp

// normalize returns data with every line ending as CRLF (a bare LF or a
// bare CR becomes CRLF, RFC 5321 section 2.3.8) and a final CRLF added when
// missing; with stuff it also doubles a '.' at the start of every line and
// appends the end-of-data line ".\r\n" (RFC 5321 section 4.5.2). It
// returns data itself when nothing needs to change and stuff is false.
func normalize(data []byte, stuff bool) []byte {
	if !stuff && cleanCRLF(data) {
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/64+8)
	bol := true
	for i := 0; i < len(data); i++ {
		c := data[i]
		if bol && stuff && c == '.' {
			out = append(out, '.')
		}
		bol = false
		switch c {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			bol = true
		case '\n':
			out = append(out, '\r', '\n')
			bol = true
		default:
			out = append(out, c)
		}
	}
	if !bol && len(data) > 0 {
		out = append(out, '\r', '\n')
	}
	if stuff {
		out = append(out, '.', '\r', '\n')
	}
	return out
}

// cleanCRLF reports whether every CR and LF in data is part of a CRLF and
// data ends with CRLF (or is empty).
func cleanCRLF(data []byte) bool {
	n := len(data)
	if n == 1 || n >= 2 && (data[n-2] != '\r' || data[n-1] != '\n') {
		return false
	}
	for i := 0; i < n; i++ {
		switch data[i] {
		case '\r':
			if i+1 >= n || data[i+1] != '\n' {
				return false
			}
			i++
		case '\n':
			return false
		}
	}
	return true
}

// has8bit reports whether b holds a byte outside US-ASCII.
func has8bit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func has8bitString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}
