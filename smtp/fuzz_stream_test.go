package smtp

import (
	"bytes"
	"testing"
)

// FuzzStreamEncoder checks the streaming encoder against normalize: the
// message cut into chunks anywhere (between CR and LF, before a dot)
// encodes to the same bytes as the whole, for DATA and for BDAT; and
// headerEnd finds the end normalize's header parser stops at.
func FuzzStreamEncoder(f *testing.F) {
	seeds := []string{
		"From: a@example.test\nTo: b@example.test\n\n.\n..two\n.leading\nbare\rcr\nlast line without newline",
		"From: a@example.test\r\nTo: b@example.test\r\nBcc: c@example.test\r\n\r\nHi!\r\n.\r\n",
		"\r\n\r\n.", "\r", "\n.", ".\r\n.\r\n", "",
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(1), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, a, b uint8) {
		for _, stuff := range []bool{false, true} {
			want := normalize(data, stuff)
			e := encoder{stuff: stuff, allow8: true}
			var got []byte
			for rest, k := data, 0; len(rest) > 0; k++ {
				n := int([]uint8{a, b}[k%2])%7 + 1
				n = min(n, len(rest))
				var err error
				if got, err = e.encode(got, rest[:n]); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			got = e.end(got)
			if !bytes.Equal(got, want) {
				t.Fatalf("stuff=%v: chunks give %q, the whole %q", stuff, got, want)
			}
		}
		if end := headerEnd(data); end >= 0 {
			fields := headerFields(data)
			if len(fields) > 0 && fields[len(fields)-1].end > end {
				t.Fatalf("headerEnd %d before the last field's end %d", end, fields[len(fields)-1].end)
			}
		}
	})
}
