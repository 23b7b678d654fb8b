package maildir

import (
	"bytes"
	"path"
	"strings"
	"testing"

	"github.com/ioemail/ioemail/email"
)

// FuzzParseKeywords checks that any dovecot-keywords content parses, that
// every keyword it lists is an IMAP atom, that what Bytes writes parses
// back to the same table with every line kept aside preserved byte for
// byte, and that a new keyword never takes the letter of an aside line.
func FuzzParseKeywords(f *testing.F) {
	for _, s := range []string{"", "0 $Junk\n1 NonJunk\n", "0 Work\r\n3 $label1\n", "26 out\n-1 neg\nx y\n0 dup\n0 dup2\n",
		"00 leading\n0\n0 \n 0 a\n", "25 last\n", "0 \r\r", "0 x\x1b[2Jy\n1 cr\r\r\n2 ok\n", "0 a b\n1 (x)\n2 \\Seen\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k := ParseKeywords(data)
		for i, n := range k.names {
			if n != "" && !isAtom(n) {
				t.Fatalf("letter %c lists %q, not an atom", 'a'+i, n)
			}
			if n != "" && k.reserved[i] {
				t.Fatalf("letter %c both listed and kept aside", 'a'+i)
			}
		}
		out := k.Bytes()
		again := ParseKeywords(out)
		if again.names != k.names || again.reserved != k.reserved {
			t.Fatalf("table changed through Bytes: %q -> %q", k.names, again.names)
		}
		for _, l := range k.other {
			if !bytes.Contains(out, []byte(l+"\n")) {
				t.Fatalf("aside line %q lost", l)
			}
		}
		if err := k.assign(email.ParseFlags("NewKeyword")); err == nil {
			l := k.letter(email.ParseFlag("NewKeyword"))
			if l != 0 && again.reserved[l-'a'] {
				t.Fatalf("new keyword took the reserved letter %c", l)
			}
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
