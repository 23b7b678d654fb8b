package jmap

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/ioemail/ioemail/email"
)

// FuzzHeaderFields checks what the JMAP send stores of a message: with
// Bcc and Resent-Bcc stripped (as Send does), no such field is left, every
// other field and the body are kept as they were, and stripping again
// changes nothing.
func FuzzHeaderFields(f *testing.F) {
	f.Add([]byte("From: a@x\r\nBcc: b@x,\r\n c@x\r\n\r\nbody"))
	f.Add([]byte("From: a@x\r\nTo: b@x\r\nRESENT-bcc : q@r\r\n\tmore@r\r\nSubject: Bcc: stays\r\n\r\nBcc: body stays\r\n"))
	f.Add([]byte(" folded first\nBcc:x\n\n"))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := stripField(stripField(raw, "Bcc"), "Resent-Bcc")
		if len(out) > len(raw) {
			t.Fatal("stripping grew the message")
		}
		if !bytes.HasSuffix(out, raw[headerEnd(raw):]) {
			t.Fatalf("body changed: %q -> %q", raw, out)
		}
		before, after := headerFields(raw), headerFields(out)
		for _, name := range []string{"bcc", "resent-bcc"} {
			if _, ok := after[name]; ok {
				t.Fatalf("%s left in %q", name, out)
			}
			delete(before, name)
		}
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("other fields changed:\n%q\n%q\n%v\n%v", raw, out, before, after)
		}
		if again := stripField(out, "Bcc"); !bytes.Equal(again, out) {
			t.Fatalf("stripping twice differs: %q", again)
		}
		_, _ = deriveEnvelope(raw, email.SendOptions{})
	})
}
