package maildir

import (
	"path"
	"strings"
	"testing"
)

// FuzzParseKeywords checks that any dovecot-keywords content parses, and
// that what Bytes writes parses back to the same table.
func FuzzParseKeywords(f *testing.F) {
	for _, s := range []string{"", "0 $Junk\n1 NonJunk\n", "0 Work\r\n3 $label1\n", "26 out\n-1 neg\nx y\n0 dup\n0 dup2\n",
		"00 leading\n0\n0 \n 0 a\n", "25 last\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k := ParseKeywords(data)
		again := ParseKeywords(k.Bytes())
		if again.names != k.names {
			t.Fatalf("table changed through Bytes: %q -> %q", k.names, again.names)
		}
	})
}

// FuzzMailboxName checks that an accepted name maps to a directory
// strictly under the root, that Maildir++ directory names map back to the
// same name, and that no two accepted names share a directory.
func FuzzMailboxName(f *testing.F) {
	for _, s := range []string{"INBOX", "Sent", "Lists/Go", "a.b", "../x", "a//b", ".x", "~x", "Été/Ünï", "cur", "INBOX/x", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, s := range []Store{{Root: "/r"}, {Root: "/r", Layout: LayoutFS}} {
			dir, err := s.Dir(name)
			if err != nil {
				continue
			}
			if dir == "/r" {
				if name != "" && !strings.EqualFold(name, "INBOX") {
					t.Fatalf("%s: %q maps to the root", s.Layout, name)
				}
				continue
			}
			if !strings.HasPrefix(dir, "/r/") || path.Clean(dir) != dir {
				t.Fatalf("%s: %q maps outside the root: %q", s.Layout, name, dir)
			}
			if s.Layout == LayoutMaildirPP {
				if strings.Count(dir, "/") != 2 {
					t.Fatalf("%q nests in Maildir++: %q", name, dir)
				}
				back, ok := s.ppName(path.Base(dir))
				if !ok || back != name {
					t.Fatalf("%q -> %q -> %q, %v", name, dir, back, ok)
				}
			} else if strings.TrimPrefix(dir, "/r/") != name {
				t.Fatalf("fs: %q -> %q", name, dir)
			}
		}
	})
}
