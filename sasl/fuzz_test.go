package sasl

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzScram feeds arbitrary server messages to the SCRAM client: no panic,
// no password in any error, and success only with the right signature.
func FuzzScram(f *testing.F) {
	f.Add(rfcServerFirst, rfcServerFinal)
	f.Add("r="+rfcNonce+"x,s=QUJD,i=1", "v=AAAA")
	f.Add("e=unknown-user", "")
	f.Add("m=x", "e=y")
	f.Fuzz(func(t *testing.T, first, final string) {
		c := rfcClient()
		c.Start()
		// Keep the key derivation cheap: skip large iteration counts
		// (the bound itself is tested in TestScramHostileServerFirst).
		if i := strings.Index(first, "i="); i >= 0 {
			if n, err := strconv.Atoi(strings.SplitN(first[i+2:], ",", 2)[0]); err == nil && n > 4096 {
				return
			}
		}
		_, err := c.Next([]byte(first))
		if err != nil {
			if strings.Contains(err.Error(), "pencil") {
				t.Fatalf("password in error %v", err)
			}
			return
		}
		_, err = c.Next([]byte(final))
		if err != nil {
			if strings.Contains(err.Error(), "pencil") {
				t.Fatalf("password in error %v", err)
			}
			return
		}
		if c.Complete() != nil {
			t.Fatal("success without verification")
		}
	})
}

// FuzzLogin checks that the LOGIN client never answers more than twice.
func FuzzLogin(f *testing.F) {
	f.Add("Username:", "Password:", "Password:")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		l := NewLoginClient("u", "p")
		l.Next([]byte(a))
		l.Next([]byte(b))
		if _, err := l.Next([]byte(c)); err == nil {
			t.Fatal("third answer")
		}
	})
}
