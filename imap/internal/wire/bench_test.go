package wire

import (
	"fmt"
	"testing"
)

// fetchLines builds n FETCH responses of the listing shape (UID FLAGS
// ENVELOPE RFC822.SIZE INTERNALDATE), about 460 bytes each.
func fetchLines(n int) []byte {
	var b []byte
	for i := 1; i <= n; i++ {
		b = fmt.Appendf(b, "* %d FETCH (UID %d FLAGS (\\Seen $Forwarded) RFC822.SIZE %d INTERNALDATE \"26-Nov-2026 01:30:17 +0000\" "+
			"ENVELOPE (\"Mon, 2 Jan 2006 15:04:05 -0700\" \"=?UTF-8?B?SGVsbG8gd8O2cmxk?= number %d\" "+
			"((\"Ann Example\" NIL \"ann\" \"example.test\")) ((\"Ann Example\" NIL \"ann\" \"example.test\")) ((\"Ann Example\" NIL \"ann\" \"example.test\")) "+
			"((NIL NIL \"alice\" \"example.test\")(\"Bob, B\" NIL \"bob\" \"example.test\")) NIL NIL NIL \"<m%d@example.test>\"))\r\n", i, i, 1000+i, i, i)
	}
	return b
}

// BenchmarkParseFetch measures framing and decoding of listing FETCH
// responses fed in 4 KiB chunks; ns/op and allocs/op are per message.
func BenchmarkParseFetch(b *testing.B) {
	const n = 1000
	data := fetchLines(n)
	b.SetBytes(int64(len(data) / n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += n {
		var r Reader
		for off := 0; off < len(data); off += 4096 {
			r.Feed(data[off:min(off+4096, len(data))])
			for {
				raw, err := r.Next()
				if err != nil {
					b.Fatal(err)
				}
				if raw == nil {
					break
				}
				resp, err := Parse(raw)
				if err != nil || resp.Fetch == nil || resp.Fetch.Envelope == nil {
					b.Fatal("parse failed", err)
				}
			}
		}
	}
}
