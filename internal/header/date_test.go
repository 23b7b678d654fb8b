package header

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // so the zone-swap test runs on machines without zoneinfo

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// dateCases maps a Date value to its expected RFC 3339 form with
// nanoseconds; "" means the value must be rejected.
var dateCases = map[string]string{
	// RFC 5322 section 3.3.
	"Tue, 1 Jul 2003 10:52:37 +0200":  "2003-07-01T10:52:37+02:00",
	"Tue, 01 Jul 2003 10:52:37 +0200": "2003-07-01T10:52:37+02:00",
	"1 Jul 2003 10:52:37 -0000":       "2003-07-01T10:52:37Z",
	"Thu, 13 Feb 1969 23:32:54 -0330": "1969-02-13T23:32:54-03:30",
	"Fri, 21 Nov 1997 09:55:06 -0600": "1997-11-21T09:55:06-06:00",
	"Sat, 29 Feb 2020 00:00:00 +1400": "2020-02-29T00:00:00+14:00",
	"Mon, 31 Dec 2029 23:59:60 +0000": "2029-12-31T23:59:59Z", // leap second kept in its minute
	// Obsolete forms, RFC 5322 section 4.3.
	"Tue, 1 Jul 2003 10:52:37 +0200 (CEST)":                    "2003-07-01T10:52:37+02:00",
	"Wed, 2 Jul 97 10:52:37 GMT":                               "1997-07-02T10:52:37Z",
	"Wed, 2 Jul 49 10:52:37 GMT":                               "2049-07-02T10:52:37Z",
	"Wed, 2 Jul 50 10:52:37 GMT":                               "1950-07-02T10:52:37Z",
	"Wed, 2 Jul 103 10:52:37 GMT":                              "2003-07-02T10:52:37Z",
	"2 Jul 2003 10:52:37 UT":                                   "2003-07-02T10:52:37Z",
	"2 Jul 2003 10:52:37 EST":                                  "2003-07-02T10:52:37-05:00",
	"2 Jul 2003 10:52:37 EDT":                                  "2003-07-02T10:52:37-04:00",
	"2 Jul 2003 10:52:37 CST":                                  "2003-07-02T10:52:37-06:00",
	"2 Jul 2003 10:52:37 CDT":                                  "2003-07-02T10:52:37-05:00",
	"2 Jul 2003 10:52:37 MST":                                  "2003-07-02T10:52:37-07:00",
	"2 Jul 2003 10:52:37 MDT":                                  "2003-07-02T10:52:37-06:00",
	"2 Jul 2003 10:52:37 pst":                                  "2003-07-02T10:52:37-08:00",
	"2 Jul 2003 10:52:37 PDT":                                  "2003-07-02T10:52:37-07:00",
	"2 Jul 2003 10:52:37 CEST":                                 "2003-07-02T10:52:37Z", // unknown name: -0000
	"2 Jul 2003 10:52:37 A":                                    "2003-07-02T10:52:37Z", // military: -0000
	"2 Jul 2003 10:52:37 Z":                                    "2003-07-02T10:52:37Z",
	"2 Jul 2003 10:52:37 (GMT)":                                "2003-07-02T10:52:37Z",
	"2 Jul 2003 10:52:37 (EST)":                                "2003-07-02T10:52:37-05:00", // zone only in a comment
	"2 Jul 2003 10:52:37 +0000 (EST)":                          "2003-07-02T10:52:37Z",      // the real zone wins
	"2 Jul 2003 10:52:37 +0100 +0200":                          "2003-07-02T10:52:37+01:00", // the first zone wins
	"2 Jul 2003 10:52:37":                                      "2003-07-02T10:52:37Z",      // no zone: -0000
	"2 Jul 2003 10:52:37 +0000 GMT":                            "2003-07-02T10:52:37Z",
	"Wed , 2 Jul 2003 10:52:37 +0200":                          "2003-07-02T10:52:37+02:00",
	"(day) Wed, (d) 2 (m) Jul (y) 2003 (t) 10:52:37 (z) +0200": "2003-07-02T10:52:37+02:00",
	// Variants seen in real mail.
	"Wed 2 Jul 2003 10:52:37 +0200":           "2003-07-02T10:52:37+02:00",
	"Wednesday, 2 July 2003 10:52:37 +0200":   "2003-07-02T10:52:37+02:00",
	"Wed, 2 JUL 2003 10:52:37 +0200":          "2003-07-02T10:52:37+02:00",
	"Wed, 2 Sept 2003 10:52:37 +0200":         "2003-09-02T10:52:37+02:00",
	"Wed,2 Jul 2003 10:52:37 +0200":           "2003-07-02T10:52:37+02:00",
	"Wed, 2 Jul 2003 10:52 +0200":             "2003-07-02T10:52:00+02:00",
	"Wed, 2 Jul 2003 1:52:37 +0200":           "2003-07-02T01:52:37+02:00",
	"Wed, 2 Jul 2003 10:52:37.123456 +0200":   "2003-07-02T10:52:37.123456+02:00",
	"Wed, 2 Jul 2003 10:52:37 +02:00":         "2003-07-02T10:52:37+02:00",
	"Wed, 2 Jul 2003 10:52:37 +02":            "2003-07-02T10:52:37+02:00",
	"Wed, 2 Jul 2003 10:52:37 GMT+0200":       "2003-07-02T10:52:37+02:00",
	"Wed, 2 Jul 2003 10:52:37+0200":           "2003-07-02T10:52:37+02:00",
	"Wed, 2 Jul 2003 10:52:37 PM +0200":       "2003-07-02T22:52:37+02:00",
	"Wed, 2 Jul 2003 12:52:37 AM +0200":       "2003-07-02T00:52:37+02:00",
	"  Wed, 2 Jul 2003 10:52:37 +0200  ":      "2003-07-02T10:52:37+02:00",
	"Wed, 2 Jul 2003\r\n 10:52:37 +0200":      "2003-07-02T10:52:37+02:00",
	"Wed Jul  2 10:52:37 2003":                "2003-07-02T10:52:37Z", // asctime
	"Wed Jul 2 10:52:37 EST 2003":             "2003-07-02T10:52:37-05:00",
	"2003-07-02T10:52:37+02:00":               "2003-07-02T10:52:37+02:00", // ISO 8601
	"2003-07-02T10:52:37Z":                    "2003-07-02T10:52:37Z",
	"2003-07-02 10:52:37":                     "2003-07-02T10:52:37Z",
	"2003-07-02":                              "2003-07-02T00:00:00Z",
	"2 Jul 2003":                              "2003-07-02T00:00:00Z",
	"Wed, 2 Jul 2003 10:52:37 +9999":          "2003-07-02T10:52:37Z", // out-of-range zone: -0000
	"Wed, 2 Jul 2003 10:52:37 -0000 (Mumbai)": "2003-07-02T10:52:37Z",

	// Rejected.
	"":                                        "",
	"garbage":                                 "",
	"Wed, 2 Jul":                              "",
	"Jul 2003 10:52:37":                       "",
	"Wed, 30 Feb 2003 10:52:37 +0000":         "",
	"Wed, 29 Feb 2003 10:52:37 +0000":         "",
	"Wed, 31 Apr 2003 10:52:37 +0000":         "",
	"Wed, 32 Jul 2003 10:52:37 +0000":         "",
	"Wed, 2 Jul 2003 24:00:00 +0000":          "",
	"Wed, 2 Jul 2003 10:60:00 +0000":          "",
	"Wed, 2 Jul 2003 10:52:61 +0000":          "",
	"Wed, 2 Jul 2003 10:5:37 +0000":           "",
	"Wed, 2 Jul 2003 100:52:37 +0000":         "",
	"Wed, 2 Jul 2003 10:52:37 +0000 10:52:37": "",
	"Wed, 2 Jul Aug 2003 10:52:37":            "",
	"Wed, 2 Jul 2003 2004 10:52:37":           "",
	"Wed, 2nd Jul 2003 10:52:37":              "",
	"02/07/2003 10:52:37":                     "",
	"Wed, 2 Jul 0 10:52:37":                   "2000-07-02T10:52:37Z", // one-digit year, as two-digit
	"Wed, 2 Jul 99999 10:52:37":               "",
	"Wed, 2 Jul 2003 10:52:37 +0200x":         "",
	"Wed, 2 Jul 2003 10:52:37 é":              "",
	"2003-7-2":                                "",
	"2003-07-02X10:52":                        "",
}

func TestParseDate(t *testing.T) {
	for in, want := range dateCases {
		got, err := ParseDate(in)
		if want == "" {
			assert.Error(t, err, "%q gave %v", in, got)
			assert.True(t, errors.Is(err, email.ErrInvalidArgument), "%q: %v", in, err)
			assert.True(t, got.IsZero())
			continue
		}
		if assert.NoError(t, err, "%q", in) {
			assert.Equal(t, want, got.Format(time.RFC3339Nano), "%q", in)
		}
	}
}

// TestParseDateZoneIndependent parses every case under several local zones
// and checks that the results are identical, instant and offset.
func TestParseDateZoneIndependent(t *testing.T) {
	parseAll := func() map[string]string {
		out := map[string]string{}
		for in := range dateCases {
			d, err := ParseDate(in)
			if err == nil {
				_, off := d.Zone()
				out[in] = d.Format(time.RFC3339Nano) + " " + time.Duration(off).String()
			}
		}
		return out
	}
	ref := parseAll()
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	for _, name := range []string{"America/New_York", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe", "UTC"} {
		t.Run(name, func(t *testing.T) {
			loc, err := time.LoadLocation(name)
			require.NoError(t, err)
			time.Local = loc
			assert.Equal(t, ref, parseAll())
			// Named zones in particular do not follow the local zone.
			d, err := ParseDate("2 Jul 2003 10:52:37 EST")
			require.NoError(t, err)
			_, off := d.Zone()
			assert.Equal(t, -5*3600, off)
		})
	}
	time.Local = time.FixedZone("odd", 5*3600+45*60)
	assert.Equal(t, ref, parseAll())
}

func TestParseDateKeepsOffset(t *testing.T) {
	d, err := ParseDate("Tue, 1 Jul 2003 10:52:37 +0200")
	require.NoError(t, err)
	name, off := d.Zone()
	assert.Equal(t, 7200, off)
	assert.Equal(t, "", name)
	assert.Equal(t, 10, d.Hour())
	d, err = ParseDate("Tue, 1 Jul 2003 10:52:37 +0000")
	require.NoError(t, err)
	assert.Equal(t, time.UTC, d.Location())
}

func TestParseDateErrorIsBounded(t *testing.T) {
	long := "x" + string(make([]byte, 1<<20))
	_, err := ParseDate(long)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 400, "the value is cut in the error")
}
