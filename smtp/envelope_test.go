package smtp

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

func TestEnvelopeFromHeaders(t *testing.T) {
	msg := "From: Alice <alice@example.test>\r\n" +
		"Sender: list-bounces@lists.example.test\r\n" +
		"To: Bob <bob@example.test>, \"Smith, John\" <john@example.test>\r\n" +
		"Cc: friends: carol@example.test, Dan <dan@EXAMPLE.test>;, bob@Example.Test\r\n" +
		"Bcc: \"odd local\"@example.test,\r\n\t<admin@[192.0.2.1]>, =?x-unknown?q?Who?= <who@example.test>\r\n" +
		"Subject: test\r\n\r\nTo: not@a.header\r\n"
	env, err := EnvelopeFromHeaders([]byte(msg), email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, "list-bounces@lists.example.test", env.From)
	assert.Equal(t, []string{
		"bob@example.test", "john@example.test", "carol@example.test", "dan@EXAMPLE.test",
		`"odd local"@example.test`, "admin@[192.0.2.1]", "who@example.test",
	}, env.To)
}

func TestEnvelopeResent(t *testing.T) {
	msg := "Resent-From: fwd@example.test\r\n" +
		"Resent-To: new@example.test\r\n" +
		"Resent-Bcc: hidden@example.test\r\n" +
		"Resent-From: older@example.test\r\n" +
		"Resent-To: older-rcpt@example.test\r\n" +
		"From: a@example.test\r\nTo: b@example.test\r\n\r\nbody\r\n"
	env, err := EnvelopeFromHeaders([]byte(msg), email.SendOptions{})
	require.NoError(t, err)
	assert.Equal(t, "fwd@example.test", env.From)
	assert.Equal(t, []string{"new@example.test", "hidden@example.test"}, env.To)
	assert.Equal(t, "Resent-From: fwd@example.test\r\nResent-To: new@example.test\r\n"+
		"Resent-From: older@example.test\r\nResent-To: older-rcpt@example.test\r\n"+
		"From: a@example.test\r\nTo: b@example.test\r\n\r\nbody\r\n", string(StripBcc([]byte(msg))))
}

func TestEnvelopeErrors(t *testing.T) {
	for _, msg := range []string{
		"To: b@example.test\r\n\r\n",
		"From: a@example.test\r\n\r\n",
		"From: a@example.test\r\nTo: undisclosed-recipients:;\r\n\r\n",
		"From: <unclosed@example.test\r\nTo: b@example.test\r\n\r\n",
		"From: a@example.test\r\nTo: @example.test\r\n\r\n",
	} {
		_, err := EnvelopeFromHeaders([]byte(msg), email.SendOptions{})
		require.ErrorIs(t, err, email.ErrInvalidArgument, msg)
	}
	_, err := EnvelopeFromHeaders([]byte("From: a@example.test\r\n\r\n"), email.SendOptions{To: []string{"x@y\r\nDATA"}})
	require.ErrorIs(t, err, email.ErrInvalidArgument)
}

func TestPath(t *testing.T) {
	good := map[string]string{
		"a@example.test":              "a@example.test",
		"first.last+tag@example.test": "first.last+tag@example.test",
		"john doe@example.test":       `"john doe"@example.test`,
		`q"x@example.test`:            `"q\"x"@example.test`,
		"a.b@c@example.test":          `"a.b@c"@example.test`,
		".dot@example.test":           `".dot"@example.test`,
		`"already quoted"@x.test`:     `"already quoted"@x.test`,
		"x@[IPv6:2001:db8::1]":        "x@[IPv6:2001:db8::1]",
		"jörg@exämple.test":           "jörg@exämple.test",
	}
	for in, want := range good {
		got, err := Path(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "a", "@x", "a@", "a@b c", "a@b>", "a@[1.2.3.4", "a\r\n@x", "a@x\x00", "a@..x", `"bad"quote"@x`} {
		_, err := Path(in)
		require.ErrorIs(t, err, email.ErrInvalidArgument, in)
	}
}

func TestStripBcc(t *testing.T) {
	msg := "From: a@example.test\r\n" +
		"BCC: one@example.test,\r\n" +
		"  two@example.test\r\n" +
		"\ttwo-and-a-half@example.test\r\n" +
		"To: b@example.test\r\n" +
		"bcc:\r\n" +
		"Subject: Bcc: in a subject stays\r\n" +
		"\r\n" +
		"Bcc: in the body stays\r\n"
	want := "From: a@example.test\r\n" +
		"To: b@example.test\r\n" +
		"Subject: Bcc: in a subject stays\r\n" +
		"\r\n" +
		"Bcc: in the body stays\r\n"
	assert.Equal(t, want, string(StripBcc([]byte(msg))))
	// LF-only messages too.
	assert.Equal(t, strings.ReplaceAll(want, "\r\n", "\n"), string(StripBcc([]byte(strings.ReplaceAll(msg, "\r\n", "\n")))))
	// Nothing to strip: the same slice.
	b := []byte(want)
	assert.Equal(t, &b[0], &StripBcc(b)[0])
	// A message that is only a Bcc header.
	assert.Equal(t, "", string(StripBcc([]byte("Bcc: x@y\r\n"))))
}

func TestNormalize(t *testing.T) {
	cases := []struct{ in, data, bdat string }{
		{"", ".\r\n", ""},
		{"a", "a\r\n.\r\n", "a\r\n"},
		{"a\r\n", "a\r\n.\r\n", "a\r\n"},
		{".\n..\n.x\ny.\n", "..\r\n...\r\n..x\r\ny.\r\n.\r\n", ".\r\n..\r\n.x\r\ny.\r\n"},
		{"a\rb\r\n\rc", "a\r\nb\r\n\r\nc\r\n.\r\n", "a\r\nb\r\n\r\nc\r\n"},
		{"\r\n.\r\n", "\r\n..\r\n.\r\n", "\r\n.\r\n"},
	}
	for _, c := range cases {
		assert.Equal(t, c.data, string(normalize([]byte(c.in), true)), "%q", c.in)
		assert.Equal(t, c.bdat, string(normalize([]byte(c.in), false)), "%q", c.in)
	}
}

// FuzzEnvelope checks that header parsing and Bcc stripping never panic,
// that stripping keeps every byte outside the removed fields, and that no
// derived path can inject a command.
func FuzzEnvelope(f *testing.F) {
	f.Add([]byte("From: a@example.test\r\nTo: b@example.test\r\nBcc: c@example.test,\r\n d@example.test\r\n\r\nbody\r\n"))
	f.Add([]byte("Resent-From: x@y.z\nResent-Bcc: q@r.s\nFrom: a@b.c\n\n"))
	f.Add([]byte("From: \"a b\"@[1.2.3.4]\r\nTo: g: x@y.z, \"q\\\"\"@e.f;\r\n\r\n"))
	f.Add([]byte("From: =?utf-8?q?J=C3=B6rg?= <j\xc3\xb6rg@ex\xc3\xa4mple.de>\r\nTo: (c) <a@b.c> (d)\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, err := EnvelopeFromHeaders(raw, email.SendOptions{})
		if err == nil {
			for _, p := range append([]string{env.From}, env.To...) {
				if strings.ContainsAny(p, "\r\n\x00<>") && !strings.HasPrefix(p, `"`) {
					t.Fatalf("unsafe path %q", p)
				}
				if strings.ContainsAny(p, "\r\n") {
					t.Fatalf("path with a line break %q", p)
				}
			}
		}
		out := StripBcc(raw)
		if len(out) > len(raw) {
			t.Fatal("stripping grew the message")
		}
		// The body is untouched.
		fs := headerFields(raw)
		end := 0
		if len(fs) > 0 {
			end = fs[len(fs)-1].end
		}
		if !bytes.HasSuffix(out, raw[end:]) {
			t.Fatal("body changed")
		}
		for _, f := range headerFields(out) {
			if strings.EqualFold(f.name, "bcc") || strings.EqualFold(f.name, "resent-bcc") {
				t.Fatalf("Bcc left in %q", out)
			}
		}
		normalize(raw, true)
	})
}

func TestSendMailQuotesPaths(t *testing.T) {
	s := NewSession(Config{Domain: "c"}, false)
	s.ext = Extensions{ESMTP: true, Pipelining: true}
	to := []string{"john doe@example.test"}
	m := s.SendMail(Envelope{From: "a b@example.test", To: to}, []byte("x\r\n"))
	req, done := m.Resume(coroutine.NetReply{})
	require.False(t, done)
	assert.Equal(t, "MAIL FROM:<\"a b\"@example.test>\r\nRCPT TO:<\"john doe\"@example.test>\r\nDATA\r\n", string(req.Data))
	assert.Equal(t, "john doe@example.test", to[0], "caller's slice untouched")
}
