package header

import (
	"bytes"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
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

// sampleHeads returns the heads of the sample messages.
func sampleHeads(f *testing.F) [][]byte {
	var out [][]byte
	for _, b := range addCorpus(f) {
		out = append(out, b[:End(b)])
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

// FuzzDecodeWords checks that DecodeWords never panics, returns valid
// UTF-8 at most three times as long as its input (a byte becomes at most
// one U+FFFD), keeps text without encoded words or folds as it is
// (trimmed of spaces and tabs), and agrees with mime.WordDecoder on a
// lone UTF-8 encoded word that both read.
func FuzzDecodeWords(f *testing.F) {
	for _, s := range []string{"=?utf-8?q?caf=C3=A9?=", "=?utf-8?b?4oI=?= =?utf-8?b?rA==?=", "=?koi8-r?b?8NLJ18XU?=", "a =? b", "=?x?q?\xff?=", "=?UTF-8?B?SsO2cmc=?=", "plain text"} {
		f.Add(s)
	}
	for _, head := range sampleHeads(f) {
		for _, line := range bytes.Split(head, []byte("\n")) {
			if _, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.Contains(v, []byte("=?")) {
				f.Add(string(v))
			}
		}
	}
	dec := mime.WordDecoder{}
	f.Fuzz(func(t *testing.T, in string) {
		out := DecodeWords(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		if len(out) > 3*len(in) {
			t.Fatalf("%d bytes from %d", len(out), len(in))
		}
		if !strings.Contains(in, "=?") && !strings.ContainsAny(in, "\r\n") && utf8.ValidString(in) {
			if want := strings.Trim(in, " \t"); out != want {
				t.Fatalf("plain %q became %q", in, out)
			}
		}
		if loneUTF8Word(in) {
			if want, err := dec.Decode(in); err == nil && utf8.ValidString(want) && !strings.ContainsFunc(want, unicode.IsControl) && strings.TrimSpace(want) != out {
				t.Fatalf("%q: mime.WordDecoder %q, DecodeWords %q", in, want, out)
			}
		}
	})
}

// loneUTF8Word reports whether s is one encoded word in UTF-8 (RFC 2047
// section 2) and nothing else.
func loneUTF8Word(s string) bool {
	rest, ok := strings.CutPrefix(strings.ToLower(s), "=?utf-8?")
	if !ok || len(rest) < 4 || (rest[0] != 'q' && rest[0] != 'b') || rest[1] != '?' || !strings.HasSuffix(rest, "?=") {
		return false
	}
	text := rest[2 : len(rest)-2]
	return !strings.ContainsAny(text, "? \t\r\n")
}

// unquoted returns addr with its local part unquoted as net/mail does, or
// addr when net/mail cannot read it.
func unquoted(addr string) string {
	if a, err := mail.ParseAddress("<" + addr + ">"); err == nil {
		return a.Address
	}
	return addr
}

// FuzzParseAddressList checks that ParseAddressList never panics, returns
// valid UTF-8 and no entry with neither a name nor an address, reads what net/mail reads
// whenever net/mail accepts the list, and reads back the list net/mail
// formats from its result.
func FuzzParseAddressList(f *testing.F) {
	for _, s := range []string{`"Lee, Ann" <a@b>, c@d (C)`, "g: a@b, <c@d>;", "=?utf-8?q?J=C3=B6rg?= <j@x>", `"x`, "(", "<@r:a@b>", `"a b"@example.test, Ann <ann@x.y>`} {
		f.Add(s)
	}
	for _, head := range sampleHeads(f) {
		for _, line := range bytes.Split(head, []byte("\n")) {
			k, v, ok := bytes.Cut(line, []byte(":"))
			if ok && (bytes.EqualFold(k, []byte("From")) || bytes.EqualFold(k, []byte("To")) || bytes.EqualFold(k, []byte("Cc"))) {
				f.Add(string(bytes.TrimSpace(v)))
			}
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := ParseAddressList(in)
		for _, a := range got {
			if a.Email == "" && a.Name == "" || !utf8.ValidString(a.Email) || !utf8.ValidString(a.Name) {
				t.Fatalf("bad address %+v", a)
			}
		}
		strict, err := mail.ParseAddressList(in)
		if err != nil || !utf8.ValidString(in) {
			return
		}
		var emails []string
		for _, a := range strict {
			emails = append(emails, a.Address)
		}
		// A quoted local part is kept quoted ("a b"@x), where net/mail
		// unquotes it: compare the unquoted forms.
		var gotEmails []string
		for _, a := range got {
			if a.Email == "" {
				continue // an empty group's name, kept as display text
			}
			gotEmails = append(gotEmails, unquoted(a.Email))
		}
		if !slices.Equal(emails, gotEmails) {
			t.Fatalf("%q: net/mail reads %q, ParseAddressList %q", in, emails, gotEmails)
		}
		// What net/mail writes of it reads back the same, except names that
		// look like encoded words: ParseAddressList decodes those even
		// inside quotes, as mail readers do (against RFC 2047 section 5),
		// names that are not UTF-8, which it makes valid, and names with
		// control characters, which it drops.
		var parts []string
		for _, a := range strict {
			if strings.Contains(a.Name, "=?") || !utf8.ValidString(a.Name) || strings.ContainsFunc(a.Name, unicode.IsControl) {
				return
			}
			parts = append(parts, a.String())
		}
		formatted := strings.Join(parts, ", ")
		back := ParseAddressList(formatted)
		if len(back) != len(strict) {
			t.Fatalf("%q formatted as %q reads back as %+v", in, formatted, back)
		}
		for i, a := range strict {
			if unquoted(back[i].Email) != a.Address || back[i].Name != strings.TrimSpace(a.Name) {
				t.Fatalf("%q formatted as %q reads back as %+v, want %q <%s>", in, formatted, back, a.Name, a.Address)
			}
		}
	})
}
