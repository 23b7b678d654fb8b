package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ioemail/ioemail/coroutine"
)

// parsed is what a parse of a whole stream gave.
type parsed struct {
	n      int
	ok     bool // done without error
	status int
	body   []byte
	header map[string][]string
}

func parseAll(data []byte, chunk int) parsed {
	p := NewParser(4096, false)
	n, err := feed(p, data, chunk)
	if err == nil && !p.Done() && n == len(data) {
		err = p.EOF()
	}
	return parsed{n: n, ok: err == nil && p.Done(), status: p.Status, body: p.Body, header: p.Header}
}

// FuzzParser checks the response parser on arbitrary bytes: it consumes
// no more than it is given, keeps the body within the limit, gives the
// same response whatever the sizes of the pieces it is fed, and agrees
// with net/http on the status and the body of every response both accept
// (the parser may refuse more than net/http, never read it differently).
// Seeds: hand-written framings and the responses of the recorded Cyrus
// conversation.
func FuzzParser(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), uint8(0))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), uint8(3))
	f.Add([]byte("HTTP/1.1 301 Moved Permanently\r\nDate: Thu, 26 Nov 2026 01:27:13 GMT\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nAlt-Svc: h2c=\":18080\"\r\nLocation: http://127.0.0.1:18080/jmap\r\nVary: Accept-Encoding\r\nContent-Length: 0\r\n\r\n"), uint8(1))
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nabc"), uint8(2))
	f.Add([]byte("HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nuntil the end"), uint8(4))
	text, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "jmap", "cyrus-scenario.txt"))
	if err != nil {
		f.Fatal(err)
	}
	turns, err := coroutine.ParseTranscript(string(text))
	if err != nil {
		f.Fatal(err)
	}
	for _, turn := range turns {
		if turn.Side == coroutine.Server {
			f.Add(turn.Data, uint8(len(turn.Data)%17))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		whole := parseAll(data, 0)
		if whole.n > len(data) {
			t.Fatalf("consumed %d of %d", whole.n, len(data))
		}
		if len(whole.body) > 4096 {
			t.Fatalf("body of %d bytes over the limit", len(whole.body))
		}
		if pieces := parseAll(data, int(chunk)+1); !reflect.DeepEqual(whole, pieces) {
			t.Fatalf("fed whole: %+v\nfed in pieces of %d: %+v", whole, int(chunk)+1, pieces)
		}
		if !whole.ok || bytes.HasPrefix(data, []byte("HTTP/1.1 1")) || bytes.HasPrefix(data, []byte("HTTP/1.0 1")) {
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(data[:whole.n])), nil)
		if err != nil {
			return
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return
		}
		if resp.StatusCode != whole.status || !bytes.Equal(body, whole.body) {
			t.Fatalf("net/http reads %d %q, the parser %d %q", resp.StatusCode, body, whole.status, whole.body)
		}
	})
}
