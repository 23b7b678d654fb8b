package header

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ioemail/ioemail/email"
)

func TestScanThreadFields(t *testing.T) {
	head := "From: a@x\r\nReply-To: \"List\" <list@x>, b@y\r\n" +
		"In-Reply-To: <p1@x> (parent)\r\n" +
		"References: <r0@x>\r\n <r1 @ x>  (c) <r2@x\r\nCc: c@z\r\n\r\nbody"
	s := Scan([]byte(head))
	if want := []email.Address{{Name: "List", Email: "list@x"}, {Email: "b@y"}}; !slices.Equal(s.ReplyTo, want) {
		t.Errorf("ReplyTo = %v, want %v", s.ReplyTo, want)
	}
	if want := []string{"p1@x"}; !slices.Equal(s.InReplyTo, want) {
		t.Errorf("InReplyTo = %q, want %q", s.InReplyTo, want)
	}
	if want := []string{"r0@x", "r1@x", "r2@x"}; !slices.Equal(s.References, want) {
		t.Errorf("References = %q, want %q", s.References, want)
	}
	if want := []email.Address{{Email: "c@z"}}; !slices.Equal(s.Cc, want) {
		t.Errorf("Cc = %v, want %v", s.Cc, want)
	}
}

func TestScanThreadFieldsEdges(t *testing.T) {
	for _, c := range []struct {
		value string
		want  []string
	}{
		{"bare@id", []string{"bare@id"}},
		{"<>", nil},
		{"(only a comment)", nil},
		{"<a@x><b@x>", []string{"a@x", "b@x"}},
		{"<a@x <b@x>", []string{"a@x", "b@x"}},
		{"text <a@x> more", []string{"a@x"}},
	} {
		s := Scan([]byte("In-Reply-To: " + c.value + "\r\n\r\n"))
		if !slices.Equal(s.InReplyTo, c.want) {
			t.Errorf("%q: InReplyTo = %q, want %q", c.value, s.InReplyTo, c.want)
		}
	}
}

func TestScanReferencesBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("References:")
	for i := range 3 * MaxIDs {
		fmt.Fprintf(&b, " <id%d@x>", i)
	}
	s := Scan([]byte(b.String() + "\r\n\r\n"))
	if len(s.References) != MaxIDs || s.References[0] != "id0@x" {
		t.Fatalf("got %d ids starting %q, want %d starting id0@x", len(s.References), s.References[:1], MaxIDs)
	}
}
