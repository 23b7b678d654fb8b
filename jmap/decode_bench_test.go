package jmap

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ioemail/ioemail/email"
)

// The recorded Cyrus responses the decode benchmarks and the fast decoder's
// tests read: an Email/get of 500 emails with the server's parsed
// properties (the plain way's properties), and a listing page of 500
// (Email/query and Email/get of envelopeProps, the raw header fields
// included) as ListEnvelopes asks for it.
var recordings = []struct {
	name, file string
	names, ids []string
}{
	{"parsed", "email-get-500.json", []string{"Email/get"}, []string{"g"}},
	{"listing", "list-500-raw.json", []string{"Email/query", "Email/get"}, []string{"q", "g"}},
}

// targetsFor returns fresh targets for the names of a recording and the
// Email/get among them.
func targetsFor(names []string) ([]any, *emailGet) {
	out := make([]any, len(names))
	var g *emailGet
	for i, n := range names {
		if n == "Email/query" {
			out[i] = new(queryResponse)
		} else {
			g = new(emailGet)
			out[i] = g
		}
	}
	return out, g
}

// BenchmarkDecodeEmailGet decodes the recorded responses (ns/op per 500
// emails) with the fast decoder and with encoding/json into the same typed
// structs in one pass (decodeIntoJSON, the anchor), then, in the
// +envelopes runs, converts the emails to envelopes the same way.
func BenchmarkDecodeEmailGet(b *testing.B) {
	for _, r := range recordings {
		body := recorded(b, r.file)
		for _, way := range []struct {
			name   string
			decode func([]byte, []string, []string, []any) (string, bool)
		}{
			{"fast", func(body []byte, names, ids []string, t []any) (string, bool) {
				st, ok, sure := decodeFast(body, names, ids, t)
				if !sure {
					b.Fatal("fast decoder unsure of a Cyrus response")
				}
				return st, ok
			}},
			{"json", decodeIntoJSON},
		} {
			for _, envs := range []bool{false, true} {
				name := r.name + "/" + way.name
				if envs {
					name += "+envelopes"
				}
				b.Run(name, func(b *testing.B) {
					b.SetBytes(int64(len(body)))
					b.ReportAllocs()
					for b.Loop() {
						t, g := targetsFor(r.names)
						if _, ok := way.decode(body, r.names, r.ids, t); !ok || len(g.List) != 500 {
							b.Fatal("refused a sane response")
						}
						if envs {
							out := make([]email.Envelope, len(g.List))
							for i := range g.List {
								out[i] = g.List[i].Envelope()
							}
						}
					}
				})
			}
		}
	}
}

func recorded(tb testing.TB, file string) []byte {
	body, err := os.ReadFile(filepath.Join("..", "testdata", "jmap", file))
	if err != nil {
		tb.Fatal(err)
	}
	return body
}
