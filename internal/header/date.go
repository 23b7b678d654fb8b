package header

import (
	"fmt"
	"time"

	"github.com/ioemail/ioemail/email"
)

// ParseDate parses a Date header value: RFC 5322 section 3.3 and the
// obsolete forms of section 4.3, plus the variants real mail carries. The
// result never depends on the machine's time zone: it carries the header's
// own offset as a time.FixedZone (time.UTC when the offset is zero).
//
// Accepted, besides "Tue, 1 Jul 2003 10:52:37 +0200":
//
//   - a missing, full or comma-less day of week ("Tuesday, ...", "Tue 1 Jul");
//   - full or abbreviated month names in any case ("July", "jul", "Sept");
//   - two-digit years (below 50 is 20xx, else 19xx) and three-digit years
//     (plus 1900), per section 4.3;
//   - missing seconds, fractional seconds, a one-digit hour, AM/PM;
//   - zones "+hhmm", "+hh:mm", "+hh", "UT", "GMT", "UTC", "Z", and the US
//     names of section 4.3 (EST -0500, EDT -0400, CST -0600, CDT -0500,
//     MST -0700, MDT -0600, PST -0800, PDT -0700); any other name, military
//     letters included, and a missing zone mean -0000, read as UTC;
//   - comments anywhere ("+0200 (CEST)"); a zone written only as a comment
//     ("(GMT)") is used when there is no other;
//   - the asctime form "Tue Jul  1 10:52:37 2003" and ISO 8601
//     ("2003-07-01T10:52:37+02:00", "2003-07-01 10:52:37").
//
// It returns an error matching [email.ErrInvalidArgument] when day, month,
// year or a field range is missing or wrong (a 30 February, an hour 25).
func ParseDate(s string) (time.Time, error) {
	return parseDate([]byte(s))
}

// dateParts accumulates what the tokens of a date say.
type dateParts struct {
	year, month, day int
	yearDigits       int // how the year was written; 0 while there is none
	hour, min, sec   int
	nsec             int
	haveTime         bool
	pm, am           bool
	offset           int // seconds east of UTC
	haveZone         bool
	commentZone      []byte // the first comment, a zone name when it is the only one
	bad              bool   // a token no form accepts
}

func parseDate(v []byte) (time.Time, error) {
	var d dateParts
	i := 0
	for i < len(v) {
		c := v[i]
		switch {
		case isSpace(c) || c == ',':
			i++
		case c == '(':
			end, inner := skipComment(v, i)
			if d.commentZone == nil {
				d.commentZone = trimSpace(inner)
			}
			i = end
		default:
			j := i
			for j < len(v) && !isSpace(v[j]) && v[j] != ',' && v[j] != '(' {
				j++
			}
			d.token(v[i:j])
			i = j
		}
	}
	return d.time(v)
}

// skipComment returns the index past the comment that starts at v[i] ('(')
// and its content; comments nest and '\' quotes the next byte (RFC 5322
// section 3.2.2). An unterminated comment runs to the end of v.
func skipComment(v []byte, i int) (end int, inner []byte) {
	depth := 0
	for j := i; j < len(v); j++ {
		switch v[j] {
		case '\\':
			j++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j + 1, v[i+1 : j]
			}
		}
	}
	return len(v), v[min(i+1, len(v)):]
}

// token interprets one white-space separated token.
func (d *dateParts) token(t []byte) {
	switch {
	case len(t) == 0:
	case isDigit(t[0]):
		d.numeric(t)
	case (t[0] == '+' || t[0] == '-') && len(t) > 1 && isDigit(t[1]):
		d.zone(t)
	default:
		d.word(t)
	}
}

// numeric handles a token that starts with a digit: a day, a year, a time
// (with a zone glued to it), or an ISO 8601 date.
func (d *dateParts) numeric(t []byte) {
	n, k := digits(t)
	switch {
	case k < len(t) && t[k] == ':':
		d.clock(t)
	case k == 4 && k < len(t) && t[k] == '-':
		d.iso(t)
	case k < len(t) && !(k+1 == len(t) && t[k] == '.'):
		// "1st", "12/07/2003": not a form we read.
		d.bad = true
	case k >= 3:
		d.setYear(n, k)
	case d.day == 0:
		d.day = n
	case d.year == 0 && d.yearDigits == 0:
		d.setYear(n, k)
	default:
		d.bad = true
	}
}

func (d *dateParts) setYear(n, k int) {
	if d.yearDigits != 0 {
		d.bad = true
		return
	}
	d.year, d.yearDigits = n, k
}

// clock reads hh:mm[:ss[.frac]] and a zone glued after it.
func (d *dateParts) clock(t []byte) {
	if d.haveTime {
		d.bad = true
		return
	}
	h, k := digits(t)
	if k == 0 || k > 2 || k >= len(t) || t[k] != ':' {
		d.bad = true
		return
	}
	t = t[k+1:]
	m, k := digits(t)
	if k != 2 {
		d.bad = true
		return
	}
	t = t[k:]
	s := 0
	if len(t) > 0 && t[0] == ':' {
		s, k = digits(t[1:])
		if k != 2 {
			d.bad = true
			return
		}
		t = t[1+k:]
		if len(t) > 0 && (t[0] == '.' || t[0] == ',') {
			f, k := digits(t[1:])
			for i := k; i < 9; i++ {
				f *= 10
			}
			for i := k; i > 9; i-- {
				f /= 10
			}
			d.nsec = f
			t = t[1+k:]
		}
	}
	d.hour, d.min, d.sec, d.haveTime = h, m, s, true
	if len(t) > 0 {
		d.token(t)
	}
}

// iso reads an ISO 8601 date "yyyy-mm-dd", optionally followed by "T" and a
// time.
func (d *dateParts) iso(t []byte) {
	y, _ := digits(t)
	t = t[5:]
	m, k := digits(t)
	if k != 2 || len(t) < 3 || t[2] != '-' {
		d.bad = true
		return
	}
	t = t[3:]
	day, k := digits(t)
	if k != 2 || d.year != 0 || d.month != 0 || d.day != 0 {
		d.bad = true
		return
	}
	d.year, d.yearDigits, d.month, d.day = y, 4, m, day
	t = t[2:]
	if len(t) > 0 {
		if t[0] != 'T' && t[0] != 't' {
			d.bad = true
			return
		}
		if len(t) > 1 {
			d.clock(t[1:])
		}
	}
}

// zone reads a numeric zone: +hhmm, +hh:mm, +hh, +hmm.
func (d *dateParts) zone(t []byte) {
	if d.haveZone {
		return // a second zone ("+0000 GMT") adds nothing
	}
	sign := 1
	if t[0] == '-' {
		sign = -1
	}
	t = t[1:]
	n, k := digits(t)
	h, m := 0, 0
	switch {
	case k == 4 && len(t) == 4:
		h, m = n/100, n%100
	case k == 3 && len(t) == 3:
		h, m = n/100, n%100
	case k <= 2 && len(t) == k:
		h = n
	case k == 2 && len(t) == 5 && t[2] == ':':
		m2, k2 := digits(t[3:])
		if k2 != 2 {
			d.bad = true
			return
		}
		h, m = n, m2
	default:
		d.bad = true
		return
	}
	d.haveZone = true
	if h > 23 || m > 59 {
		return // out of range: -0000
	}
	d.offset = sign * (h*3600 + m*60)
}

var monthNames = [12]string{"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december"}

var dayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// usZones are the obsolete zone names of RFC 5322 section 4.3, in hours.
var usZones = map[string]int{
	"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}

// word handles a token that starts with a letter: day or month name, AM/PM,
// or a zone name (maybe with a numeric zone glued to it, "GMT+0200").
func (d *dateParts) word(t []byte) {
	name := t
	for len(name) > 0 && name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	if len(name) >= 3 {
		for i, m := range monthNames {
			if len(name) <= len(m) && equalFold(name, m[:len(name)]) {
				if d.month != 0 {
					d.bad = true
				}
				d.month = i + 1
				return
			}
		}
		for _, w := range dayNames {
			if len(name) <= len(w) && equalFold(name, w[:len(name)]) {
				return
			}
		}
	}
	if equalFold(name, "am") || equalFold(name, "pm") {
		d.am, d.pm = equalFold(name, "am"), equalFold(name, "pm")
		return
	}
	// A zone name, maybe followed by a numeric offset.
	k := 0
	for k < len(t) && isLetter(t[k]) {
		k++
	}
	if k < len(t) && (t[k] == '+' || t[k] == '-') {
		d.zone(t[k:])
		return
	}
	if k != len(t) {
		d.bad = true
		return
	}
	d.namedZone(t)
}

// namedZone sets the zone from a name: the US zones have fixed offsets,
// every other name means -0000 (RFC 5322 section 4.3).
func (d *dateParts) namedZone(t []byte) {
	if d.haveZone {
		return
	}
	d.haveZone = true
	if len(t) == 3 {
		var low [3]byte
		for i := range low {
			low[i] = t[i] | 0x20
		}
		if h, ok := usZones[string(low[:])]; ok {
			d.offset = h * 3600
		}
	}
}

// time checks the parts and builds the time.
func (d *dateParts) time(v []byte) (time.Time, error) {
	if !d.haveZone && len(d.commentZone) > 0 && allLetters(d.commentZone) {
		d.namedZone(d.commentZone)
	}
	if d.bad || d.day == 0 || d.month == 0 || d.yearDigits == 0 {
		return time.Time{}, dateError(v)
	}
	switch d.yearDigits {
	case 1, 2:
		if d.year < 50 {
			d.year += 2000
		} else {
			d.year += 1900
		}
	case 3:
		d.year += 1900
	}
	if d.pm && d.hour >= 1 && d.hour < 12 {
		d.hour += 12
	} else if d.am && d.hour == 12 {
		d.hour = 0
	}
	if d.sec == 60 {
		d.sec = 59 // a leap second: keep the minute
	}
	if d.year < 1 || d.year > 9999 || d.day > daysIn(d.month, d.year) ||
		d.hour > 23 || d.min > 59 || d.sec > 59 {
		return time.Time{}, dateError(v)
	}
	return time.Date(d.year, time.Month(d.month), d.day, d.hour, d.min, d.sec, d.nsec, zoneFor(d.offset)), nil
}

// zones holds the fixed zones of the offsets in quarter hours from -14:00
// to +14:00, built once so that parsing a date does not allocate.
var zones = func() (z [113]*time.Location) {
	for i := range z {
		z[i] = time.FixedZone("", (i-56)*900)
	}
	z[56] = time.UTC
	return z
}()

// zoneFor returns the location of an offset in seconds east of UTC:
// time.UTC for zero, else a time.FixedZone with no name.
func zoneFor(offset int) *time.Location {
	if offset%900 == 0 && offset >= -56*900 && offset <= 56*900 {
		return zones[offset/900+56]
	}
	return time.FixedZone("", offset)
}

func dateError(v []byte) error {
	const max = 64
	if len(v) > max {
		v = v[:max]
	}
	return fmt.Errorf("%w: unparseable date %q", email.ErrInvalidArgument, validString(v))
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// digits reads the leading decimal digits of t (at most 9 count towards the
// value) and returns the value and how many digits there were.
func digits(t []byte) (n, k int) {
	for k < len(t) && isDigit(t[k]) {
		if k < 9 {
			n = n*10 + int(t[k]-'0')
		}
		k++
	}
	return n, k
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func allLetters(b []byte) bool {
	for _, c := range b {
		if !isLetter(c) {
			return false
		}
	}
	return true
}
