package header

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// threadFieldNames are the reply and thread fields the backends fetch
// besides envelopeFieldNames.
var threadFieldNames = []string{"cc", "reply-to", "in-reply-to", "references"}

// FuzzScanThreadFields checks the reply and thread fields of Scan: the
// same for a whole message as for those fields alone (what IMAP
// HEADER.FIELDS and JMAP raw headers return), at most MaxIDs ids per
// list, and every id non-empty, valid UTF-8, without white space or '<'.
// Seeds: the search corpus and the sample messages, plus hostile lists.
func FuzzScanThreadFields(f *testing.F) {
	addMessageSeeds(f)
	f.Add([]byte("In-Reply-To: bare@id (c)\r\nReferences: <a@x\r\n <b@x> <> (<c@x>) <d@x\r\n\r\n"))
	f.Add([]byte("References: " + strings.Repeat("<x@y>", 3*MaxIDs) + "\nReply-To: g: a@x, \"b, c\" <b@x>;\n\n"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		whole := Scan(msg)
		only := Scan(onlyFields(msg, threadFieldNames))
		if !slices.Equal(whole.Cc, only.Cc) || !slices.Equal(whole.ReplyTo, only.ReplyTo) ||
			!slices.Equal(whole.InReplyTo, only.InReplyTo) || !slices.Equal(whole.References, only.References) {
			t.Fatalf("whole message %+v, fields only %+v", whole, only)
		}
		for _, ids := range [][]string{whole.InReplyTo, whole.References} {
			if len(ids) > MaxIDs {
				t.Fatalf("%d ids, more than %d", len(ids), MaxIDs)
			}
			for _, id := range ids {
				if id == "" || !utf8.ValidString(id) || strings.ContainsAny(id, "< \t\r\n") {
					t.Fatalf("bad id %q in %q", id, ids)
				}
			}
		}
	})
}

// addMessageSeeds adds every message of the search corpus and of the
// sample messages as a seed.
func addMessageSeeds(f *testing.F) {
	for _, dir := range []string{"corpus", "messages"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", dir, "*.eml"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// onlyFields returns the fields of head named in names (lower case), as
// written, in order, then the blank line: what a server returns for
// BODY.PEEK[HEADER.FIELDS (...)].
func onlyFields(head []byte, names []string) []byte {
	var b bytes.Buffer
	for fl := range Fields(head) {
		if slices.ContainsFunc(names, func(n string) bool { return equalFold(fl.Name, n) }) {
			b.Write(fl.Name)
			b.WriteByte(':')
			b.Write(fl.Value)
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}
