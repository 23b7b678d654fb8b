package wire

import (
	"net/mail"
	"strings"
	"sync/atomic"
	"time"
)

// ParseDate parses an RFC 5322 Date value (section 3.3, with the obsolete
// forms of section 4.3: two-digit years, zone names, no seconds), keeping
// its UTC offset. It returns the zero Time when the value does not parse.
// The common shapes are read by hand without allocating; anything else
// goes through net/mail.
func ParseDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, ok := fastDate(s); ok {
		return t
	}
	t, err := mail.ParseDate(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

type dateScanner struct {
	s string
	i int
}

func (d *dateScanner) spaces() {
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\t') {
		d.i++
	}
}

func (d *dateScanner) num(minDigits, maxDigits int) (int, bool) {
	n, k := 0, 0
	for d.i < len(d.s) && k < maxDigits && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		n = n*10 + int(d.s[d.i]-'0')
		d.i++
		k++
	}
	return n, k >= minDigits
}

func (d *dateScanner) word() string {
	st := d.i
	for d.i < len(d.s) && (d.s[d.i]|0x20 >= 'a' && d.s[d.i]|0x20 <= 'z') {
		d.i++
	}
	return d.s[st:d.i]
}

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

var zoneNames = map[string]int{"UT": 0, "GMT": 0, "Z": 0, "UTC": 0, "EST": -5 * 60, "EDT": -4 * 60, "CST": -6 * 60, "CDT": -5 * 60,
	"MST": -7 * 60, "MDT": -6 * 60, "PST": -8 * 60, "PDT": -7 * 60}

func fastDate(s string) (time.Time, bool) {
	d := &dateScanner{s: s}
	d.spaces()
	if w := d.word(); w != "" {
		if d.i >= len(s) || s[d.i] != ',' {
			return time.Time{}, false
		}
		d.i++
		d.spaces()
	}
	day, ok := d.num(1, 2)
	if !ok {
		return time.Time{}, false
	}
	d.spaces()
	mon := d.word()
	month := 0
	for i, m := range months {
		if strings.EqualFold(mon, m) {
			month = i + 1
		}
	}
	if month == 0 {
		return time.Time{}, false
	}
	d.spaces()
	ys := d.i
	year, ok := d.num(2, 4)
	if !ok {
		return time.Time{}, false
	}
	switch d.i - ys { // RFC 5322 section 4.3
	case 2:
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
	case 3:
		year += 1900
	}
	d.spaces()
	hour, ok1 := d.num(2, 2)
	if d.i >= len(s) || s[d.i] != ':' {
		return time.Time{}, false
	}
	d.i++
	minute, ok2 := d.num(2, 2)
	sec := 0
	if d.i < len(s) && s[d.i] == ':' {
		d.i++
		var ok3 bool
		if sec, ok3 = d.num(2, 2); !ok3 {
			return time.Time{}, false
		}
	}
	if !ok1 || !ok2 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	d.spaces()
	off := 0
	switch {
	case d.i < len(s) && (s[d.i] == '+' || s[d.i] == '-'):
		neg := s[d.i] == '-'
		d.i++
		z, ok := d.num(4, 4)
		if !ok || z%100 > 59 {
			return time.Time{}, false
		}
		off = (z/100)*60 + z%100
		if neg {
			off = -off
		}
	default:
		w := strings.ToUpper(d.word())
		o, ok := zoneNames[w]
		if !ok {
			return time.Time{}, false
		}
		off = o
	}
	d.spaces()
	if d.i < len(s) && s[d.i] != '(' {
		return time.Time{}, false // trailing junk other than a comment
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, fixedZone(off))
	if t.Day() != day {
		return time.Time{}, false // 31 Feb
	}
	return t, true
}

// zones caches one *time.Location per offset in minutes, so that parsing
// a date does not allocate one each time.
var zones [2 * 24 * 60]atomic.Pointer[time.Location]

func fixedZone(off int) *time.Location {
	i := off + 24*60
	if i < 0 || i >= len(zones) {
		return time.FixedZone("", off*60)
	}
	if z := zones[i].Load(); z != nil {
		return z
	}
	z := time.FixedZone("", off*60)
	zones[i].Store(z)
	return z
}
