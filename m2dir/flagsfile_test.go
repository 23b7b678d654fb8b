package m2dir_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

func TestFlagsFileRoundTrip(t *testing.T) {
	fs := email.ParseFlags(`\Seen`, `$seen`, `\Deleted`, "$forwarded", "Work", "$label1", `\Answered`)
	data := m2dir.FormatFlagsFile(fs)
	assert.Equal(t, "$seen\n$answered\n$Deleted\n$Forwarded\n$label1\nWork\n", string(data),
		"one canonical spelling per logical flag, set order")
	back, err := m2dir.ParseFlagsFile(data)
	require.NoError(t, err)
	assert.True(t, back.Equal(fs))
	assert.Nil(t, m2dir.FormatFlagsFile(nil), "no flags: no file")
}

func TestParseFlagsFileLenient(t *testing.T) {
	fs, err := m2dir.ParseFlagsFile([]byte("\\Seen\r\n\n  $flagged  \n\nWork")) // CRLF, blanks, no final newline
	require.NoError(t, err)
	assert.Equal(t, []string{`\Seen`, "$flagged", "Work"}, fs.Raw())
}

func TestParseFlagsFileGarbage(t *testing.T) {
	fs, err := m2dir.ParseFlagsFile([]byte("$seen\n\x00\x01garbage\xff\n$flagged\n" + strings.Repeat("x", 2000) + "\n"))
	var ffe *m2dir.FlagsFileError
	require.True(t, errors.As(err, &ffe))
	assert.Equal(t, 2, ffe.Line)
	assert.ErrorIs(t, err, email.ErrProtocol)
	assert.Equal(t, []string{"$seen", "$flagged"}, fs.Raw(), "the good lines are kept")

	fs, err = m2dir.ParseFlagsFile([]byte(strings.Repeat("$seen\n", m2dir.MaxFlagsFileSize)))
	assert.Error(t, err)
	assert.Empty(t, fs)
}

func TestCheckFlags(t *testing.T) {
	assert.NoError(t, m2dir.CheckFlags(email.ParseFlags(`\Seen`, "Work", "with space")))
	for _, bad := range []string{"a\nb", " lead", "nul\x00", "\xff"} {
		assert.ErrorIs(t, m2dir.CheckFlags(email.Flags{email.ParseFlag(bad)}), email.ErrInvalidArgument, "%q", bad)
	}
}

func FuzzParseFlagsFile(f *testing.F) {
	for _, s := range []string{"$seen\n$flagged\n", "\\Seen\r\nWork", "", "\n\n", "\x00\xff\n$seen", "$Deleted\n$Forwarded\n$MDNSent\n", "\\Seen\n\\Answered\n\\Flagged\n\\Draft\n\\Deleted\n$Junk\n$notjunk\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, _ := m2dir.ParseFlagsFile(data)
		for _, fl := range fs {
			if p := email.ParseFlag(fl.Raw); fl != p {
				t.Fatalf("line %q parsed as %+v, email.ParseFlag gives %+v", fl.Raw, fl, p)
			}
		}
		if m2dir.CheckFlags(fs) != nil {
			t.Fatalf("parsed flags %q cannot be written back", fs.Raw())
		}
		out := m2dir.FormatFlagsFile(fs)
		back, err := m2dir.ParseFlagsFile(out)
		if err != nil || !back.Equal(fs) {
			t.Fatalf("round trip of %q: %q, %v", fs.Raw(), back.Raw(), err)
		}
		if len(fs) > 0 && !strings.HasSuffix(string(out), "\n") {
			t.Fatal("no final newline")
		}
	})
}
