package jmap_test

import (
	"fmt"

	"github.com/ioemail/ioemail/jmap"
)

// A Canonicalizer turns a message read in pieces into the bytes a JMAP
// server stores: the mbox "From " line dropped, bare LF made CRLF, even
// when a CR and its LF, or "From ", are split across pieces.
func ExampleCanonicalizer() {
	var c jmap.Canonicalizer
	var out []byte
	for _, piece := range []string{"Fr", "om alice Mon Jan  1 2024\nSubject: hi\r", "\n\nbody\n"} {
		out = c.Append(out, []byte(piece))
	}
	out = c.Flush(out)
	fmt.Printf("%q\n", out)
	// Output:
	// "Subject: hi\r\n\r\nbody\r\n"
}
