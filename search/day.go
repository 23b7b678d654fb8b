package search

import (
	"fmt"
	"time"
)

// Day is a calendar date without a time or a zone, as date conditions use.
type Day struct {
	Year  int        // 1 to 9999
	Month time.Month // 1 to 12
	Day   int        // 1 to the length of the month
}

// DayOf returns the calendar date of t in t's own location. For a message's
// Date header, kept with its original offset, this is the day the sender's
// clock showed.
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day{y, m, d}
}

// Valid reports whether d names a real day between the years 1 and 9999.
func (d Day) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Compare returns -1, 0 or +1 as d is before, the same as or after e.
func (d Day) Compare(e Day) int {
	switch {
	case d.Year != e.Year:
		return cmp3(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp3(int(d.Month), int(e.Month))
	}
	return cmp3(d.Day, e.Day)
}

func cmp3(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String formats the day as YYYY-MM-DD.
func (d Day) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time returns midnight at the start of d in loc.
func (d Day) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the day n days after d (before it when n is negative).
func (d Day) AddDays(n int) Day {
	return DayOf(d.Time(time.UTC).AddDate(0, 0, n))
}

// ParseDay reads a day written YYYY-MM-DD, YYYY/MM/DD, DD-MM-YYYY or
// DD/MM/YYYY (month and day may have one digit). It fails for any other
// form and for days that do not exist, such as 2023-02-29.
func ParseDay(s string) (Day, error) {
	parts, sep := splitDay(s)
	if sep == 0 {
		return Day{}, fmt.Errorf("search: %q is not a date of the form YYYY-MM-DD", s)
	}
	var d Day
	switch {
	case len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		d = Day{atoi(parts[0]), time.Month(atoi(parts[1])), atoi(parts[2])}
	case len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		d = Day{atoi(parts[2]), time.Month(atoi(parts[1])), atoi(parts[0])}
	default:
		return Day{}, fmt.Errorf("search: %q is not a date of the form YYYY-MM-DD", s)
	}
	if !d.Valid() {
		return Day{}, fmt.Errorf("search: %q is not a day of the calendar", s)
	}
	return d, nil
}

// splitDay splits s into three non-empty runs of ASCII digits separated by
// the same '-' or '/', and returns the separator, or 0 when s has another
// shape.
func splitDay(s string) ([3]string, byte) {
	var parts [3]string
	var sep byte
	n, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			continue
		}
		if i < len(s) {
			if (s[i] != '-' && s[i] != '/') || (sep != 0 && s[i] != sep) {
				return parts, 0
			}
			sep = s[i]
		}
		if i == start || n == 3 {
			return parts, 0
		}
		parts[n] = s[start:i]
		n++
		start = i + 1
	}
	if n != 3 {
		return parts, 0
	}
	return parts, sep
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
