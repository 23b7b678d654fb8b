package jmap

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameAsJSON decodes data with the fast decoder and with encoding/json
// (decodeIntoJSON) for the names and ids, and fails when the fast decoder
// is sure of an answer encoding/json does not give. It reports whether the
// fast decoder was sure.
func sameAsJSON(t *testing.T, data []byte, names, ids []string) bool {
	t.Helper()
	fast, _ := targetsFor(names)
	st, ok, sure := decodeFast(data, names, ids, fast)
	slow, _ := targetsFor(names)
	st2, ok2 := decodeIntoJSON(data, names, ids, slow)
	if !sure {
		for i := range fast {
			if !reflect.ValueOf(fast[i]).Elem().IsZero() {
				t.Fatalf("an unsure fast decode left target %d filled", i)
			}
		}
		return false
	}
	if ok != ok2 {
		t.Fatalf("fast decoder says %v, encoding/json %v, on %q", ok, ok2, clip(string(data), 300))
	}
	if !ok {
		return true
	}
	if st != st2 {
		t.Fatalf("sessionState %q, encoding/json %q", st, st2)
	}
	for i := range fast {
		if !reflect.DeepEqual(fast[i], slow[i]) {
			t.Fatalf("target %d differs from encoding/json's:\nfast %#v\njson %#v", i, fast[i], slow[i])
		}
	}
	return true
}

// sameArgsAsJSON checks Responses.Decode's fast path against
// json.Unmarshal on data as Email/get arguments (and on the arguments of
// data's first response, when it has one).
func sameArgsAsJSON(t *testing.T, data []byte) {
	t.Helper()
	try := func(args []byte) {
		var fast, slow emailGet
		if !decodeArgsFast(args, &fast) {
			return
		}
		if err := json.Unmarshal(args, &slow); err != nil {
			t.Fatalf("fast path accepted arguments encoding/json refuses (%v): %q", err, clip(string(args), 300))
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("arguments decoded differently:\nfast %#v\njson %#v", fast, slow)
		}
	}
	try(data)
	if r, err := DecodeResponse(data); err == nil && len(r.List) > 0 {
		try(r.List[len(r.List)-1].Args)
	}
}

// cyrusBodies returns the recorded Cyrus responses: the decode recordings
// and the JSON bodies of the recorded HTTP scenarios.
func cyrusBodies(t testing.TB) [][]byte {
	var out [][]byte
	for _, r := range recordings {
		out = append(out, recorded(t, r.file))
	}
	for _, f := range []string{"cyrus-scenario.txt", "cyrus-diff.txt"} {
		raw, err := os.ReadFile(filepath.Join("..", "testdata", "jmap", f))
		require.NoError(t, err)
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "S- "); ok && strings.HasPrefix(line, `{"methodResponses"`) {
				out = append(out, []byte(line))
			}
		}
	}
	return out
}

// fastShapes are the names and ids the fast decoder is tried with.
var fastShapes = [][2][]string{
	{{"Email/query", "Email/get"}, {"q", "g"}},
	{{"Email/get"}, {"g"}},
	{{"Email/query"}, {"q"}},
}

// TestFastDecodeCyrus: the fast decoder reads every recorded Cyrus listing
// response itself, with encoding/json's results.
func TestFastDecodeCyrus(t *testing.T) {
	for _, r := range recordings {
		body := recorded(t, r.file)
		require.True(t, sameAsJSON(t, body, r.names, r.ids), r.file)
		tg, g := targetsFor(r.names)
		_, ok := DecodeInto(body, r.names, r.ids, tg...)
		require.True(t, ok)
		assert.Len(t, g.List, 500)
	}
	for _, body := range cyrusBodies(t) {
		for _, sh := range fastShapes {
			sameAsJSON(t, body, sh[0], sh[1])
		}
		sameArgsAsJSON(t, body)
	}
	// Responses.Decode reads Email/get arguments itself too.
	r, err := DecodeResponse(recorded(t, "list-500-raw.json"))
	require.NoError(t, err)
	var g emailGet
	require.True(t, decodeArgsFast(r.List[1].Args, &g))
	assert.Len(t, g.List, 500)
}

// TestFastDecodeEdges: the JSON the fast decoder must read exactly as
// encoding/json does, or leave to it.
func TestFastDecodeEdges(t *testing.T) {
	for _, a := range sureArgs {
		assert.True(t, sameAsJSON(t, wrapGet(a), []string{"Email/get"}, []string{"g"}), a)
	}
	for _, a := range unsureArgs {
		assert.False(t, sameAsJSON(t, wrapGet(a), []string{"Email/get"}, []string{"g"}), a)
	}
	// Sure refusals: the shape differs from the one asked for.
	for _, body := range []string{
		`{"methodResponses":[["error",{"type":"serverFail"},"g"]]}`,
		`{"methodResponses":[["Email/get",{},"h"]]}`,
		`{"methodResponses":[]}`,
	} {
		tg, _ := targetsFor([]string{"Email/get"})
		_, ok, sure := decodeFast([]byte(body), []string{"Email/get"}, []string{"g"}, tg)
		assert.True(t, sure, body)
		assert.False(t, ok, body)
		sameAsJSON(t, []byte(body), []string{"Email/get"}, []string{"g"})
	}
}

// wrapGet makes a response of one Email/get with the arguments args.
func wrapGet(args string) []byte {
	return []byte(`{"methodResponses":[["Email/get",` + args + `,"g"]],"sessionState":"s"}`)
}

// sureArgs are Email/get arguments the fast decoder reads itself;
// unsureArgs are those it leaves to encoding/json.
var (
	sureArgs = []string{
		`{"list":[]}`,
		`{"list":null,"notFound":["a",null]}`,
		`{"list":[null,{"id":null,"size":-3,"keywords":{"$seen":true,"x":null,"$seen":false},"from":[null,{"name":null,"email":"a@b","x":[1,{"y":2.5e-3}]}]}]}`,
		`{"list":[{"subject":"caf\u00e9 \ud83d\ude00 \ud800 x\"\\\/\b\f\n\r\t","header:Subject:asRaw:all":[" a\r\n b"]}]}`,
		`{"list":[{"subject":"café"}],"accountId":"alice","extra":{"a":[true,false,null,0,-0,1E9]}}`,
		" \t\r\n" + `{"list":[{"size":9223372036854775807,"hasAttachment":false}]}` + " \n",
	}
	unsureArgs = []string{
		`{"list":[{"ID":"x"}]}`,                    // case folding
		`{"list":[{"id":"x","id":"y"}]}`,           // duplicate
		`{"list":[{"\u0069d":"x"}]}`,               // escaped name
		`{"list":[{"subject":"\xff"}]}`,            // invalid UTF-8
		`{"list":[{"size":1.0}]}`,                  // not an integer
		`{"list":[{"size":99999999999999999999}]}`, // out of range
		`{"list":[{"size":"1"}]}`,                  // wrong type
		`{"list":[{"subject":"a` + "\n" + `"}]}`,   // control character
		`{"list":[{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]}`, // deep
		`{"list":[{"x":01}]}`, // bad number
		`{"list":[}`,          // truncated
	}
)

// FuzzFastDecode: whatever the body, an answer the fast decoder is sure of
// is encoding/json's answer, to the byte; seeded from real Cyrus
// responses.
func FuzzFastDecode(f *testing.F) {
	for _, body := range cyrusBodies(f) {
		if len(body) > 4096 {
			// The recordings of 500 emails: seed with their first few
			// emails, a sane response still.
			body = firstEmails(body, 3)
		}
		f.Add(body)
	}
	for _, a := range append(sureArgs, unsureArgs...) {
		f.Add(wrapGet(a))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, sh := range fastShapes {
			sameAsJSON(t, data, sh[0], sh[1])
		}
		sameArgsAsJSON(t, data)
	})
}

// firstEmails cuts a recorded response of many emails to its first n,
// keeping it a valid response.
func firstEmails(body []byte, n int) []byte {
	i := bytes.Index(body, []byte(`"list":[`))
	if i < 0 {
		return body
	}
	j := i + len(`"list":[`)
	for range n {
		k := bytes.Index(body[j:], []byte(`},{"id"`))
		if k < 0 {
			return body
		}
		j += k + 1
	}
	// The rest of the response after the last email (whose end is the
	// last "}]" of these recordings).
	rest := body[j:]
	last := bytes.LastIndex(rest, []byte(`}]`))
	if last < 0 {
		return body
	}
	return append(append([]byte{}, body[:j]...), rest[last+1:]...)
}
