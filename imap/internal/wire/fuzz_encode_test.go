package wire

import (
	"bytes"
	"errors"
	"strconv"
	"testing"

	"github.com/ioemail/ioemail/email"
)

// commandEnd walks an encoded command as a server would read it (RFC 3501
// section 7.5 syntax of literals: "{n}" or "{n+}" then CRLF then n bytes)
// and returns where the first command line ends, and the offsets where
// synchronising literals begin (where a client waits for "+").
func commandEnd(b []byte) (end int, syncs []int) {
	start := 0 // where the text after the last literal begins
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		line := bytes.TrimSuffix(b[start:i], []byte("\r"))
		j := bytes.LastIndexByte(line, '{')
		if j < 0 || !bytes.HasSuffix(line, []byte("}")) {
			return i + 1, syncs
		}
		num := line[j+1 : len(line)-1]
		sync := true
		if n := len(num); n > 0 && num[n-1] == '+' {
			num, sync = num[:n-1], false
		}
		n, err := strconv.Atoi(string(num))
		if err != nil {
			return i + 1, syncs
		}
		if sync {
			syncs = append(syncs, i+1)
		}
		i += n
		start = i + 1
	}
	return -1, syncs
}

// checkOneCommand fails t unless c is exactly one command for the server:
// the line ends only at the end, and the segments break exactly where
// the synchronising literals begin.
func checkOneCommand(t *testing.T, c *Command) {
	t.Helper()
	b := c.Bytes()
	end, syncs := commandEnd(b)
	if end != len(b) {
		t.Fatalf("%q: the server reads a command ending at %d of %d bytes", b, end, len(b))
	}
	var cuts []int
	off := 0
	for _, s := range c.Segments[:len(c.Segments)-1] {
		off += len(s)
		cuts = append(cuts, off)
	}
	if len(cuts) != len(syncs) {
		t.Fatalf("%q: segments end at %v, synchronising literals begin at %v", b, cuts, syncs)
	}
	for i := range cuts {
		if cuts[i] != syncs[i] {
			t.Fatalf("%q: segments end at %v, synchronising literals begin at %v", b, cuts, syncs)
		}
	}
}

// readBack parses the argument arg (as encoded, literals made
// synchronising) as the mailbox of a LIST response, and returns it.
func readBack(t *testing.T, arg []byte) string {
	t.Helper()
	arg = bytes.ReplaceAll(arg, []byte("+}\r\n"), []byte("}\r\n"))
	var r Reader
	r.Feed(append(append([]byte(`* LIST () "/" `), arg...), "\r\n"...))
	raw, err := r.Next()
	if err != nil || raw == nil {
		t.Fatalf("LIST with %q does not frame: %v", arg, err)
	}
	resp, err := Parse(raw)
	if err != nil || resp.Kind != KindList {
		t.Fatalf("LIST with %q does not parse: %v", arg, err)
	}
	return resp.List.Mailbox
}

// FuzzEncodeCommand checks the command encoder with arbitrary mailbox
// names, flags, strings and literals, under every combination of
// LITERAL+, LITERAL- and UTF8=ACCEPT: an argument either fails with an
// error matching email.ErrInvalidArgument, or the command stays exactly
// one command (no CR or LF of the caller's can end it or start another:
// they only go inside literals, which split the segments where the
// client must wait), and the argument reads back as it was given.
func FuzzEncodeCommand(f *testing.F) {
	for _, s := range []string{"INBOX", "Entwürfe", "a b", `q"\`, "x\r\nA2 DELETE INBOX", "nil", "", "\\Seen", "$Junk", "{3}", "a\x00", "日本語", "&-"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(7))
	}
	f.Fuzz(func(t *testing.T, s string, o uint8) {
		opts := EncodeOptions{LiteralPlus: o&1 != 0, LiteralMinus: o&2 != 0, UTF8: o&4 != 0}
		encode := func(arg func(*Encoder)) (*Command, []byte, bool) {
			e := NewCommand("A1", "X", opts).SP()
			arg(e)
			c, err := e.Finish()
			if err != nil {
				if !errors.Is(err, email.ErrInvalidArgument) {
					t.Fatalf("%q: error %v does not match ErrInvalidArgument", s, err)
				}
				return nil, nil, false
			}
			checkOneCommand(t, c)
			b := c.Bytes()
			return c, b[len("A1 X ") : len(b)-2], true
		}
		if _, arg, ok := encode(func(e *Encoder) { e.Mailbox(s) }); ok {
			got := readBack(t, arg)
			want := s
			if email.IsInbox(s) {
				want = "INBOX"
			} else if !opts.UTF8 {
				dec, err := DecodeUTF7(got)
				if err != nil {
					t.Fatalf("%q went as %q, not modified UTF-7: %v", s, got, err)
				}
				got = dec
			}
			if got != want {
				t.Fatalf("mailbox %q went as %q, reads back as %q", s, arg, got)
			}
		}
		if _, arg, ok := encode(func(e *Encoder) { e.String(s) }); ok {
			if got := readBack(t, arg); got != s {
				t.Fatalf("string %q went as %q, reads back as %q", s, arg, got)
			}
		}
		if _, arg, ok := encode(func(e *Encoder) { e.Flag(s) }); ok {
			if string(arg) != s {
				t.Fatalf("flag %q went as %q", s, arg)
			}
			var r Reader
			r.Feed([]byte("* FLAGS (" + s + ")\r\n"))
			raw, _ := r.Next()
			resp, err := Parse(raw)
			if err != nil || len(resp.Flags) != 1 || string(resp.Flags[0]) != s {
				t.Fatalf("flag %q reads back as %v (%v)", s, resp, err)
			}
		}
		if _, arg, ok := encode(func(e *Encoder) { e.Literal([]byte(s)) }); ok {
			if got := readBack(t, arg); got != s {
				t.Fatalf("literal %q went as %q, reads back as %q", s, arg, got)
			}
		}
	})
}
