package header

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

const corpus = "../../testdata/messages"

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus, name))
	require.NoError(t, err)
	return b
}

func addr(name, mail string) email.Address { return email.Address{Name: name, Email: mail} }

// TestScanCorpus checks every field Scan extracts from every sample.
func TestScanCorpus(t *testing.T) {
	type want struct {
		id, subject  string
		from, to, cc []email.Address
		date         string // RFC 3339, "" for none
		attachment   bool
	}
	bob := addr("Bob Stone", "bob@example.com")
	plainBob := addr("", "bob@example.com")
	tests := map[string]want{
		"01-plain.eml": {
			id: "20250602091500.4B2C1A0F3@example.org", subject: "Lunch on Thursday?",
			from: []email.Address{addr("Alice Martin", "alice@example.org")}, to: []email.Address{bob},
			date: "2025-06-02T09:15:00Z",
		},
		"02-alternative.eml": {
			id: "offers-2025-06.8812@shop.example.net", subject: "Your June offers",
			from: []email.Address{addr("Shop Example", "newsletter@shop.example.net")}, to: []email.Address{plainBob},
			date: "2025-06-03T14:30:12+02:00",
		},
		"03-mixed-pdf.eml": {
			id: "inv-2025-117@supplier.example", subject: "Invoice 2025-117",
			from: []email.Address{addr("Billing", "billing@supplier.example")}, to: []email.Address{bob},
			cc:   []email.Address{addr("", "accounts@example.com")},
			date: "2025-06-04T08:00:00-07:00", attachment: true,
		},
		"04-encoded-utf8.eml": {
			id: "3f9a7c21-0b5e-4d1a-9c43-8e2f1d6a7b90@example.de", subject: "Grüße aus München ✈ — bis bald!",
			from: []email.Address{addr("Jörg Müller", "joerg@example.de")}, to: []email.Address{addr("Bob Stöne", "bob@example.com")},
			date: "2025-06-05T18:45:30+09:00",
		},
		"05-latin1.eml": {
			id: "20250606070707.GA1234@example.fr", subject: "Réunion de l'équipe – budget € 2025",
			from: []email.Address{addr("François Lefèvre", "francois@example.fr")}, to: []email.Address{plainBob},
			date: "2025-06-06T07:07:07+01:00",
		},
		"06-groups.eml": {
			id: "kickoff-reply-77@example.com", subject: "Re: Project kickoff",
			from: []email.Address{addr("Carol Jones", "carol@example.com")},
			to: []email.Address{addr("Stone, Bob", "bob@example.com"), addr("Dave Miller", "dave@example.com"),
				addr(`Eve "the auditor" Park`, "eve@example.net"), addr("undisclosed-recipients", "")},
			cc: []email.Address{addr("Alice Martin", "alice@example.org"), addr("Frank", "frank@example.com"),
				addr("Grace O'Neil", "grace@example.com")},
			date: "2025-06-07T12:00:00-04:00",
		},
		"07-folded.eml": {
			id: "folded.subject.1@example.org", subject: "A rather long subject line that a mail client has folded over two lines and then a third",
			from: []email.Address{addr("Henry Wu", "henry@example.org")},
			to:   []email.Address{bob, addr("Ivy Chen", "ivy@example.com")},
			date: "2025-06-08T22:10:05+05:30",
		},
		"08-no-date.eml": {
			id: "build-1042@ci.example.com", subject: "Nightly build #1042 passed",
			from: []email.Address{addr("CI", "robot@ci.example.com")}, to: []email.Address{plainBob},
		},
		"09-obsolete-date.eml": {
			id: "200307010852.AA01234@archive.example.net", subject: "Archived thread from 2003",
			from: []email.Address{addr("Old Archive", "old@archive.example.net")}, to: []email.Address{plainBob},
			date: "2003-07-01T10:52:37+02:00",
		},
		"10-two-digit-year.eml": {
			id: "OLD-L.12.1997@legacy.example.edu", subject: "[OLD-L] digest vol 12",
			from: []email.Address{addr("Legacy Lister", "listserv@legacy.example.edu")}, to: []email.Address{plainBob},
			date: "1997-07-02T10:52:37Z",
		},
		"11-named-zone.eml": {
			id: "call-moved.5521@example.us", subject: "Call moved to 10am Eastern",
			from: []email.Address{addr("Jack Reed", "jack@example.us")}, to: []email.Address{bob},
			date: "2025-06-12T09:30:00-05:00",
		},
		"12-raw-utf8.eml": {
			id: "minutes-0613@example.jp", subject: "会議の議事録 — café notes",
			from: []email.Address{addr("山田 太郎", "taro@example.jp")},
			to:   []email.Address{addr("Zoë Ångström", "zoe@example.se"), plainBob},
			date: "2025-06-13T10:00:00+09:00",
		},
		"13-odd-message-id.eml": {
			id: "form.8812@web1.example.com", subject: "Contact form submission",
			from: []email.Address{addr("Web Form", "noreply@example.com")}, to: []email.Address{plainBob},
			date: "2025-06-13T23:59:59-10:00",
		},
		"14-mixed-no-attachment.eml": {
			id: "CAF1b2c3d4e5f6@mail.example.org", subject: "[dev-list] Release notes draft",
			from: []email.Address{addr("Liam Novak via dev-list", "dev-list@lists.example.org")},
			to:   []email.Address{addr("", "dev-list@lists.example.org")},
			date: "2025-06-15T13:20:00+02:00",
		},
		"15-raw-8bit-cp1252.eml": {
			id: "0001-presupuesto@oldpc.example.com", subject: "Presupuesto año 2025 – revisión", // raw 8-bit read as Windows-1252
			from: []email.Address{addr("Mónica Ruiz", "monica@example.es")}, to: []email.Address{plainBob},
			date: "2025-06-16T10:00:00+02:00",
		},
	}
	files, err := filepath.Glob(filepath.Join(corpus, "*.eml"))
	require.NoError(t, err)
	require.Len(t, files, len(tests), "every sample has an expectation")
	for name, w := range tests {
		t.Run(name, func(t *testing.T) {
			data := readSample(t, name)
			s := Scan(data)
			assert.Equal(t, w.id, s.MessageID)
			assert.Equal(t, w.subject, s.Subject)
			assert.Equal(t, w.from, s.From)
			assert.Equal(t, w.to, s.To)
			assert.Equal(t, w.cc, s.Cc)
			if w.date == "" {
				assert.True(t, s.Date.IsZero(), "date %v", s.Date)
			} else {
				assert.Equal(t, w.date, s.Date.Format(time.RFC3339))
			}
			assert.Equal(t, w.attachment, s.HasAttachment)
			require.Greater(t, s.BodyOffset, 0)
			assert.Equal(t, End(data), s.BodyOffset)
			// The body starts right after the blank line.
			assert.True(t, bytes.HasSuffix(data[:s.BodyOffset], []byte("\n\n")) ||
				bytes.HasSuffix(data[:s.BodyOffset], []byte("\r\n\r\n")))
			// Scanning only the head gives the same envelope.
			head := Scan(data[:s.BodyOffset])
			head.HasAttachment = s.HasAttachment // the body is out of view
			assert.Equal(t, s, head)
		})
	}
}

// TestScanCorpusSortable checks that the samples' dates are distinct, so
// listings sorted by date have one right order.
func TestScanCorpusSortable(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus, "*.eml"))
	require.NoError(t, err)
	seen := map[int64]string{}
	for _, f := range files {
		s := Scan(readSample(t, filepath.Base(f)))
		if s.Date.IsZero() {
			continue
		}
		u := s.Date.Unix()
		require.NotContains(t, seen, u, "%s has the same date as %s", f, seen[u])
		seen[u] = f
	}
	assert.Len(t, seen, len(files)-1, "all but 08-no-date have a date")
}

func TestEnd(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", -1},
		{"Subject: x", -1},
		{"Subject: x\r\n", -1},
		{"Subject: x\r\n\r\n", 14},
		{"Subject: x\n\n", 12},
		{"Subject: x\n\nbody\n\n", 12},
		{"Subject: x\r\n\r\nbody\r\n\r\n", 14},
		{"\r\nbody", 2},
		{"\nbody", 1},
		{"A: 1\nB: 2\r\n\r\nbody", 13}, // mixed line ends
		{"A: 1\r\nB: 2\n\nbody", 12},   // the first blank line counts
		{"A: 1\r\n \r\nB: 2\r\n", -1},  // white space only: a fold, not a blank line
		{"A: 1\r\r\nB: 2\r\n\r\n", 15}, // a stray CR is not a line end
		{"A: 1\n\r\nbody", 7},          // LF then CRLF
		{"A: 1\r\n\r", -1},             // cut inside the blank line
		{strings.Repeat("X: y\r\n", 1000) + "\r\n", 6002},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, End([]byte(tt.in)), "%q", tt.in)
		// The walker agrees with End.
		w := walker{data: []byte(tt.in)}
		for _, _, ok := w.next(); ok; _, _, ok = w.next() {
		}
		assert.Equal(t, tt.want, w.bodyOffset, "walker %q", tt.in)
	}
}

func TestScanBodyOffset(t *testing.T) {
	s := Scan([]byte("Subject: cut\r\nFrom: a@b"))
	assert.Equal(t, -1, s.BodyOffset)
	assert.Equal(t, "cut", s.Subject, "fields before the cut are scanned")
	assert.Equal(t, []email.Address{addr("", "a@b")}, s.From, "a header-only message keeps its last field")

	s = Scan([]byte("Subject: a\r\n\r\nSubject: body text\r\n"))
	assert.Equal(t, 14, s.BodyOffset)
	assert.Equal(t, "a", s.Subject, "the body is not scanned")

	s = Scan([]byte("\r\nSubject: body"))
	assert.Equal(t, 2, s.BodyOffset)
	assert.Equal(t, "", s.Subject)
}

func TestScanFirstFieldWins(t *testing.T) {
	s := Scan([]byte("SUBJECT: first\nsubject: second\nfRoM: a@x\nFrom: b@y\nmessage-ID: <one@x>\nMessage-Id: <two@x>\n\n"))
	assert.Equal(t, "first", s.Subject)
	assert.Equal(t, []email.Address{addr("", "a@x")}, s.From)
	assert.Equal(t, "one@x", s.MessageID)
}

func TestScanSkipsJunkLines(t *testing.T) {
	head := "From alice@example.org Thu Nov 26 01:27:06 2026\n" + // mbox separator
		"   leading continuation\n" +
		"no colon here\n" +
		"Bad Name: x\n" +
		"Subject : spaced name\n" + // obsolete: white space before the colon
		": empty name\n" +
		"To: bob@example.com\n\n"
	s := Scan([]byte(head))
	assert.Equal(t, "spaced name", s.Subject)
	assert.Equal(t, []email.Address{addr("", "bob@example.com")}, s.To)
	assert.Nil(t, s.From)

	var names []string
	for f := range Fields([]byte(head)) {
		names = append(names, string(f.Name))
	}
	assert.Equal(t, []string{"Subject", "To"}, names)
}

func TestFields(t *testing.T) {
	head := "A: 1\r\nB:\r\n two\r\n\tthree\r\nC:3\n\nD: body\n"
	var got []Field
	for f := range Fields([]byte(head)) {
		got = append(got, f)
	}
	require.Len(t, got, 3)
	assert.Equal(t, "A", string(got[0].Name))
	assert.Equal(t, " 1", string(got[0].Value))
	assert.Equal(t, "\r\n two\r\n\tthree", string(got[1].Value), "folds stay in Value")
	assert.Equal(t, "3", string(got[2].Value))
	// Breaking out of the loop early is fine.
	n := 0
	for range Fields([]byte(head)) {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func TestMessageID(t *testing.T) {
	tests := map[string]string{
		"<a@b>":                 "a@b",
		"  <a@b>  ":             "a@b",
		"\r\n <a@b>":            "a@b",
		"< a @ b >":             "a@b",
		"<a@b> (comment)":       "a@b",
		"(comment) <a@b>":       "a@b",
		"a@b":                   "a@b",
		"<a@b":                  "a@b",
		"<>":                    "",
		"":                      "",
		"<a@b> <c@d>":           "a@b",
		"<a(x)@b>":              "a@b",
		"<\xffa@b>":             "\uFFFDa@b",
		"(unterminated <a@b>":   "",
		"<a@b> (unterminated":   "a@b",
		"\t<a@b>\r\n\t(note)\t": "a@b",
		// Without '@': kept as given, one pair of <> removed.
		"<20260113021000.ABCDEF>": "20260113021000.ABCDEF",
		"20260113021000.ABCDEF":   "20260113021000.ABCDEF",
		"<local-part-only>":       "local-part-only",
	}
	for in, want := range tests {
		assert.Equal(t, want, messageID([]byte(in)), "%q", in)
	}
}

// TestScanHostile feeds heads no sender should write; Scan must return
// quickly, without panicking, with valid UTF-8 everywhere.
func TestScanHostile(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	tests := map[string]string{
		"no header end":        "Subject: never ends" + strings.Repeat(" and on", 1000),
		"1 MB header field":    "X-Big: " + big + "\r\nSubject: after\r\n\r\n",
		"1 MB of folds":        "Subject: a" + strings.Repeat("\r\n b", 1<<18) + "\r\n\r\n",
		"1 MB of fields":       strings.Repeat("X: y\r\n", 1<<17) + "Subject: late\r\n\r\n",
		"NUL bytes":            "Sub\x00ject: a\x00b\r\nFrom: \x00 <a\x00@b>\r\nDate: \x00\r\n\r\n",
		"broken encodings":     "Subject: =?utf-8?b?####?= =?utf-8?q?=ZZ=?= =?bogus?x?y?= =?utf-8?b?\r\nFrom: =?unknown-8bit?q?=FF=FE?= <a@b>\r\n\r\n",
		"huge encoded word":    "Subject: =?utf-8?b?" + strings.Repeat("QUJD", 1<<18) + "?=\r\n\r\n",
		"huge charset name":    "Subject: =?" + strings.Repeat("u", 1<<16) + "?q?x?=\r\n\r\n",
		"unterminated quote":   "From: \"never closed <a@b>, c@d\r\nTo: (open comment a@b\r\nCc: <open angle, x@y\r\n\r\n",
		"deep comments":        "From: " + strings.Repeat("(", 1<<16) + "a@b\r\nDate: " + strings.Repeat("(", 1<<16) + "\r\n\r\n",
		"many addresses":       "To: " + strings.Repeat("a@b, ", 1<<16) + "\r\n\r\n",
		"many empty entries":   "To: " + strings.Repeat(",;:", 1<<16) + "\r\n\r\n",
		"invalid utf-8":        "Subject: \xff\xfe\xc3\r\nFrom: \xe2\x82 <\xff@\xfe>\r\n\r\n",
		"bad boundary":         "Content-Type: multipart/mixed; boundary=\"\r\n\r\n--\r\n",
		"empty boundary":       "Content-Type: multipart/mixed; boundary=\r\n\r\n----\r\n",
		"boundary in the body": "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n--b",
		"only CR":              strings.Repeat("\r", 1<<16),
		"only LF":              strings.Repeat("\n", 1<<16),
		"colons":               strings.Repeat(":", 1<<16),
		"date garbage":         "Date: " + strings.Repeat("99:99:99 ", 1<<14) + "\r\n\r\n",
		// Inputs that would take quadratic time in a naive scanner.
		"unfinished words":  "Subject: " + strings.Repeat("=?a?q?", 1<<17) + "\r\n\r\n",
		"words, one end":    "Subject: " + strings.Repeat("=?a?b?", 1<<17) + "?=\r\n\r\n",
		"many comments":     "From: " + strings.Repeat("a@b (", 1<<17) + "\r\nDate: " + strings.Repeat("(", 1<<17) + "\r\n\r\n",
		"many open quotes":  "To: " + strings.Repeat("\"<", 1<<17) + "\r\n\r\n",
		"many delimiters":   "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\nX: y\r\n", 1<<16),
		"many message-id <": "Message-ID: " + strings.Repeat("<(", 1<<17) + "\r\n\r\n",
	}
	for name, head := range tests {
		t.Run(name, func(t *testing.T) {
			s := Scan([]byte(head))
			checkValid(t, s)
		})
	}
}

// checkValid asserts that every string in s is valid UTF-8.
func checkValid(t testing.TB, s Summary) {
	t.Helper()
	strs := []string{s.MessageID, s.Subject}
	for _, l := range [][]email.Address{s.From, s.To, s.Cc} {
		for _, a := range l {
			strs = append(strs, a.Name, a.Email)
			if a.Email == "" && a.Name == "" {
				t.Errorf("address with neither name nor email: %+v", a)
			}
		}
	}
	for _, x := range strs {
		if !utf8.ValidString(x) {
			t.Errorf("invalid UTF-8: %q", x)
		}
	}
}

// TestScanResultsDoNotAlias checks that what Scan returns shares nothing
// with its input or with the buffers it reuses.
func TestScanResultsDoNotAlias(t *testing.T) {
	a := readSample(t, "06-groups.eml")
	first := Scan(a)
	want := Scan(bytes.Clone(a))
	for i := range a {
		a[i] = 'x'
	}
	for range 10 {
		Scan(readSample(t, "04-encoded-utf8.eml"))
		ParseAddressList("Someone Else <other@example.net>, third@example.org")
	}
	assert.Equal(t, want, first)
}

// TestScanConcurrent runs Scan from several goroutines (the client's file
// driver may): run with -race.
func TestScanConcurrent(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpus, "*.eml"))
	require.NoError(t, err)
	var msgs [][]byte
	var want []Summary
	for _, f := range files {
		b := readSample(t, filepath.Base(f))
		msgs = append(msgs, b)
		want = append(want, Scan(b))
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 200 {
				k := (i + g) % len(msgs)
				if s := Scan(msgs[k]); !equalSummary(s, want[k]) {
					errs <- assert.AnError
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
}
