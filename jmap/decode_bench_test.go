package jmap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ioemail/ioemail/email"
)

// BenchmarkDecodeEmailGet decodes a recorded Cyrus Email/get response of
// 500 emails into envelopes; BenchmarkDecodeEmailGetMaps does the same the
// plain way, encoding/json into maps. Compare ns/op (per 500 emails).
func BenchmarkDecodeEmailGet(b *testing.B) {
	body := recorded(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var g emailGet
		if _, ok := DecodeInto(body, []string{"Email/get"}, []string{"g"}, &g); !ok {
			b.Fatal("fast path refused a sane response")
		}
		envs := make([]email.Envelope, len(g.List))
		for i, e := range g.List {
			envs[i] = e.Envelope()
		}
		if len(envs) != 500 {
			b.Fatal(len(envs))
		}
	}
}

func BenchmarkDecodeEmailGetMaps(b *testing.B) {
	body := recorded(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
		list := v["methodResponses"].([]any)[0].([]any)[1].(map[string]any)["list"].([]any)
		envs := make([]email.Envelope, 0, len(list))
		for _, x := range list {
			m := x.(map[string]any)
			e := email.Envelope{ID: m["id"].(string)}
			e.Subject, _ = m["subject"].(string)
			if f, ok := m["size"].(float64); ok {
				e.Size = int64(f)
			}
			if kw, ok := m["keywords"].(map[string]any); ok {
				var raw []string
				for k := range kw {
					raw = append(raw, k)
				}
				e.Flags = email.ParseFlags(raw...)
			}
			for _, key := range []string{"from", "to"} {
				as, _ := m[key].([]any)
				for _, a := range as {
					am := a.(map[string]any)
					name, _ := am["name"].(string)
					addr, _ := am["email"].(string)
					if key == "from" {
						e.From = append(e.From, email.Address{Name: name, Email: addr})
					} else {
						e.To = append(e.To, email.Address{Name: name, Email: addr})
					}
				}
			}
			if s, ok := m["sentAt"].(string); ok {
				e.Date, _ = time.Parse(time.RFC3339, s)
			}
			if ids, ok := m["messageId"].([]any); ok && len(ids) > 0 {
				e.MessageID, _ = ids[0].(string)
			}
			envs = append(envs, e)
		}
		if len(envs) != 500 {
			b.Fatal(len(envs))
		}
	}
}

func recorded(b *testing.B) []byte {
	body, err := os.ReadFile(filepath.Join("..", "testdata", "jmap", "email-get-500.json"))
	if err != nil {
		b.Fatal(err)
	}
	return body
}
