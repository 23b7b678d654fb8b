package coroutine

import (
	"reflect"
	"testing"
)

// FuzzFormatTranscript checks the transcript writer against the reader on
// arbitrary bytes cut into turns: what FormatTranscript writes always
// parses, reads back as the same conversation (turns of one side merged),
// and is written again as the same text; redacting it never fails to
// write and parse either. Seeds: the recorded transcripts.
func FuzzFormatTranscript(f *testing.F) {
	for _, pattern := range []string{"../testdata/imap/*.txt", "../testdata/smtp/*.txt", "../testdata/jmap/*.txt"} {
		for _, x := range readFiles(f, pattern) {
			f.Add([]byte(x), []byte{3, 40, 200})
		}
	}
	f.Add([]byte("\r\n\r\r\n\n\xff A1 LOGIN a b\r\n"), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		// Each cut byte ends a turn: its low bits choose the side, the
		// rest its length.
		var turns []Turn
		for _, c := range cuts {
			if len(data) == 0 {
				break
			}
			side := Side(c%3) + 1
			n := min(int(c/3)+1, len(data))
			if side == TLS {
				turns = append(turns, Turn{Side: TLS})
				continue
			}
			turns = append(turns, Turn{Side: side, Data: data[:n]})
			data = data[n:]
		}
		turns = append(turns, Turn{Side: Client, Data: data})
		for _, in := range [][]Turn{turns, Redact(turns)} {
			text := FormatTranscript(in)
			back, err := ParseTranscript(text)
			if err != nil {
				t.Fatalf("%+v written as %q does not parse: %v", in, text, err)
			}
			if want := mergeTurns(in); !reflect.DeepEqual(back, want) && !(len(back) == 0 && len(want) == 0) {
				t.Fatalf("%+v written as %q reads back as %+v", want, text, back)
			}
			if again := FormatTranscript(back); again != text {
				t.Fatalf("%q rewritten as %q", text, again)
			}
		}
	})
}
