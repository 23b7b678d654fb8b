package wire

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/ioemail/ioemail/internal/transcripttest"
)

// framed is what a Reader made of a whole input.
type framed struct {
	raws     [][]byte
	failed   bool
	consumed int64
}

// frame feeds in to a Reader in pieces of n bytes (all at once when n is
// 0) and collects every response.
func frame(in []byte, n int) framed {
	r := Reader{MaxLine: 1 << 12, MaxLiteral: 1 << 12, MaxResponse: 1 << 14}
	var out framed
	if n <= 0 {
		n = max(len(in), 1)
	}
	for i := 0; i < len(in) && !out.failed; i += n {
		r.Feed(in[i:min(i+n, len(in))])
		for {
			raw, err := r.Next()
			if err != nil {
				out.failed = true
				break
			}
			if raw == nil {
				break
			}
			out.raws = append(out.raws, append([]byte(nil), raw...))
		}
	}
	out.consumed = r.Consumed()
	return out
}

// FuzzParse checks the response reader and parser on arbitrary server
// bytes: the reader frames the same responses however the input is cut,
// its responses are the input itself, one after the other, each ending
// with a line end and within MaxResponse; Parse never panics, is
// deterministic, and sets the field its Kind names. Seeds: every response
// of the recorded transcripts, and a few hostile ones.
func FuzzParse(f *testing.F) {
	for _, data := range transcripttest.Servers(f, "../../../testdata/imap/*.txt") {
		var r Reader
		r.Feed(data)
		for {
			raw, err := r.Next()
			if err != nil || raw == nil {
				break
			}
			f.Add(append([]byte(nil), raw...))
		}
		f.Add(data)
	}
	f.Add([]byte("* 1 FETCH (BODY[] {10000000000}\r\n"))
	f.Add([]byte("* OK [COPYUID 9 1:3,5 10:12,13] x\r\n"))
	f.Add([]byte("* 2 FETCH (UID 4 BODY[HEADER] {5}\r\nab\r\nc)\r\nA1 OK done\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		whole := frame(in, 0)
		for _, n := range []int{1, len(in)%7 + 2} {
			if cut := frame(in, n); !reflect.DeepEqual(whole, cut) {
				t.Fatalf("whole: %q (failed %v)\npieces of %d: %q (failed %v)", whole.raws, whole.failed, n, cut.raws, cut.failed)
			}
		}
		if got := bytes.Join(whole.raws, nil); !bytes.Equal(got, in[:len(got)]) || int64(len(got)) != whole.consumed {
			t.Fatalf("responses %q are not the input %q", got, in)
		}
		for _, raw := range whole.raws {
			if raw[len(raw)-1] != '\n' || len(raw) > 1<<14 {
				t.Fatalf("response of %d bytes %q", len(raw), raw)
			}
			resp, err := Parse(raw)
			if err != nil {
				continue
			}
			again, _ := Parse(raw)
			if !reflect.DeepEqual(resp, again) {
				t.Fatalf("Parse(%q) differs between calls", raw)
			}
			checkKind(t, raw, resp)
		}
	})
}

// checkKind fails t when resp lacks the field its Kind names.
func checkKind(t *testing.T, raw []byte, resp *Response) {
	t.Helper()
	missing := false
	switch resp.Kind {
	case KindStatus:
		missing = resp.Status == nil
	case KindFetch:
		missing = resp.Fetch == nil
		if !missing {
			n := 0
			for _, s := range resp.Fetch.Sections {
				n += len(s.Data)
			}
			if n > len(raw) {
				t.Fatalf("%q: %d bytes of sections from %d", raw, n, len(raw))
			}
		}
	case KindVanished:
		missing = resp.Vanished == nil
	case KindESearch:
		missing = resp.ESearch == nil
	case KindList:
		missing = resp.List == nil
	case KindStatusData:
		missing = resp.StatusData == nil
	case KindOther:
		missing = resp.Name == ""
	}
	if resp.Tag != "" && resp.Kind != KindStatus {
		t.Fatalf("%q: a tag on a %v response", raw, resp.Kind)
	}
	if missing {
		t.Fatalf("%q: kind %v without its field: %+v", raw, resp.Kind, resp)
	}
}
