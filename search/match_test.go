package search

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

// sample is a message of testdata/search with the envelope built from it.
type sample struct {
	raw []byte
	env email.Envelope
}

// loadSamples reads testdata/search and builds the envelopes with
// go-message, independently of the module's own header scanner.
func loadSamples(t *testing.T) map[string]sample {
	t.Helper()
	files, err := filepath.Glob("../testdata/search/*.eml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]sample{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		name := filepath.Base(f)
		out[name[:len(name)-len(".eml")]] = sample{raw: raw, env: envelopeOf(t, name, raw)}
	}
	return out
}

func envelopeOf(t *testing.T, id string, raw []byte) email.Envelope {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	require.NoError(t, err, id)
	mh := mail.Header{}
	mh.Header.Header = h
	env := email.Envelope{ID: id, Size: int64(len(raw))}
	env.Subject, _ = mh.Subject()
	env.Date, _ = mh.Date()
	for _, a := range must(mh.AddressList("From")) {
		env.From = append(env.From, email.Address{Name: a.Name, Email: a.Address})
	}
	for _, a := range must(mh.AddressList("To")) {
		env.To = append(env.To, email.Address{Name: a.Name, Email: a.Address})
	}
	return env
}

func must(l []*mail.Address, _ error) []*mail.Address { return l }

// run returns the sorted names of the samples matching q.
func run(t *testing.T, samples map[string]sample, q Query) []string {
	t.Helper()
	var out []string
	for name, s := range samples {
		ok, err := q.Match(s.env, func() ([]byte, error) { return s.raw, nil })
		require.NoError(t, err)
		if ok {
			out = append(out, name)
		}
		// MatchEnvelope agrees with Match whenever it knows.
		if m, known := q.MatchEnvelope(s.env); known {
			assert.Equal(t, ok, m, "%s: %s", name, q)
		} else {
			assert.True(t, q.NeedsBody())
		}
	}
	slices.Sort(out)
	return out
}

func TestMatchSamples(t *testing.T) {
	s := loadSamples(t)
	require.Equal(t, "Réunion du matin café", s["qp-latin1"].env.Subject, "encoded words decode")
	require.Equal(t, "Встреча", s["b64-koi8r"].env.Subject)

	cases := []struct {
		q    string
		want []string
	}{
		// Subjects: decoded, case-insensitive, Unicode.
		{"subject réunion", []string{"qp-latin1"}},
		{"subject RÉUNION", []string{"qp-latin1"}},
		{`subject "du matin café"`, []string{"qp-latin1"}},
		{"subject встреча", []string{"b64-koi8r"}},
		{"subject quarterly", []string{"alternative"}},
		{"subject =?UTF-8?B?", nil},
		// Addresses: name or address, decoded names.
		{"from zoé", []string{"qp-latin1"}},
		{"from ZOE@EXAMPLE", []string{"qp-latin1"}},
		{"from иван", []string{"b64-koi8r"}},
		{"from example.com", []string{"no-date", "unknown-charset", "broken-multipart"}},
		{"to team", []string{"alternative"}},
		{"to carol", []string{"alternative"}},
		{"from carol", []string{"mixed-attachment"}},
		{"to alice", []string{"b64-koi8r", "mixed-attachment", "unknown-charset", "broken-multipart"}},
		// Bodies: transfer encodings and charsets decoded.
		{"body crème", []string{"qp-latin1"}},
		{`body "café crème est"`, []string{"qp-latin1"}},
		{"body мир", []string{"b64-koi8r"}},
		{"body ПРИВЕТ", []string{"b64-koi8r"}},
		{`body "numbers – see"`, []string{"alternative"}},
		{`body "“report”"`, []string{"alternative"}},
		{"body résumé", []string{"alternative"}},
		{"body <b>numbers</b>", []string{"alternative"}},
		{"body contract", []string{"mixed-attachment"}},
		{"body attachedsecret", nil},
		{"body preamblesecret", nil},
		{"body iVBORw0KGgo", nil},
		{"body survive", []string{"unknown-charset"}},
		{"body \"without a date\"", []string{"no-date"}},
		{"body brokenword", []string{"broken-multipart"}},
		{"body =E9", nil},
		{"body 8J+YgA", nil},
		// Boolean structure.
		{"from alice or from carol", []string{"alternative", "mixed-attachment"}},
		{"to alice not body contract", []string{"b64-koi8r", "unknown-charset", "broken-multipart"}},
		{"not (to alice or to bob)", []string{"alternative"}},
		{"(from zoé or from иван) and body мир", []string{"b64-koi8r"}},
	}
	for _, c := range cases {
		q, err := Parse(c.q)
		require.NoError(t, err, c.q)
		want := slices.Clone(c.want)
		slices.Sort(want)
		assert.Equal(t, want, run(t, s, q), c.q)
	}
}

func TestMatchDates(t *testing.T) {
	s := loadSamples(t)
	// qp-latin1: 2026-03-02 23:30 -0500 (2026-03-03 in UTC).
	// b64-koi8r: 2026-03-03 00:30 +0200 (2026-03-02 in UTC).
	// broken-multipart: 2026-03-06 08:00 -0800; no-date has none.
	cases := []struct {
		q    string
		want []string
	}{
		{"date 2026-03-02", []string{"qp-latin1"}},
		{"date 2026-03-03", []string{"b64-koi8r"}},
		{"date 2026-03-06", []string{"broken-multipart"}},
		{"before 2026-03-03", []string{"qp-latin1"}},
		{"after 2026-03-05", []string{"broken-multipart"}},
		{"after 2026-03-02 before 2026-03-04", []string{"b64-koi8r"}},
		{"before 2027-01-01", []string{"alternative", "b64-koi8r", "broken-multipart", "mixed-attachment", "qp-latin1", "unknown-charset"}},
		{"after 1970-01-01", []string{"alternative", "b64-koi8r", "broken-multipart", "mixed-attachment", "qp-latin1", "unknown-charset"}},
		{"not before 2027-01-01", []string{"no-date"}},
		{"not date 2026-03-02 and subject undated", []string{"no-date"}},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, run(t, s, MustParse(c.q)), c.q)
	}
}

func TestMatchDayBoundaries(t *testing.T) {
	zone := func(h int) *time.Location { return time.FixedZone("", h*3600) }
	at := func(d, h, m int, off int) email.Envelope {
		return email.Envelope{Date: time.Date(2026, 1, d, h, m, 0, 0, zone(off))}
	}
	cases := []struct {
		env  email.Envelope
		q    string
		want bool
	}{
		{at(15, 0, 0, 0), "date 2026-01-15", true},
		{at(15, 23, 59, 0), "date 2026-01-15", true},
		{at(15, 23, 59, -12), "date 2026-01-15", true}, // 2026-01-16 11:59 UTC
		{at(15, 0, 0, 14), "date 2026-01-15", true},    // 2026-01-14 10:00 UTC
		{at(15, 0, 0, 14), "before 2026-01-15", false},
		{at(15, 0, 0, 14), "after 2026-01-14", true},
		{at(15, 23, 59, -12), "after 2026-01-15", false},
		{at(15, 23, 59, -12), "before 2026-01-16", true},
		{at(16, 0, 0, 0), "before 2026-01-16", false},
		{at(14, 23, 59, 0), "before 2026-01-15", true},
		{at(1, 0, 0, 0), "after 2025-12-31", true},
		{at(1, 0, 0, 0), "date 2025-12-31", false},
		{email.Envelope{}, "date 2026-01-15", false},
		{email.Envelope{}, "before 9999-12-31", false},
		{email.Envelope{}, "after 0001-01-01", false},
		{email.Envelope{}, "not after 0001-01-01", true},
	}
	for _, c := range cases {
		ok, err := MustParse(c.q).Match(c.env, nil)
		require.NoError(t, err)
		assert.Equal(t, c.want, ok, "%s on %v", c.q, c.env.Date)
	}
}

func TestMatchFlags(t *testing.T) {
	env := email.Envelope{Flags: email.ParseFlags(`\Seen`, "$Forwarded", "Work")}
	for q, want := range map[string]bool{
		"flag seen": true, `flag \Seen`: true, "flag $seen": true, "flag SEEN": true,
		"flag forwarded": true, `flag \Forwarded`: true, "flag work": true, "flag WORK": true,
		"flag flagged": false, "flag Worker": false, "not flag seen": false,
		"flag seen and not flag flagged": true,
	} {
		ok, err := MustParse(q).Match(env, nil)
		require.NoError(t, err)
		assert.Equal(t, want, ok, q)
	}
}

func TestMatchLazyBody(t *testing.T) {
	env := email.Envelope{From: []email.Address{{Name: "Alice", Email: "alice@example.org"}}}
	calls := 0
	body := func() ([]byte, error) {
		calls++
		return []byte("Subject: x\r\n\r\nhello world\r\n"), nil
	}
	ok, err := MustParse("from bob and body hello").Match(env, body)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, 0, calls, "the body is not loaded when the answer is known")

	ok, err = MustParse("from alice and body hello and body world and not body absent").Match(env, body)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, 1, calls, "the body is loaded once")

	boom := errors.New("disk on fire")
	_, err = MustParse("body x").Match(env, func() ([]byte, error) { return nil, boom })
	assert.ErrorIs(t, err, boom)
	_, err = MustParse("not body x").Match(env, nil)
	assert.ErrorIs(t, err, ErrNoBody)
	ok, err = MustParse("from alice").Match(env, nil)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = Query{}.Match(env, nil)
	require.NoError(t, err)
	assert.True(t, ok)

	m, known := MustParse("from bob and body x").MatchEnvelope(env)
	assert.True(t, known)
	assert.False(t, m)
	m, known = MustParse("from alice or body x").MatchEnvelope(env)
	assert.True(t, known)
	assert.True(t, m)
	_, known = MustParse("from alice and not body x").MatchEnvelope(env)
	assert.False(t, known)
}

func TestMatchEmptyValues(t *testing.T) {
	env := email.Envelope{Subject: "", From: []email.Address{{Email: "a@b"}}}
	for q, want := range map[string]bool{
		`subject ""`: true, `from ""`: true, `to ""`: false, `body ""`: true,
	} {
		ok, err := MustParse(q).Match(env, func() ([]byte, error) { return nil, nil })
		require.NoError(t, err)
		assert.Equal(t, want, ok, q)
	}
}

func TestBodyContainsHostile(t *testing.T) {
	var deep bytes.Buffer
	deep.WriteString("Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := range 200 {
		deep.WriteString("--b" + itoa(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + itoa(i+1) + "\r\n\r\n")
	}
	deep.WriteString("--b200\r\nContent-Type: text/plain\r\n\r\ndeepword\r\n")
	assert.False(t, BodyContains(deep.Bytes(), "deepword"), "parts below the depth limit are not searched")
	shallow := []byte("Content-Type: multipart/mixed; boundary=b0\r\n\r\n--b0\r\nContent-Type: text/plain\r\n\r\nshallowword\r\n--b0--\r\n")
	assert.True(t, BodyContains(shallow, "shallowword"))

	for _, raw := range []string{"", "\r\n", "no header at all", "Bad header\r\n\r\nbody text here", "X: y\r\n",
		"Content-Type: multipart/mixed\r\n\r\nno boundary text", "Content-Type: text/plain; charset=\"\r\n\r\nweird",
		"Content-Type: ;;;\r\n\r\nsemicolons"} {
		assert.NotPanics(t, func() { BodyContains([]byte(raw), "text") }, "%q", raw)
	}
	assert.True(t, BodyContains([]byte("Content-Type: ;;;\r\n\r\nsemicolons"), "semicolons"), "an invalid type is text/plain")
	assert.True(t, BodyContains([]byte("Subject: x\r\n\r\nun cafe\u0301 noir\r\n"), "CAFÉ NOIR"), "composition is ignored")
	assert.True(t, BodyContains([]byte("Bad header\r\n\r\nbody text here"), "text here"), "a broken header still searches the body")
}

// FuzzBodyContains checks that body search never panics on any message.
func FuzzBodyContains(f *testing.F) {
	files, _ := filepath.Glob("../testdata/search/*.eml")
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err == nil {
			f.Add(raw, "the")
		}
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\n--x--"), "")
	f.Fuzz(func(t *testing.T, raw []byte, s string) {
		BodyContains(raw, s)
	})
}

func TestContainsFold(t *testing.T) {
	for _, c := range []struct {
		s, pat string
		want   bool
	}{
		{"Hello World", "o w", true}, {"Hello World", "", true}, {"", "", true}, {"", "a", false},
		{"HELLO", "hello", true}, {"HELL", "hello", false}, {"abcabd", "abd", true},
		{"Straße", "straße", true}, {"STRASSE", "straße", false}, {"ÉCOLE", "école", true},
		{"plain ascii", "é", false}, {"\u212Aelvin", "kelvin", true}, // Kelvin sign folds to k
		{"[Team] Re:", "[team] re:", true},
		{"Cafe\u0301 noir", "CAFÉ", true}, {"Café noir", "cafe\u0301", true}, {"Cafe\u0301", "cafe", false},
	} {
		assert.Equal(t, c.want, containsFold(c.s, fold(c.pat)), "%q in %q", c.pat, c.s)
		assert.Equal(t, strings.Contains(fold(c.s), fold(c.pat)), containsFold(c.s, fold(c.pat)), "%q in %q", c.pat, c.s)
	}
}

// FuzzContainsFold checks the ASCII fast path against the plain definition.
func FuzzContainsFold(f *testing.F) {
	f.Add("Hello World", "WORLD")
	f.Add("Straße", "SS")
	f.Add("\u212Aelvin", "K")
	f.Fuzz(func(t *testing.T, s, pat string) {
		p := fold(pat)
		if got, want := containsFold(s, p), strings.Contains(fold(s), p); got != want {
			t.Fatalf("containsFold(%q, %q) = %v, want %v", s, p, got, want)
		}
	})
}
