package m2dir_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/m2dir"
)

func TestChecksumVectors(t *testing.T) {
	assert.Equal(t, "AAAAAPUTzp1_diVN", m2dir.Checksum(nil))
	assert.Equal(t, "AAAAAPUTzp1_diVN", m2dir.Checksum([]byte("")))
	assert.Equal(t, "CwAAALaRBRpiAgP0", m2dir.Checksum([]byte("hello world")))
	assert.Equal(t, "DwAAAH8y9bY65CXv", m2dir.Checksum([]byte("From: a\r\n\r\nhi\r\n")))
}

func TestParseID(t *testing.T) {
	good := map[string]string{
		"CwAAALaRBRpiAgP0.q83v":     "q83v",     // vomit-m2dir, 3 random bytes
		"CwAAALaRBRpiAgP0.YWJjZA==": "YWJjZA==", // io-m2dir, padded
		"CwAAALaRBRpiAgP0.1":        "1",        // older spec revision counter
		"CwAAALaRBRpiAgP0":          "",         // bare checksum
		"CwAAALaRBRpiAgP0.AbCd-_12": "AbCd-_12", // ours
		"CwAAALaRBRpiAgP0.a+b=":     "a+b=",     // standard base64 alphabet
	}
	for id, nonce := range good {
		sum, n, ok := m2dir.ParseID(id)
		assert.True(t, ok, id)
		assert.Equal(t, "CwAAALaRBRpiAgP0", sum, id)
		assert.Equal(t, nonce, n, id)
	}
	for _, id := range []string{"", "short", "CwAAALaRBRpiAgP", "CwAAALaRBRpiAgP0.", "CwAAALaRBRpiAgP0x",
		"CwAAALaRBRpiAgP0.a.b", "CwAAALaRBRpiAgP0.a/b", "CwAAALaRBRpiAgP0.a b", "CwAAALaRBRpiA%P0.a",
		"CwAAALaRBRpiAgP0." + strings.Repeat("a", 65), "../../etc/passwd"} {
		_, _, ok := m2dir.ParseID(id)
		assert.False(t, ok, id)
	}
}

func TestParseFileName(t *testing.T) {
	cases := map[string]string{
		"2023-09-04_13:47_builds@sr.ht,CwAAALaRBRpiAgP0.q83v":      "CwAAALaRBRpiAgP0.q83v",
		"2024-01-01T00:00:00+0100,CwAAALaRBRpiAgP0.YWJjZA==":       "CwAAALaRBRpiAgP0.YWJjZA==",
		"human,with,commas,CwAAALaRBRpiAgP0":                       "CwAAALaRBRpiAgP0",
		",CwAAALaRBRpiAgP0.1":                                      "CwAAALaRBRpiAgP0.1",
		".m2dir.tmp.abc,CwAAALaRBRpiAgP0":                          "",
		"no-comma":                                                 "",
		"x,not-an-id":                                              "",
		"x,CwAAALaRBRpiAgP0.q83v,":                                 "",
		"x,CwAAALaRBRpiAgP0.q83v.flags":                            "",
		"2023-09-04_13:47_builds@sr.ht,CwAAALaRBRpiAgP0.q83v/evil": "",
	}
	for name, want := range cases {
		id, ok := m2dir.ParseFileName(name)
		assert.Equal(t, want != "", ok, name)
		assert.Equal(t, want, id, name)
	}
}

func FuzzParseFileName(f *testing.F) {
	for _, s := range []string{"2023-09-04_13:47_builds@sr.ht,CwAAALaRBRpiAgP0.q83v", ",CwAAALaRBRpiAgP0",
		"a,b,CwAAALaRBRpiAgP0.YWJjZA==", ".hidden,CwAAALaRBRpiAgP0", "x,CwAAALaRBRpiAgP0.", "\x00,\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		id, ok := m2dir.ParseFileName(name)
		if !ok {
			return
		}
		if !strings.HasSuffix(name, ","+id) || strings.HasPrefix(name, ".") || strings.ContainsAny(id, ",/\x00") {
			t.Fatalf("ParseFileName(%q) = %q", name, id)
		}
		sum, nonce, ok := m2dir.ParseID(id)
		if !ok || len(sum) != m2dir.ChecksumLen || (nonce == "") != (id == sum) {
			t.Fatalf("ParseID(%q) = %q, %q, %v", id, sum, nonce, ok)
		}
	})
}
