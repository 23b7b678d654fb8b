package coroutine

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// readFiles returns the contents of the files matching pattern.
func readFiles(f testing.TB, pattern string) []string {
	names, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	var out []string
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// FuzzParseTranscript checks the transcript reader on arbitrary text: it
// never panics; every turn is a client, server or TLS turn, TLS turns
// carry no data, two turns in a row never come from the same side unless
// one is redacted, the data is no longer than the text, and the
// transcript written back with FormatTranscript reads as the same turns
// (empty ones dropped). Seeds: the recorded transcripts.
func FuzzParseTranscript(f *testing.F) {
	for _, pattern := range []string{"../testdata/imap/*.txt", "../testdata/smtp/*.txt", "../testdata/jmap/*.txt"} {
		for _, text := range readFiles(f, pattern) {
			f.Add(text)
		}
	}
	f.Add("C: a\nS- b\r\nS: c\n\n# note\nTLS\nC-  x\r\r\nC: \n")
	f.Add("X: bad\n")
	f.Fuzz(func(t *testing.T, text string) {
		turns, err := ParseTranscript(text)
		if err != nil {
			return
		}
		n := 0
		for i, turn := range turns {
			if turn.Side != Client && turn.Side != Server && turn.Side != TLS {
				t.Fatalf("turn %d: side %d", i, turn.Side)
			}
			if turn.Side == TLS && len(turn.Data) > 0 {
				t.Fatalf("turn %d: TLS with data", i)
			}
			if i > 0 && turn.Side != TLS && turns[i-1].Side == turn.Side && !turn.Redacted && !turns[i-1].Redacted {
				t.Fatalf("turns %d and %d of one side", i-1, i)
			}
			n += len(turn.Data)
		}
		if n > len(text)+len(turns)*2 {
			t.Fatalf("%d bytes of data from %d of text", n, len(text))
		}
		out := FormatTranscript(turns)
		back, err := ParseTranscript(out)
		if want := mergeTurns(turns); err != nil || !reflect.DeepEqual(back, want) && len(back)+len(want) > 0 {
			t.Fatalf("%q\nreads as %+v\nwritten %q\nreads back as %+v (%v)", text, want, out, back, err)
		}
	})
}
