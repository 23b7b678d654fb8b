package wire

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/ioemail/ioemail/internal/transcripttest"
)

// FuzzParseUIDSet checks that ParseUIDSet never panics, returns a set no
// longer than its input allows, and that the set it reads formats back to
// text it reads as the same set.
func FuzzParseUIDSet(f *testing.F) {
	for _, s := range []string{"1", "1:4,7,9:*", "*", "4294967295", "4294967296", "1,,2", "3:1", "0", "1:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseUIDSet(s)
		if err != nil {
			return
		}
		if len(set) > len(s)/2+1 {
			t.Fatalf("%q: %d ranges", s, len(set))
		}
		back, err := ParseUIDSet(set.String())
		if err != nil || !reflect.DeepEqual(back, set) {
			t.Fatalf("%q read as %v, formatted %q, read back as %v (%v)", s, set, set.String(), back, err)
		}
	})
}

var internalDate = regexp.MustCompile(`INTERNALDATE "([^"]+)"`)

// FuzzParseDateTime checks that ParseDateTime never panics and that a
// date-time it reads formats back (RFC 3501 section 9 date-time) to one
// it reads as the same instant in the same zone. Seeds: the INTERNALDATE
// values of the recorded transcripts.
func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"17-Jul-1996 02:44:25 -0700", " 1-Jan-2000 00:00:00 +0000", "31-Feb-2000 00:00:00 +0000", "1-Jan-2000 00:00:00 +2400"} {
		f.Add(s)
	}
	for _, server := range transcripttest.Servers(f, "../../../testdata/imap/*.txt") {
		for _, m := range internalDate.FindAllSubmatch(server, 20) {
			f.Add(string(m[1]))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := ParseDateTime(s)
		if d.IsZero() {
			return
		}
		out := d.Format("02-Jan-2006 15:04:05 -0700")
		back := ParseDateTime(out)
		_, o1 := d.Zone()
		_, o2 := back.Zone()
		if !back.Equal(d) || o1 != o2 || d.Nanosecond() != 0 {
			t.Fatalf("%q read as %v, formatted %q, read back as %v", s, d, out, back)
		}
		if d.Year() < 0 || d.Year() > 9999 {
			t.Fatalf("%q: year %d", s, d.Year())
		}
	})
}
