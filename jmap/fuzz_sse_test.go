package jmap

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// sseAll feeds data in pieces of n bytes and returns the events and
// whether the stream failed.
func sseAll(data []byte, n int) ([]SSEEvent, bool) {
	var p SSEParser
	var out []SSEEvent
	for i := 0; i < len(data); i += n {
		evs, err := p.Feed(data[i:min(i+n, len(data))])
		out = append(out, evs...)
		if err != nil {
			return out, true
		}
	}
	return out, false
}

// FuzzSSEParser checks the event-stream parser: the events do not depend
// on how the stream is cut (whole, byte by byte, or in pieces), event data
// stays within its bound, and every field it reports was in the stream.
func FuzzSSEParser(f *testing.F) {
	f.Add([]byte("event: state\ndata: {\"@type\":\"StateChange\",\"changed\":{\"A\":{\"Email\":\"1\"}}}\n\n"), uint8(3))
	f.Add([]byte(": ping\r\n\r\ndata:x\rdata\r\r"), uint8(1))
	f.Add([]byte("id: 7\r\nevent: state\r\ndata: a\r\ndata: b\r\n\r\nretry: 10\n\n"), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		whole, wholeErr := sseAll(data, max(len(data), 1))
		for _, n := range []int{1, int(chunk) + 1} {
			evs, failed := sseAll(data, n)
			if failed != wholeErr || !reflect.DeepEqual(evs, whole) {
				t.Fatalf("pieces of %d: %+v (failed %v); whole: %+v (failed %v)", n, evs, failed, whole, wholeErr)
			}
		}
		for _, ev := range whole {
			if len(ev.Data) > maxSSEData {
				t.Fatal("event data over the bound")
			}
			for _, field := range []string{ev.Type, ev.ID, string(ev.Data)} {
				// A field of one line is in the stream as it is.
				if field != "message" && !strings.Contains(field, "\n") && !bytes.Contains(data, []byte(field)) {
					t.Fatalf("event field %q is not in the stream", field)
				}
			}
			_, _ = ParseStateChange(ev.Data)
		}
	})
}
