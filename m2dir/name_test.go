package m2dir_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/m2dir"
)

func TestEncodeName(t *testing.T) {
	cases := map[string][]string{
		"INBOX":          {"INBOX"},
		"inbox":          {"INBOX"},
		"Inbox/Lists":    {"INBOX", "Lists"},
		"Sent":           {"Sent"},
		"Lists/Go":       {"Lists", "Go"},
		".hidden":        {"%2Ehidden"},
		"a.b":            {"a.b"},
		"100%":           {"100%25"},
		`back\slash`:     {"back%5Cslash"},
		"tab\there":      {"tab%09here"},
		"Entwürfe":       {"Entwürfe"},
		"x/.y":           {"x", "%2Ey"},
		"inbox/inbox":    {"INBOX", "inbox"},
		"Archive/2024.1": {"Archive", "2024.1"},
	}
	for name, want := range cases {
		got, err := m2dir.EncodeName(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
		for i, c := range got {
			dec, ok := m2dir.DecodeComponent(c)
			assert.True(t, ok, c)
			if i > 0 || !email.IsInbox(strings.Split(name, "/")[0]) {
				assert.Equal(t, strings.Split(name, "/")[i], dec, "round trip of %q", name)
			}
		}
	}
}

func TestEncodeNameRefuses(t *testing.T) {
	for _, name := range []string{"", "/", "a//b", "/abs", "trail/", ".", "..", "a/../b", "a/./b", "nul\x00", "\xff\xfe",
		strings.Repeat("x", 256), strings.Repeat("a/", 100) + "a"} {
		_, err := m2dir.EncodeName(name)
		assert.ErrorIs(t, err, email.ErrInvalidName, "%q", name)
	}
}

func TestDecodeComponent(t *testing.T) {
	for in, want := range map[string]string{"Entw%C3%BCrfe": "Entwürfe", "%2Ex": ".x", "100%": "100%", "%zz": "%zz", "%4": "%4", "a%25b": "a%b"} {
		got, ok := m2dir.DecodeComponent(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "a%2Fb", "%2E", "%2E%2E", "%00", "%FF"} {
		_, ok := m2dir.DecodeComponent(bad)
		assert.False(t, ok, bad)
	}
}

func FuzzEncodeName(f *testing.F) {
	for _, s := range []string{"INBOX", "a/b", ".x", "100%", "a\\b", "\x00", "../x", "Entwürfe", "%2E"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		parts, err := m2dir.EncodeName(name)
		if err != nil {
			return
		}
		levels := strings.Split(name, "/")
		for i, p := range parts {
			if p == "" || p[0] == '.' || strings.ContainsAny(p, "/\x00") || len(p) > 255 || !utf8.ValidString(p) {
				t.Fatalf("EncodeName(%q) level %q is unsafe", name, p)
			}
			dec, ok := m2dir.DecodeComponent(p)
			if !ok || (dec != levels[i] && !(i == 0 && email.IsInbox(levels[0]))) {
				t.Fatalf("level %q decodes to %q, want %q", p, dec, levels[i])
			}
		}
	})
}

func FuzzDecodeComponent(f *testing.F) {
	for _, s := range []string{"Entw%C3%BCrfe", "%2Ex", "100%", "%zz", "%2F", "%00", "a%25b", "%E2%82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec, ok := m2dir.DecodeComponent(s)
		if !ok {
			return
		}
		if dec == "" || dec == "." || dec == ".." || strings.ContainsAny(dec, "/\x00") || !utf8.ValidString(dec) {
			t.Fatalf("DecodeComponent(%q) = %q accepted", s, dec)
		}
		parts, err := m2dir.EncodeName(dec)
		if err != nil || len(parts) != 1 {
			return // too long once encoded, or INBOX
		}
		if back, ok := m2dir.DecodeComponent(parts[0]); !ok || (back != dec && !email.IsInbox(dec)) {
			t.Fatalf("%q re-encoded as %q decodes to %q", dec, parts[0], back)
		}
	})
}
