package header

import "time"

// monthAbbr holds the three lower-case letters of each month
// abbreviation, packed as c0<<16|c1<<8|c2, January first.
var monthAbbr = func() (t [12]uint32) {
	for i, name := range monthNames {
		t[i] = uint32(name[0])<<16 | uint32(name[1])<<8 | uint32(name[2])
	}
	return t
}()

// monthOf returns the month number of a packed abbreviation, or 0.
func monthOf(packed uint32) int {
	for i, m := range monthAbbr {
		if m == packed {
			return i + 1
		}
	}
	return 0
}

// fastDate parses the form nearly every mailer writes, "Sat, 18 Nov 2023
// 10:59:51 +0200" (the day of week, the seconds and a trailing comment
// optional), without the token walk of parseDate. It reports false for
// anything else, and parseDate then reads the value as it always does; for
// a value it accepts it gives exactly what parseDate gives.
func fastDate(v []byte) (time.Time, bool) {
	i := 0
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	// An optional "Ddd, ".
	if i+5 <= len(v) && isLetter(v[i]) && v[i+3] == ',' && v[i+4] == ' ' {
		if !isDayAbbr(v[i : i+3]) {
			return time.Time{}, false
		}
		i += 5
	}
	day, i, ok := fixedDigits(v, i, 1, 2)
	if !ok || i+5 > len(v) || v[i] != ' ' || v[i+4] != ' ' {
		return time.Time{}, false
	}
	month := monthOf(uint32(v[i+1]|0x20)<<16 | uint32(v[i+2]|0x20)<<8 | uint32(v[i+3]|0x20))
	if month == 0 {
		return time.Time{}, false
	}
	year, i, ok := fixedDigits(v, i+5, 4, 4)
	if !ok || i >= len(v) || v[i] != ' ' {
		return time.Time{}, false
	}
	hour, i, ok := fixedDigits(v, i+1, 2, 2)
	if !ok || i >= len(v) || v[i] != ':' {
		return time.Time{}, false
	}
	minute, i, ok := fixedDigits(v, i+1, 2, 2)
	if !ok {
		return time.Time{}, false
	}
	sec := 0
	if i < len(v) && v[i] == ':' {
		if sec, i, ok = fixedDigits(v, i+1, 2, 2); !ok {
			return time.Time{}, false
		}
	}
	if i >= len(v) || v[i] != ' ' {
		return time.Time{}, false
	}
	offset, end, ok := fastZone(v, i+1)
	if !ok || !fastDateTail(v[end:]) {
		return time.Time{}, false
	}
	if sec == 60 {
		sec = 59 // a leap second: keep the minute, as parseDate does
	}
	if day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 || year < 1 {
		return time.Time{}, false
	}
	// time.Date would give the same instant and location; the civil-day
	// count below is a fraction of its cost.
	unix := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset)
	return time.Unix(unix, 0).In(zoneFor(offset)), true
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (year >= 1), by the era arithmetic of Howard
// Hinnant's "chrono-compatible low-level date algorithms".
func daysFromCivil(year, month, day int) int64 {
	y := year
	if month <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := month + 9
	if month > 2 {
		mp = month - 3
	}
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}

// fastZone reads "+hhmm", "-hhmm" (hours to 23, minutes to 59), "GMT" or
// "UTC" at v[i:], followed by white space or the end, and returns the
// offset in seconds east of UTC and the index after the zone.
func fastZone(v []byte, i int) (offset, end int, ok bool) {
	if i+3 <= len(v) && (string(v[i:i+3]) == "GMT" || string(v[i:i+3]) == "UTC") {
		end = i + 3
		return 0, end, end == len(v) || isSpace(v[end])
	}
	if i+5 > len(v) || (v[i] != '+' && v[i] != '-') {
		return 0, i, false
	}
	for _, c := range v[i+1 : i+5] {
		if !isDigit(c) {
			return 0, i, false
		}
	}
	end = i + 5
	if end < len(v) && !isSpace(v[end]) {
		return 0, i, false
	}
	h := int(v[i+1]-'0')*10 + int(v[i+2]-'0')
	m := int(v[i+3]-'0')*10 + int(v[i+4]-'0')
	if h > 23 || m > 59 {
		return 0, i, false
	}
	offset = h*3600 + m*60
	if v[i] == '-' {
		offset = -offset
	}
	return offset, end, true
}

// fastDateTail reports whether what follows the zone is nothing, white
// space, or white space and one comment without nesting or escapes (which
// parseDate ignores when a numeric zone was given).
func fastDateTail(t []byte) bool {
	i := 0
	for i < len(t) && isSpace(t[i]) {
		i++
	}
	if i == len(t) {
		return true
	}
	if i == 0 || t[i] != '(' {
		return false
	}
	for i++; i < len(t) && t[i] != ')'; i++ {
		if t[i] == '(' || t[i] == '\\' {
			return false
		}
	}
	if i == len(t) {
		return false
	}
	for i++; i < len(t); i++ {
		if !isSpace(t[i]) {
			return false
		}
	}
	return true
}

// fixedDigits reads between lo and hi decimal digits at v[i:], followed by
// a byte that is not a digit or by the end, and returns their value and
// the index after them.
func fixedDigits(v []byte, i, lo, hi int) (n, end int, ok bool) {
	j := i
	for j < len(v) && j-i < hi && isDigit(v[j]) {
		n = n*10 + int(v[j]-'0')
		j++
	}
	if j-i < lo || (j < len(v) && isDigit(v[j])) {
		return 0, i, false
	}
	return n, j, true
}

// isDayAbbr reports whether b is a three-letter day name in any case.
func isDayAbbr(b []byte) bool {
	for _, w := range dayNames {
		if equalFold(b, w[:3]) {
			return true
		}
	}
	return false
}
