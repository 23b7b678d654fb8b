package header

// messageID normalises a Message-ID value (RFC 5322 section 3.6.4): the
// text between the first '<' and the next '>' (to the end when the '>' is
// missing), or the whole value when it has no '<'; comments and white space
// are removed, so "< id @ host >" and "<id@host> (note)" both give
// "id@host".
func messageID(v []byte) string {
	start, end := 0, len(v)
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '(':
			i, _ = skipComment(v, i)
			i--
		case '<':
			start = i + 1
			end = len(v)
			for j := start; j < len(v); j++ {
				if v[j] == '>' {
					end = j
					break
				}
			}
			i = len(v)
		}
	}
	v = v[start:end]
	clean := true
	for _, c := range v {
		if isSpace(c) || c == '(' {
			clean = false
			break
		}
	}
	if clean {
		return validString(v)
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isSpace(c):
		case c == '(':
			i, _ = skipComment(v, i)
			i--
		default:
			out = append(out, c)
		}
	}
	return validString(out)
}
