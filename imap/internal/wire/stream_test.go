package wire

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// streamed is what a streaming Reader made of a whole input: each
// response, and for each the body streamed within it (nil when none).
type streamed struct {
	raws   [][]byte
	heads  [][]byte
	bodies [][]byte
	sizes  []int64
	failed bool
}

// streamFrame feeds in to a Reader with StreamBodies in pieces of n bytes
// and collects every part, checking that no chunk exceeds what was fed.
func streamFrame(t testing.TB, in []byte, n int, skip bool) streamed {
	r := Reader{StreamBodies: true, MaxLine: 1 << 12, MaxLiteral: 1 << 12, MaxResponse: 1 << 14}
	var out streamed
	var head, body []byte
	var size int64
	if n <= 0 {
		n = max(len(in), 1)
	}
	for i := 0; i < len(in) && !out.failed; i += n {
		piece := in[i:min(i+n, len(in))]
		r.Feed(piece)
		for {
			p, err := r.NextPart()
			if err != nil {
				out.failed = true
				break
			}
			if p.Kind == 0 {
				break
			}
			switch p.Kind {
			case PartBody:
				head, body, size = append([]byte{}, p.Data...), []byte{}, p.Size
				if skip {
					r.SkipBody()
				}
			case PartChunk:
				if len(p.Data) > len(piece) && len(p.Data) > 0 {
					t.Fatalf("chunk of %d bytes from a feed of %d", len(p.Data), len(piece))
				}
				body = append(body, p.Data...)
			case PartResponse:
				out.raws = append(out.raws, append([]byte(nil), p.Data...))
				out.heads, out.bodies, out.sizes = append(out.heads, head), append(out.bodies, body), append(out.sizes, size)
				head, body, size = nil, nil, 0
			}
		}
	}
	return out
}

// bodyOf returns the BODY[] data of a parsed FETCH response.
func bodyOf(t testing.TB, raw []byte) ([]byte, bool) {
	resp, err := Parse(raw)
	if err != nil || resp.Fetch == nil {
		return nil, false
	}
	for _, s := range resp.Fetch.Sections {
		if s.Section == "" && s.Partial < 0 && !s.Binary {
			return s.Data, true
		}
	}
	return nil, false
}

func TestStreamBodyEverySplit(t *testing.T) {
	msg := "Subject: hi\r\n\r\n" + string(bytes.Repeat([]byte("line of text\r\n"), 40))
	in := []byte("* 1 EXISTS\r\n" +
		"* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[HEADER] {14}\r\nSubject: x\r\n\r\n BODY[] {" + itoa(len(msg)) + "}\r\n" + msg + " RFC822.SIZE 12)\r\n" +
		"* 2 FETCH (UID 8 BODY[] {0}\r\n)\r\n" +
		"A1 OK done\r\n")
	for n := 1; n <= len(in); n++ {
		got := streamFrame(t, in, n, false)
		require.False(t, got.failed, "split %d", n)
		require.Len(t, got.raws, 4, "split %d", n)
		require.Equal(t, msg, string(got.bodies[1]), "split %d", n)
		require.Equal(t, int64(len(msg)), got.sizes[1])
		require.Equal(t, "* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[HEADER] {14}\r\nSubject: x\r\n\r\n", string(got.heads[1]))
		require.Equal(t, "* 1 FETCH (UID 7 FLAGS (\\Seen) BODY[HEADER] {14}\r\nSubject: x\r\n\r\n BODY[] {0}\r\n RFC822.SIZE 12)\r\n", string(got.raws[1]))
		require.NotNil(t, got.bodies[2])
		require.Empty(t, got.bodies[2])
		require.Nil(t, got.bodies[0])
		require.Equal(t, "A1 OK done\r\n", string(got.raws[3]))

		f, err := ParseBodyHead(got.heads[1])
		require.NoError(t, err)
		require.EqualValues(t, 7, f.UID)
		require.EqualValues(t, 1, f.Seq)
		resp, err := Parse(got.raws[1])
		require.NoError(t, err)
		require.EqualValues(t, 7, resp.Fetch.UID)
		require.EqualValues(t, 12, resp.Fetch.Size)

		skipped := streamFrame(t, in, n, true)
		require.Len(t, skipped.raws, 4)
		require.Empty(t, skipped.bodies[1])
		require.Equal(t, got.raws, skipped.raws)
	}
}

func TestStreamBodyBeyondMaxLiteral(t *testing.T) {
	// A streamed body is not bounded by MaxLiteral; another literal is.
	msg := bytes.Repeat([]byte("x"), 1<<14)
	in := append([]byte("* 1 FETCH (UID 1 BODY[] {16384}\r\n"), msg...)
	in = append(in, ")\r\n* 2 FETCH (UID 2 BODY[HEADER] {16384}\r\n"...)
	in = append(append(in, msg...), ")\r\n"...)
	got := streamFrame(t, in, 4096, false)
	require.True(t, got.failed)
	require.Len(t, got.raws, 1)
	require.Equal(t, msg, got.bodies[0])
}

func TestStreamBodyTruncated(t *testing.T) {
	r := Reader{StreamBodies: true}
	r.Feed([]byte("* 1 FETCH (UID 1 BODY[] {100}\r\nonly this"))
	p, err := r.NextPart()
	require.NoError(t, err)
	require.Equal(t, PartBody, p.Kind)
	p, err = r.NextPart()
	require.NoError(t, err)
	require.Equal(t, "only this", string(p.Data))
	p, err = r.NextPart()
	require.NoError(t, err)
	require.Zero(t, p.Kind)
	require.EqualValues(t, 91, r.BodyLeft())
	require.True(t, r.Incomplete())
}

func TestStreamBodyNotOtherItems(t *testing.T) {
	for _, line := range []string{
		"* 1 FETCH (UID 1 BODY[TEXT] {3}\r\n",
		"* 1 FETCH (UID 1 BODY[]<0> {3}\r\n",
		"* 1 FETCH (UID 1 XBODY[] {3}\r\n",
		"* 1 FETCH (UID 1 BINARY[] ~{3}\r\n",
		"A1 OK BODY[] {3}\r\n",
	} {
		r := Reader{StreamBodies: true}
		r.Feed([]byte(line + "abc)\r\n"))
		p, err := r.NextPart()
		require.NoError(t, err, line)
		require.Equal(t, PartResponse, p.Kind, line)
		require.Equal(t, line+"abc)\r\n", string(p.Data))
	}
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// FuzzStreamBodies checks the streaming mode of the reader against the
// buffering one on arbitrary server bytes: cut anywhere, it frames the
// same responses; a body it streams is the BODY[] data the buffering
// reader parses, announced with its size, and the rest of that response
// parses as the buffered one does; skipping bodies frames the same
// responses. Seeds: the recorded Dovecot session (its FETCH BODY[]
// responses) and a few hostile inputs.
func FuzzStreamBodies(f *testing.F) {
	f.Add(serverBytes(f, "dovecot-session.txt"), uint8(7))
	f.Add([]byte("* 1 FETCH (UID 1 BODY[] {5}\r\nhello)\r\n"), uint8(1))
	f.Add([]byte("* 1 FETCH (UID 1 BODY[] {5}\nhello)\n"), uint8(2))
	f.Add([]byte("* 1 FETCH (BODY[] {3}\r\nabc UID 4 BODY[] {1}\r\nx)\r\n"), uint8(3))
	f.Add([]byte("* 1 FETCH (UID 1 BODY[] {99999999999}\r\nhello"), uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		whole := streamFrame(t, in, 0, false)
		cut := streamFrame(t, in, int(split)+1, false)
		if !whole.failed && !cut.failed {
			require.Equal(t, whole, cut)
		}
		skipped := streamFrame(t, in, int(split)+1, true)
		if !cut.failed && !skipped.failed {
			require.Equal(t, cut.raws, skipped.raws)
		}
		buffered := frame(in, 0)
		if whole.failed || buffered.failed || len(buffered.raws) != len(whole.raws) {
			return
		}
		for i, raw := range buffered.raws {
			if whole.bodies[i] == nil {
				require.Equal(t, raw, whole.raws[i])
				continue
			}
			require.EqualValues(t, len(whole.bodies[i]), whole.sizes[i])
			data, ok := bodyOf(t, raw)
			if !ok || bytes.Contains(raw, []byte("}\n")) {
				// (The parser's reading of a bare-LF announcement is its
				// own leniency, not the framer's.)
				continue
			}
			if _, ok := bodyOf(t, whole.raws[i]); ok && bytes.Count(raw, []byte("BODY[]")) == 1 {
				require.Equal(t, string(data), string(whole.bodies[i]))
			}
			_, _ = ParseBodyHead(whole.heads[i])
		}
	})
}
