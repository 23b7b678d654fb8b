package maildir

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
)

func TestParseName(t *testing.T) {
	cases := []struct {
		file              string
		sep               byte
		key, flags, extra string
		size, vsize       int64
		info              bool
	}{
		{"1035478339.27041_118.foo.org,S=1000,W=1030:2,Sab", ':', "1035478339.27041_118.foo.org,S=1000,W=1030", "Sab", "", 1000, 1030, true},
		{"1700000000.M1P1.host,S=4567", ':', "1700000000.M1P1.host,S=4567", "", "", 4567, -1, false},
		{"1.host:2,S,foo", ':', "1.host", "S", ",foo", -1, -1, true},
		{"1.host,U=1:2,S", ':', "1.host,U=1", "S", "", -1, -1, true},
		{"1.host:2,", ':', "1.host", "", "", -1, -1, true},
		{"1.host;2,FS", ';', "1.host", "FS", "", -1, -1, true},
		{"1.host;2,FS", ':', "1.host;2,FS", "", "", -1, -1, false},
		{"1.host:1,exp", ':', "1.host", "", "", -1, -1, true},
		{"1.host,S=12x:2,S", ':', "1.host,S=12x", "S", "", -1, -1, true},
		{"1.host,S=99999999999999999999", ':', "1.host,S=99999999999999999999", "", "", -1, -1, false},
		{"1.host:2,S:2,F", ':', "1.host", "S:2", ",F", -1, -1, true},
	}
	for _, c := range cases {
		n, err := ParseName(c.file, c.sep)
		require.NoError(t, err, c.file)
		assert.Equal(t, c.key, n.Key, c.file)
		assert.Equal(t, c.flags, n.Flags, c.file)
		assert.Equal(t, c.extra, n.Extra, c.file)
		assert.Equal(t, c.size, n.Size, c.file)
		assert.Equal(t, c.vsize, n.VSize, c.file)
		assert.Equal(t, c.info, n.HasInfo, c.file)
		assert.Equal(t, c.file, n.file(c.sep), "round trip")
	}
	for _, bad := range []string{"", ".hidden", ".x:2,S", ":2,S", "a/b", "a\x00b", strings.Repeat("a", 5000)} {
		_, err := ParseName(bad, ':')
		assert.ErrorIs(t, err, email.ErrInvalidID, "%q", bad)
	}
}

// A size field in the key is never read as a flag (seed-reference 11.18).
func TestSizeFieldIsNoFlag(t *testing.T) {
	n, err := ParseName("1700000000.M1P1.host,S=4567", ':')
	require.NoError(t, err)
	assert.Empty(t, n.FlagSet(nil))
	assert.False(t, n.Seen())
}

func TestFlagSetAndRender(t *testing.T) {
	kw := ParseKeywords([]byte("0 $Junk\n1 Work\nbogus line\n3 Home\n"))
	n, err := ParseName("1.h:2,DFPRSTabcdXz9", ':')
	require.NoError(t, err)
	fs := n.FlagSet(kw)
	assert.True(t, fs.Equal(email.ParseFlags(`\Draft`, `\Flagged`, "$Forwarded", `\Answered`, `\Seen`, `\Deleted`, "$junk", "work", "Home")), "%v", fs)
	assert.Equal(t, "9Xcz", sortFlags(n.keep(kw)), "unmapped keyword letters and unknown bytes are kept")
	letters, missing := render(fs.Apply(email.FlagRemove, email.ParseFlags(`\Seen`, "Work")), n.keep(kw), kw)
	assert.Empty(t, missing)
	assert.Equal(t, "9DFPRTXacdz", letters)
	assert.Equal(t, "1.h:2,9DFPRTXacdz", n.WithFlags(letters, ':'))
	_, missing = render(email.ParseFlags("New"), "", kw)
	assert.Len(t, missing, 1)
	assert.Equal(t, "0 $Junk\n1 Work\n3 Home\nbogus line\n", string(kw.Bytes()))
}

func TestKeywordsAssign(t *testing.T) {
	kw := ParseKeywords([]byte("1 Work\n"))
	require.NoError(t, kw.assign(email.ParseFlags("work", "Home", "$Important")))
	assert.Equal(t, "0 $Important\n1 Work\n2 Home\n", string(kw.Bytes()))
	assert.Equal(t, "Home", kw.Name('c'))
	for i := range 23 {
		require.NoError(t, kw.assign(email.ParseFlags("k"+string(rune('a'+i)))))
	}
	err := kw.assign(email.ParseFlags("one-too-many"))
	assert.ErrorIs(t, err, email.ErrInvalidArgument)
}

func TestCheckKeyword(t *testing.T) {
	for _, ok := range []string{"Work", "$Junk", "$label1", "Ünïcode-is-not-an-atom"[:0] + "x"} {
		assert.NoError(t, checkKeyword(email.ParseFlag(ok)), ok)
	}
	for _, bad := range []string{"two words", "a\r\nb", `back\slash`, `\Recent`, "par(en", "", "ü"} {
		assert.ErrorIs(t, checkKeyword(email.ParseFlag(bad)), email.ErrInvalidArgument, "%q", bad)
	}
}

func TestEscapeHost(t *testing.T) {
	assert.Equal(t, `a\057b\072c\073d\054e`, escapeHost("a/b:c;d,e"))
	assert.Equal(t, "localhost", escapeHost(""))
	assert.Equal(t, `x\012y`, escapeHost("x\ny"))
}

// wildNames reads the seed names of testdata/maildir/names.txt.
func wildNames(t testing.TB) []string {
	f, err := os.Open("../testdata/maildir/names.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestWildNames(t *testing.T) {
	for _, name := range wildNames(t) {
		sep := byte(':')
		if strings.Contains(name, ";2,") {
			sep = ';'
		}
		n, err := ParseName(name, sep)
		require.NoError(t, err, name)
		assert.NotContains(t, n.Key, string(sep), name)
		assert.Equal(t, name, n.file(sep))
	}
}

// FuzzParseName checks that the parser never panics, that it round-trips
// every name it accepts, and that a flag rewrite keeps key and extension.
func FuzzParseName(f *testing.F) {
	for _, n := range wildNames(f) {
		f.Add(n, true)
		f.Add(n, false)
	}
	f.Fuzz(func(t *testing.T, file string, colon bool) {
		sep := byte(';')
		if colon {
			sep = ':'
		}
		n, err := ParseName(file, sep)
		if err != nil {
			return
		}
		if n.file(sep) != file {
			t.Fatalf("round trip of %q gave %q", file, n.file(sep))
		}
		if strings.IndexByte(n.Key, sep) >= 0 || n.Key == "" {
			t.Fatalf("key %q of %q", n.Key, file)
		}
		kw := ParseKeywords([]byte("0 $Junk\n1 Work\n"))
		fs := n.FlagSet(kw)
		letters, missing := render(fs, n.keep(kw), kw)
		if len(missing) > 0 {
			t.Fatalf("flags read from %q cannot be written back: %v", file, missing)
		}
		out := n.WithFlags(letters, sep)
		if len(out) > maxFileName {
			// A name at the parser's bound has no room for an info
			// section; no file system holds such a name anyway (255
			// bytes on Linux), so the rename would fail there.
			return
		}
		back, err := ParseName(out, sep)
		if err != nil {
			t.Fatalf("rewritten name %q of %q does not parse: %v", out, file, err)
		}
		if back.Key != n.Key || back.Extra != n.Extra {
			t.Fatalf("rewrite of %q changed key or extension: %q", file, out)
		}
		if !back.FlagSet(kw).Equal(fs) {
			t.Fatalf("rewrite of %q changed flags: %v -> %v", file, fs, back.FlagSet(kw))
		}
	})
}
