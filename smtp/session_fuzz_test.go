package smtp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/sasl"
	"github.com/ioemail/ioemail/smtp"
)

// FuzzSession plays an arbitrary server against a whole session (connect
// with STARTTLS and AUTH, two sends, QUIT): it must end, without panic and
// within a bounded number of steps, and no error may quote the password.
func FuzzSession(f *testing.F) {
	files, _ := filepath.Glob("../testdata/smtp/*.txt")
	hostile, _ := filepath.Glob("../testdata/smtp/hostile/*.txt")
	for _, name := range append(files, hostile...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		turns, err := coroutine.ParseTranscript(string(b))
		if err != nil {
			f.Fatal(err)
		}
		var server []byte
		for _, t := range turns {
			if t.Side == coroutine.Server {
				server = append(server, t.Data...)
			}
		}
		f.Add(server, uint8(7))
	}
	f.Fuzz(func(t *testing.T, server []byte, chunk uint8) {
		s := smtp.NewSession(smtp.Config{Domain: "client.example.test", MaxLines: 32}, false)
		msg := []byte(messages["basic"])
		m := &seq{ms: []coroutine.NetMachine[any]{
			anyM(s.Connect(smtp.ConnectOptions{Auth: sasl.NewLoginClient("alice", "alicepass")})),
			anyM(s.Send(msg, email.SendOptions{})),
			anyM(s.Send(msg, email.SendOptions{})),
			anyM(s.Quit()),
		}}
		n := int(chunk) + 1
		steps := 0
		_, err := coroutine.Run[coroutine.NetReply, coroutine.NetRequest, any](m, func(req coroutine.NetRequest) coroutine.NetReply {
			steps++
			if steps > 100000 {
				t.Fatal("no end in sight")
			}
			if req.Op != coroutine.NetRead {
				return coroutine.NetReply{}
			}
			if len(server) == 0 {
				return coroutine.NetReply{EOF: true}
			}
			k := min(n, len(server))
			out := server[:k]
			server = server[k:]
			return coroutine.NetReply{Data: out}
		})
		if err == nil {
			return
		}
		if strings.Contains(err.Error(), "alicepass") {
			t.Fatalf("secret in error: %v", err)
		}
	})
}
