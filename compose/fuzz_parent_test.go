package compose_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ioemail/ioemail/compose"
	"github.com/ioemail/ioemail/email"
)

// FuzzReadParent reads arbitrary bytes as a parent header, seeded with the
// shared sample messages (testdata/messages). Whatever ReadParent accepts,
// a reply to it and a forward of it must write without error: every id,
// address and subject it returns is one Write can carry.
func FuzzReadParent(f *testing.F) {
	files, err := filepath.Glob("../testdata/messages/*.eml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed messages: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(dovecotLike))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := compose.ReadParent(bytes.NewReader(raw))
		if err != nil {
			if !errors.Is(err, email.ErrProtocol) && !errors.Is(err, email.ErrTooLarge) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		me := email.Address{Email: "me@example.org"}
		for _, m := range []*compose.Message{compose.ReplyAll(p, me), compose.Forward(p, bytes.NewReader(raw), me)} {
			var out bytes.Buffer
			if err := compose.Write(&out, m, opts(1)); err != nil {
				t.Fatalf("writing %q: %v", m.Subject, err)
			}
			back, err := compose.ReadParent(&out)
			if err != nil {
				t.Fatalf("our own output does not read back: %v", err)
			}
			// Folding may change white space: go-message unfolds
			// "a  \r\n b" to "a b", and must break a word longer than a
			// line (998 bytes, RFC 5322 section 2.1.1), which adds a
			// space. Nothing else may change.
			if strings.Join(strings.Fields(back.Subject), "") != strings.Join(strings.Fields(m.Subject), "") {
				t.Fatalf("subject %q read back as %q", m.Subject, back.Subject)
			}
		}
	})
}
