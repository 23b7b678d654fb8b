package header

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHasAttachment(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	mixed := "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
	tests := []struct {
		name string
		msg  string
		want bool
	}{
		{"plain", "Subject: x\n\nbody\n", false},
		{"no content type", "\nbody", false},
		{"top-level attachment", "Content-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n", true},
		{"top-level attachment, odd case and folding", "Content-Disposition:\n ATTACHMENT\n\t; filename=a.pdf\n\n", true},
		{"top-level inline", "Content-Disposition: inline\n\n", false},
		{"alternative", "Content-Type: multipart/alternative; boundary=b1\n\n--b1\nContent-Type: text/plain\n\nx\n--b1--\n", false},
		{"related", "Content-Type: multipart/related; boundary=b1\n\n--b1\nContent-Type: text/html\n\nx\n--b1\nContent-Type: image/png\n\nx\n--b1--\n", false},
		{"mixed with a pdf", mixed + "--b1\nContent-Type: text/plain\n\nhi\n--b1\nContent-Type: application/pdf\n\n%PDF\n--b1--\n", true},
		{"mixed with a disposition", mixed + "--b1\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nhi\n--b1--\n", true},
		{"mixed, text only", mixed + "--b1\nContent-Type: text/plain\n\nhi\n--b1\nContent-Type: text/plain\n\nfooter\n--b1--\n", false},
		{"mixed, inline image", mixed + "--b1\nContent-Type: image/png\nContent-Disposition: inline\n\nx\n--b1--\n", false},
		{"mixed, nested alternative only", mixed + "--b1\nContent-Type: multipart/alternative; boundary=b2\n\n--b2\nContent-Type: application/pdf\n\nx\n--b2--\n--b1--\n", false},
		{"mixed, part without header", mixed + "--b1\n\nplain text by default\n--b1--\n", false},
		{"mixed, cut before the end", mixed + "--b1\nContent-Type: text/plain\n\nhi, a long body that goes on", true},
		{"mixed, header only", "Content-Type: multipart/mixed; boundary=b1\n\n", true},
		{"mixed, header not complete", "Content-Type: multipart/mixed; boundary=b1\n", true},
		{"mixed, no boundary", "Content-Type: multipart/mixed\n\n--b1\n\nx\n--b1--\n", true},
		{"mixed, CRLF", crlf(mixed + "--b1\nContent-Type: text/plain\n\nhi\n--b1--\n"), false},
		{"mixed, CRLF, pdf", crlf(mixed + "--b1\nContent-Type: application/pdf\n\nx\n--b1--\n"), true},
		{"mixed, unquoted boundary with preamble", "Content-Type: Multipart/Mixed;\n boundary=b1 ; charset=x\n\npreamble --b1--\n--b1\nContent-Type: text/plain\n\nx\n--b1--\n", false},
		{"mixed, boundary is a prefix of a line", mixed + "--b1x\nContent-Type: application/pdf\n\n--b1\nContent-Type: text/plain\n\n--b1--\n", false},
		{"mixed, message/rfc822", mixed + "--b1\nContent-Type: message/rfc822\n\nSubject: fwd\n\nx\n--b1--\n", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Scan([]byte(tt.msg)).HasAttachment, tt.name)
	}
}

func TestParam(t *testing.T) {
	tests := []struct{ in, want string }{
		{`multipart/mixed; boundary="abc"`, "abc"},
		{`multipart/mixed; BOUNDARY=abc`, "abc"},
		{`multipart/mixed;boundary=abc;charset=x`, "abc"},
		{"multipart/mixed;\r\n\tboundary=\"a b\"", "a b"},
		{`multipart/mixed; charset="x;y"; boundary=z`, "z"},
		{`multipart/mixed; boundary = "abc" `, "abc"},
		{`multipart/mixed; boundary="unterminated`, "unterminated"},
		{`multipart/mixed; foo; boundary=z`, "z"},
		{`multipart/mixed`, ""},
		{`multipart/mixed; boundary`, ""},
		{`multipart/mixed; boundary=`, ""},
		{`multipart/mixed; boundary="`, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(param([]byte(tt.in), "boundary")), tt.in)
	}
}
