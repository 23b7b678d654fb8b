package header

import (
	"reflect"
	"testing"
	"time"
)

// TestFastDateMatchesParseDate checks the fast path against the general
// parser on the forms it takes and on near misses it must leave alone.
func TestFastDateMatchesParseDate(t *testing.T) {
	for _, v := range []string{
		" Sat, 18 Nov 2023 10:59:51 +0200",
		"Sat, 18 Nov 2023 10:59:51 +0200 (CEST)",
		"18 Nov 2023 10:59 -0530",
		"Mon, 1 Jan 0001 00:00:00 +0000",
		"Thu, 29 Feb 2024 23:59:60 -1400",
		"Fri, 31 Dec 9999 23:59:59 +1400",
		"Wed, 8 Sep 2021 18:00:39 GMT",
		"Wed, 8 Sep 2021 18:00:39 UTC  ",
		"Tue, 1 Mar 1900 12:00:00 +0100",
		"Sun, 15 Oct 1582 01:02:03 +0000",
		"Sat, 18 nov 2023 10:59:51 +0200",
		// Near misses: the general parser decides.
		"Sat, 29 Feb 2023 10:59:51 +0200",
		"Sat, 18 Nov 2023 24:00:00 +0200",
		"Sat, 18 Nov 2023 10:59:51 +0260",
		"Sat, 18 Nov 2023 10:59:51 +02000",
		"Sat, 18 Nov 2023 10:59:51 EST",
		"Sat, 18 Nov 2023 10:59:51 +0200 (a (b))",
		"Sat, 18 Nov 2023 10:59:51 +0200 (CEST",
		"Sat, 18 Nov 2023 10:59:51 +0200 x",
		"Xyz, 18 Nov 2023 10:59:51 +0200",
		"Sat, 18 November 2023 10:59:51 +0200",
		"Sat, 118 Nov 2023 10:59:51 +0200",
		"Sat, 18 Nov 23 10:59:51 +0200",
		"Sat, 18 Nov 2023 1:59:51 +0200",
		"Sat, 18 Nov 2023 10:59:51.5 +0200",
		"Sat,18 Nov 2023 10:59:51 +0200",
	} {
		want, werr := parseDate([]byte(v))
		got, ok := fastDate([]byte(v))
		if !ok {
			continue
		}
		if werr != nil {
			t.Errorf("fastDate(%q) = %v, parseDate fails: %v", v, got, werr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("fastDate(%q) = %#v, parseDate %#v", v, got, want)
		}
	}
	if _, ok := fastDate([]byte("Sat, 18 Nov 2023 10:59:51 +0200")); !ok {
		t.Error("fastDate refuses the common form")
	}
}

// TestDaysFromCivil checks the day count against the time package over
// four centuries of days.
func TestDaysFromCivil(t *testing.T) {
	for d := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 3; d = d.AddDate(0, 0, 1) {
		if got, want := daysFromCivil(d.Year(), int(d.Month()), d.Day()), d.Unix()/86400; got != want {
			t.Fatalf("daysFromCivil(%v) = %d, want %d", d, got, want)
		}
	}
	for d := time.Date(1890, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2300; d = d.AddDate(0, 0, 1) {
		if got, want := daysFromCivil(d.Year(), int(d.Month()), d.Day()), d.Unix()/86400; got != want {
			t.Fatalf("daysFromCivil(%v) = %d, want %d", d, got, want)
		}
	}
}
