package header

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ioemail/ioemail/email"
)

// addCorpus seeds f with the sample messages and with each one's head.
func addCorpus(f *testing.F) [][]byte {
	files, err := filepath.Glob(filepath.Join(corpus, "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no samples in %s: %v", corpus, err)
	}
	var out [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzScan checks that Scan never panics, returns valid UTF-8, agrees with
// End, and reads the same envelope from the head alone.
func FuzzScan(f *testing.F) {
	for _, b := range addCorpus(f) {
		f.Add(b)
	}
	for _, s := range []string{
		"", "\r\n", "\n", ":", "Subject: =?utf-8?b?", "From: \"", "From: (", "From: <",
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n",
		"Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n\r\n",
		"To: g: a@b, \"x\" <c@d>;, (c) e@f\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := Scan(data)
		checkValid(t, s)
		if s.BodyOffset != End(data) {
			t.Fatalf("BodyOffset %d, End %d", s.BodyOffset, End(data))
		}
		if s.BodyOffset >= 0 {
			h := Scan(data[:s.BodyOffset])
			h.HasAttachment = s.HasAttachment
			if !equalSummary(s, h) {
				t.Fatalf("head alone differs:\n%+v\n%+v", s, h)
			}
		}
		for f := range Fields(data) {
			if len(f.Name) == 0 || bytes.ContainsAny(f.Name, " \t\r\n:") {
				t.Fatalf("bad field name %q", f.Name)
			}
		}
	})
}

func equalSummary(a, b Summary) bool {
	eq := func(x, y []email.Address) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	return a.MessageID == b.MessageID && a.Subject == b.Subject && a.Date.Equal(b.Date) &&
		eq(a.From, b.From) && eq(a.To, b.To) && eq(a.Cc, b.Cc) && a.BodyOffset == b.BodyOffset
}

// FuzzParseDate checks that ParseDate never panics and that what it accepts
// survives a round trip through RFC 5322 form.
func FuzzParseDate(f *testing.F) {
	for in := range dateCases {
		f.Add(in)
	}
	for _, b := range addCorpus(f) {
		if v := Scan(b); !v.Date.IsZero() {
			f.Add(v.Date.Format(time.RFC1123Z))
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParseDate(in)
		if err != nil {
			if !d.IsZero() {
				t.Fatalf("error with a time: %v", d)
			}
			return
		}
		if d.Year() < 1 || d.Year() > 9999 {
			t.Fatalf("year out of range: %v", d)
		}
		out := d.Format("Mon, 2 Jan 2006 15:04:05 -0700")
		back, err := ParseDate(out)
		if err != nil {
			t.Fatalf("%q -> %q: %v", in, out, err)
		}
		_, o1 := d.Zone()
		_, o2 := back.Zone()
		if !back.Equal(d.Truncate(time.Second)) || o1 != o2 {
			t.Fatalf("%q -> %q -> %v", in, out, back)
		}
	})
}

// FuzzDecodeWords checks that DecodeWords never panics and returns valid
// UTF-8.
func FuzzDecodeWords(f *testing.F) {
	for _, s := range []string{"=?utf-8?q?caf=C3=A9?=", "=?utf-8?b?4oI=?= =?utf-8?b?rA==?=", "=?koi8-r?b?8NLJ18XU?=", "a =? b", "=?x?q?\xff?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if out := DecodeWords(in); !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
	})
}

// FuzzParseAddressList checks that ParseAddressList never panics, returns
// valid UTF-8 and no entry with neither a name nor an address.
func FuzzParseAddressList(f *testing.F) {
	for _, s := range []string{`"Lee, Ann" <a@b>, c@d (C)`, "g: a@b, <c@d>;", "=?utf-8?q?J=C3=B6rg?= <j@x>", `"x`, "(", "<@r:a@b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, a := range ParseAddressList(in) {
			if a.Email == "" && a.Name == "" || !utf8.ValidString(a.Email) || !utf8.ValidString(a.Name) {
				t.Fatalf("bad address %+v", a)
			}
		}
	})
}
