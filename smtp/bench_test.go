package smtp_test

import (
	"strings"
	"testing"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/smtp"
)

func BenchmarkReplyParser(b *testing.B) {
	in := []byte("250-localhost\r\n250-PIPELINING\r\n250-SIZE 41943040\r\n250-VRFY\r\n250-ETRN\r\n" +
		"250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n" +
		"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <nobody@example.test>: Recipient address rejected\r\n")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	var p smtp.ReplyParser
	for b.Loop() {
		p.Feed(in)
		for {
			_, ok, err := p.Next()
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
	}
}

// BenchmarkSend measures the CPU cost of one 3-recipient, 4 KB message
// through the send machine (envelope, Bcc stripping, framing, reply
// parsing), with the server's replies canned.
func BenchmarkSend(b *testing.B) {
	for _, cfg := range []smtp.Config{{}, {NoChunking: true}} {
		name := "bdat"
		if cfg.NoChunking {
			name = "data"
		}
		b.Run(name, func(b *testing.B) {
			msg := []byte("From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>, carol@example.test\r\nBcc: dan@example.test\r\nSubject: benchmark\r\n\r\n" +
				strings.Repeat("A line of a 4 KB body, long enough to be typical of mail.\r\n", 70))
			s := smtp.NewSession(cfg, false)
			pending := []byte("220 mx\r\n")
			do := func(req coroutine.NetRequest) coroutine.NetReply {
				switch req.Op {
				case coroutine.NetWrite:
					if strings.HasPrefix(string(req.Data), "MAIL") {
						if cfg.NoChunking {
							pending = []byte("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n")
						} else {
							pending = []byte("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 queued\r\n")
						}
					} else if cfg.NoChunking && len(req.Data) > 100 {
						pending = []byte("250 queued\r\n")
					}
				case coroutine.NetRead:
					out := pending
					pending = nil
					return coroutine.NetReply{Data: out}
				}
				return coroutine.NetReply{}
			}
			if _, err := coroutine.Run(s.Connect(smtp.ConnectOptions{AllowPlaintext: true}), func(req coroutine.NetRequest) coroutine.NetReply {
				if req.Op == coroutine.NetWrite {
					pending = []byte("250-mx\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING\r\n")
				}
				if req.Op == coroutine.NetRead {
					out := pending
					pending = nil
					return coroutine.NetReply{Data: out}
				}
				return coroutine.NetReply{}
			}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := coroutine.Run(s.Send(msg, email.SendOptions{}), do)
				if err != nil || len(res.Accepted) != 3 {
					b.Fatal(err, res)
				}
			}
		})
	}
}
