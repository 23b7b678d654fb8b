package wire

import (
	"bytes"
	"errors"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/transcripttest"
)

// serverBytes returns the server side of a transcript under testdata/imap.
func serverBytes(t testing.TB, name string) []byte {
	t.Helper()
	return transcripttest.Server(t, "../../../testdata/imap/"+name)
}

// parseAll feeds data in chunks of size n and parses every response.
func parseAll(t testing.TB, data []byte, n int) []*Response {
	t.Helper()
	var r Reader
	var out []*Response
	for len(data) > 0 {
		k := min(n, len(data))
		r.Feed(data[:k])
		data = data[k:]
		for {
			raw, err := r.Next()
			require.NoError(t, err)
			if raw == nil {
				break
			}
			resp, err := Parse(raw)
			require.NoError(t, err, "response %q", raw)
			out = append(out, resp)
		}
	}
	require.False(t, r.Incomplete())
	return out
}

func TestDovecotTranscriptEverySplit(t *testing.T) {
	data := serverBytes(t, "dovecot-session.txt")
	whole := parseAll(t, data, len(data))
	require.Len(t, whole, 68)
	testEverySplit(t, data, whole)
	data = serverBytes(t, "dovecot-qresync-idle.txt")
	testEverySplit(t, data, parseAll(t, data, len(data)))
}

func testEverySplit(t *testing.T, data []byte, whole []*Response) {
	// Split the stream in two at every byte position.
	for i := 1; i < len(data); i++ {
		var r Reader
		r.Feed(data[:i])
		count := 0
		for {
			raw, err := r.Next()
			require.NoError(t, err)
			if raw == nil {
				break
			}
			count++
		}
		r.Feed(data[i:])
		for {
			raw, err := r.Next()
			require.NoError(t, err)
			if raw == nil {
				break
			}
			_, err = Parse(raw)
			require.NoError(t, err)
			count++
		}
		require.Equal(t, len(whole), count, "split at %d", i)
	}
	for _, n := range []int{1, 2, 3, 7, 64} {
		got := parseAll(t, data, n)
		require.Equal(t, len(whole), len(got))
	}
}

func TestDovecotFetchDecoded(t *testing.T) {
	data := serverBytes(t, "dovecot-session.txt")
	rs := parseAll(t, data, len(data)) // one Feed: Data slices stay valid
	var fetches []*Fetch
	var sts []*Status
	for _, r := range rs {
		if r.Kind == KindFetch {
			fetches = append(fetches, r.Fetch)
		}
		if r.Kind == KindStatus {
			sts = append(sts, r.Status)
		}
	}
	f := fetches[0]
	assert.Equal(t, imap.UID(1), f.UID)
	assert.Equal(t, []imap.Flag{`\Seen`, `\Recent`, "$Forwarded"}, f.Flags)
	assert.Equal(t, int64(219), f.Size)
	assert.Equal(t, uint64(3), f.ModSeq)
	require.NotNil(t, f.Envelope)
	assert.Equal(t, "Hello wörld", f.Envelope.Subject)
	assert.Equal(t, "Jörg", f.Envelope.From[0].Name)
	assert.Equal(t, "jorg@example.test", f.Envelope.From[0].Addr())
	assert.Equal(t, "Bob, B", f.Envelope.To[1].Name)
	assert.Equal(t, "m1@example.test", f.Envelope.MessageID)
	_, off := f.Envelope.Date.Zone()
	assert.Equal(t, -7*3600, off)
	assert.Equal(t, "text/plain", f.BodyStructure.MediaType())
	assert.Empty(t, f.Errs)

	f = fetches[1]
	assert.Equal(t, `att "quoted"`, f.Envelope.Subject)
	mp := f.BodyStructure.(*imap.BodyStructureMultiPart)
	require.Len(t, mp.Children, 2)
	assert.Equal(t, "attachment", mp.Children[1].Disposition().Value)
	assert.Equal(t, "a.pdf", mp.Children[1].(*imap.BodyStructureSinglePart).Filename())

	f = fetches[2]
	require.Len(t, f.Sections, 1)
	assert.True(t, bytes.HasPrefix(f.Sections[0].Data, []byte("From: ")))
	assert.Len(t, f.Sections[0].Data, 219)

	var appendUID, copyUID bool
	for _, s := range sts {
		if s.Code == imap.ResponseCode("APPENDUID") && s.AppendUID == 2 {
			appendUID = true
			assert.Equal(t, uint32(1795656617), s.UIDValidity)
		}
		if s.Code == imap.ResponseCode("COPYUID") && s.Copy.DestUIDs.String() == "3" {
			copyUID = true
		}
	}
	assert.True(t, appendUID)
	assert.True(t, copyUID)
}

func TestParseTable(t *testing.T) {
	cases := []struct {
		in   string
		kind Kind
		chk  func(t *testing.T, r *Response)
	}{
		{"+\r\n", KindContinuation, nil}, // empty continuation quirk
		{"+ idling\r\n", KindContinuation, func(t *testing.T, r *Response) { assert.Equal(t, "idling", string(r.Text)) }},
		{"a1 OK\r\n", KindStatus, func(t *testing.T, r *Response) { assert.Equal(t, OK, r.Status.Type) }}, // missing text
		{"a1 ok done\n", KindStatus, func(t *testing.T, r *Response) { assert.Equal(t, "a1", r.Tag) }},    // bare LF, lower case
		{"* OK [CLOSED] Previous mailbox closed\r\n", KindStatus, func(t *testing.T, r *Response) {
			assert.Equal(t, imap.ResponseCode("CLOSED"), r.Status.Code)
		}},
		{"* OK [PERMANENTFLAGS (\\* \\Seen)]\r\n", KindStatus, func(t *testing.T, r *Response) {
			assert.Equal(t, []imap.Flag{`\*`, `\Seen`}, r.Status.PermanentFlags)
		}},
		{"* NO [WEIRD \"quoted ] thing\" x] text\r\n", KindStatus, func(t *testing.T, r *Response) {
			assert.Equal(t, "text", r.Status.Text)
		}},
		{"* OK [COPYUID 9 1:3,5 10:12,13] x\r\n", KindStatus, func(t *testing.T, r *Response) {
			assert.Equal(t, "1:3,5", r.Status.Copy.SourceUIDs.String())
			assert.Equal(t, "10:12,13", r.Status.Copy.DestUIDs.String())
		}},
		{"* VANISHED (EARLIER) 41,43:116,118\r\n", KindVanished, func(t *testing.T, r *Response) {
			assert.True(t, r.Vanished.Earlier)
			assert.Equal(t, "41,43:116,118", r.Vanished.UIDs.String())
		}},
		{"* ESEARCH (TAG \"a5\") UID COUNT 17 ALL 4:18,21\r\n", KindESearch, func(t *testing.T, r *Response) {
			assert.Equal(t, "a5", r.ESearch.Tag)
			assert.True(t, r.ESearch.UID)
			assert.Equal(t, uint32(17), *r.ESearch.Count)
			assert.Equal(t, "4:18,21", r.ESearch.All.String())
		}},
		{"* SEARCH 2 5 6 (MODSEQ 917162500)\r\n", KindSearch, func(t *testing.T, r *Response) {
			assert.Equal(t, []uint32{2, 5, 6}, r.Nums)
			assert.Equal(t, uint64(917162500), r.ModSeq)
		}},
		{"* SEARCH\r\n", KindSearch, nil},
		{"* SEARCH 1 2 \r\n", KindSearch, func(t *testing.T, r *Response) { assert.Equal(t, []uint32{1, 2}, r.Nums) }}, // trailing space
		{"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n", KindStatusData, func(t *testing.T, r *Response) {
			assert.Equal(t, uint32(231), *r.StatusData.NumMessages)
		}},
		{"* STATUS INBOX ()\r\n", KindStatusData, nil},
		{"* STATUS INBOX\r\n", KindStatusData, nil}, // 163.com
		{"* LIST (\\HasNoChildren) NIL INBOX\r\n", KindList, nil},
		{"* LIST (\\NonExistent) \"/\" {3}\r\nabc (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n", KindList, func(t *testing.T, r *Response) {
			assert.Equal(t, "abc", r.List.Mailbox)
		}},
		{"* 3 FETCH (UID 7 X-GM-LABELS (\\Inbox \"foo bar\") FLAGS (\\Seen))\r\n", KindFetch, func(t *testing.T, r *Response) {
			assert.Equal(t, imap.UID(7), r.Fetch.UID)
			assert.True(t, r.Fetch.HasFlags)
		}},
		{"* 3 FETCH (UID 7 BODYSTRUCTURE (\"text\" \"plain\" (\"boundary\" NIL) NIL NIL \"7bit\" -1 1) FLAGS ())\r\n", KindFetch, func(t *testing.T, r *Response) {
			assert.NotNil(t, r.Fetch.BodyStructure)
			assert.Empty(t, r.Fetch.Errs)
		}},
		{"* 4 FETCH (UID 8 ENVELOPE (garbage (( ) FLAGS (\\Seen) RFC822.SIZE 10)\r\n", KindFetch, func(t *testing.T, r *Response) {
			assert.Equal(t, imap.UID(8), r.Fetch.UID)
			assert.NotEmpty(t, r.Fetch.Errs)
		}},
		{"* 5 FETCH (ENVELOPE (x) UID 9 RFC822.SIZE 10)\r\n", KindFetch, func(t *testing.T, r *Response) {
			assert.Equal(t, imap.UID(9), r.Fetch.UID)
			assert.True(t, r.Fetch.HasSize)
			assert.Len(t, r.Fetch.Errs, 1)
		}},
		{"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)]<0> {3}\r\nabc UID 4)\r\n", KindFetch, func(t *testing.T, r *Response) {
			assert.Equal(t, "HEADER.FIELDS (SUBJECT)", r.Fetch.Sections[0].Section)
			assert.Equal(t, int64(0), r.Fetch.Sections[0].Partial)
			assert.Equal(t, "abc", string(r.Fetch.Sections[0].Data))
		}},
		{"* 0 EXPUNGE\r\n", KindExpunge, nil}, // imapmemserver bug, tolerated
		{"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n", KindOther, func(t *testing.T, r *Response) { assert.Equal(t, "NAMESPACE", r.Name) }},
		{"* XYZZY whatever (\r\n", KindOther, nil},
		{"* ID NIL\r\n", KindID, nil},
		{"* ENABLED CONDSTORE QRESYNC\r\n", KindEnabled, func(t *testing.T, r *Response) { assert.Len(t, r.Caps, 2) }},
		{"* CAPABILITY IMAP4rev1 AUTH=PLAIN \r\n", KindCapability, func(t *testing.T, r *Response) { assert.Len(t, r.Caps, 2) }},
	}
	for _, c := range cases {
		t.Run(strings.TrimSpace(c.in[:min(30, len(c.in))]), func(t *testing.T) {
			rs := parseAll(t, []byte(c.in), 1)
			require.Len(t, rs, 1)
			assert.Equal(t, c.kind, rs[0].Kind)
			if c.chk != nil {
				c.chk(t, rs[0])
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"a1 MAYBE fine\r\n",
		"a1 BYE x\r\n",
		"* 1 FETCH UID 1\r\n",
		"* LIST (\\Noselect \"/\" x\r\n",
		"\r\n",
		"* \"\r\n",
		"* 99999999999 EXISTS\r\n",
		"* 1 FETCH " + strings.Repeat("(", 200) + "\r\n",
	} {
		_, err := Parse([]byte(in))
		require.Error(t, err, in)
		assert.True(t, errors.Is(err, email.ErrProtocol), in)
	}
}

func TestReaderLimits(t *testing.T) {
	var r Reader
	r.Feed([]byte("* 1 FETCH (BODY[] {10000000000}\r\n"))
	_, err := r.Next()
	require.ErrorIs(t, err, email.ErrTooLarge)
	assert.Less(t, cap(r.buf), 1<<20)

	r = Reader{MaxLine: 100}
	for range 10 {
		r.Feed(bytes.Repeat([]byte("x"), 30))
	}
	_, err = r.Next()
	require.ErrorIs(t, err, ErrLimit)
	_, err = r.Next()
	require.ErrorIs(t, err, ErrLimit, "sticky")

	r = Reader{MaxLiteral: 10}
	r.Feed([]byte("a1 OK [X {11}\r\n"))
	_, err = r.Next()
	require.ErrorIs(t, err, ErrLimit, "a tagged response is not skipped")

	// An untagged response over the literal limit is dropped as it
	// arrives, reported once, and the next response comes through.
	r = Reader{MaxLiteral: 10}
	r.Feed([]byte("* 1 FETCH (BODY[] {11}\r\n0123"))
	raw, err := r.Next()
	require.NoError(t, err)
	require.Nil(t, raw)
	r.Feed([]byte("456789a UID 5 BODY[1] {3}\r\nabc)\r\n* 2 EX"))
	_, err = r.Next()
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.True(t, le.Skipped)
	assert.ErrorIs(t, err, email.ErrTooLarge)
	r.Feed([]byte("ISTS\r\n"))
	raw, err = r.Next()
	require.NoError(t, err, "not sticky")
	assert.Equal(t, "* 2 EXISTS\r\n", string(raw))
	assert.Equal(t, int64(len("* 2 EXISTS\r\n")), r.Consumed())

	r = Reader{MaxResponse: 30}
	r.Feed([]byte("* 1 FETCH (BODY[] {5}\r\nabcde BODY[1] {5}\r\nabcde)\r\n"))
	_, err = r.Next()
	require.ErrorIs(t, err, ErrLimit)

	// A literal that never ends just waits, within its announced bound.
	r = Reader{}
	r.Feed([]byte("* 1 FETCH (BODY[] {100}\r\nabc"))
	raw, err = r.Next()
	require.NoError(t, err)
	require.Nil(t, raw)
	assert.True(t, r.Incomplete())
}

func TestUTF7(t *testing.T) {
	for dec, enc := range map[string]string{
		"INBOX":              "INBOX",
		"Entwürfe":           "Entw&APw-rfe",
		"&":                  "&-",
		"a&b":                "a&-b",
		"日本語":                "&ZeVnLIqe-",
		"Été/été":            "&AMk-t&AOk-/&AOk-t&AOk-",
		"~peter/mail/台北/日本語": "~peter/mail/&U,BTFw-/&ZeVnLIqe-",
		"😀":                  "&2D3eAA-",
	} {
		assert.Equal(t, enc, EncodeUTF7(dec))
		got, err := DecodeUTF7(enc)
		require.NoError(t, err)
		assert.Equal(t, dec, got)
	}
	for _, bad := range []string{"&", "&Jjo", "&AGE-", "a\x80", "&ZeVnLIqe", "&2D0-", "&=-"} {
		_, err := DecodeUTF7(bad)
		assert.ErrorIs(t, err, email.ErrInvalidName, bad)
	}
}

func TestEncoder(t *testing.T) {
	enc := func(o EncodeOptions, f func(e *Encoder)) (*Command, error) {
		e := NewCommand("A1", "X", o)
		f(e)
		return e.Finish()
	}
	c, err := enc(EncodeOptions{}, func(e *Encoder) {
		e.SP().String("abc").SP().String("a b").SP().String(`q"\`).SP().String("").SP().String("nil")
	})
	require.NoError(t, err)
	assert.Equal(t, "A1 X abc \"a b\" \"q\\\"\\\\\" \"\" \"nil\"\r\n", string(c.Bytes()))

	// CRLF in a caller's string becomes a literal: it cannot end the command.
	c, err = enc(EncodeOptions{}, func(e *Encoder) { e.SP().String("x\r\nA2 DELETE INBOX") })
	require.NoError(t, err)
	require.Len(t, c.Segments, 2)
	assert.Equal(t, "A1 X {18}\r\n", string(c.Segments[0]))
	assert.Equal(t, "x\r\nA2 DELETE INBOX\r\n", string(c.Segments[1]))

	c, err = enc(EncodeOptions{LiteralPlus: true}, func(e *Encoder) { e.SP().String("a\nb") })
	require.NoError(t, err)
	assert.Equal(t, []string{"A1 X {3+}\r\na\nb\r\n"}, []string{string(c.Bytes())})
	require.Len(t, c.Segments, 1)

	c, err = enc(EncodeOptions{LiteralMinus: true}, func(e *Encoder) { e.SP().Literal(make([]byte, 4097)) })
	require.NoError(t, err)
	require.Len(t, c.Segments, 2)

	for _, bad := range []func(e *Encoder){
		func(e *Encoder) { e.SP().String("a\x00b") },
		func(e *Encoder) { e.SP().Atom("a b") },
		func(e *Encoder) { e.SP().Atom("") },
		func(e *Encoder) { e.SP().Flag(`\Seen)`) },
		func(e *Encoder) { e.SP().Flag("a\r\n") },
		func(e *Encoder) { e.SP().Mailbox("a\r\nb") },
		func(e *Encoder) { e.SP().Mailbox("a\x00") },
		func(e *Encoder) { e.SP().Mailbox("\xff") },
	} {
		_, err := enc(EncodeOptions{}, bad)
		assert.ErrorIs(t, err, email.ErrInvalidArgument)
	}

	c, err = enc(EncodeOptions{}, func(e *Encoder) { e.SP().Mailbox("inbox").SP().Mailbox("Été").SP().Mailbox("a b") })
	require.NoError(t, err)
	assert.Equal(t, "A1 X INBOX &AMk-t&AOk- \"a b\"\r\n", string(c.Bytes()))
	c, err = enc(EncodeOptions{UTF8: true}, func(e *Encoder) { e.SP().Mailbox("Été") })
	require.NoError(t, err)
	assert.Equal(t, "A1 X \"Été\"\r\n", string(c.Bytes()))
}

func FuzzUTF7(f *testing.F) {
	for _, s := range []string{"INBOX", "Entw&APw-rfe", "&-", "&ZeVnLIqe-", "&2D3eAA-", "&", "&AGE-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec, err := DecodeUTF7(s)
		if err != nil {
			return
		}
		if enc := EncodeUTF7(dec); enc != s {
			t.Fatalf("DecodeUTF7(%q) = %q, re-encodes as %q", s, dec, enc)
		}
	})
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"Mon, 2 Jan 2006 15:04:05 -0700":        "2006-01-02T15:04:05-07:00",
		"2 Jan 2006 15:04 +0130":                "2006-01-02T15:04:00+01:30",
		"Tue, 03 Jan 06 10:00:00 GMT":           "2006-01-03T10:00:00Z",
		"Tue, 03 Jan 99 10:00:00 EST":           "1999-01-03T10:00:00-05:00",
		"Tue,  3 Jan 2006 10:00:00 +0000 (UTC)": "2006-01-03T10:00:00Z",
		"3 jan 2006 10:00:00 pdt":               "2006-01-03T10:00:00-07:00",
		"Tue, 3 Jan 103 10:00:00 +0000":         "2003-01-03T10:00:00Z",
	} {
		got := ParseDate(in)
		require.False(t, got.IsZero(), in)
		assert.Equal(t, want, got.Format(time.RFC3339), in)
	}
	for _, bad := range []string{"", "yesterday", "31 Feb 2006 10:00:00 +0000", "1 Jan 2006 25:00:00 +0000", "1 Foo 2006 10:00 +0000"} {
		assert.True(t, ParseDate(bad).IsZero(), bad)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 06 15:04 EST", "Tue,  3 Jan 2006 10:00:00 +0000 (UTC)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := fastDate(s)
		if !ok {
			return
		}
		// Whatever the fast path accepts, it reads as net/mail would, except
		// zone names, which net/mail reads as +0000 against RFC 5322 4.3.
		slow, err := mail.ParseDate(s)
		if err == nil && strings.ContainsAny(s, "+-") && !slow.Equal(fast) {
			t.Fatalf("%q: fast %v, net/mail %v", s, fast, slow)
		}
	})
}

func TestDecodeWordsCharsets(t *testing.T) {
	assert.Equal(t, "Grüße", decodeWords("=?ISO-8859-15?Q?Gr=FC=DFe?="))
	assert.Equal(t, "Привет", decodeWords("=?KOI8-R?B?8NLJ18XU?="))
	// An unknown charset keeps the decoded bytes (valid UTF-8), as the
	// local stores do.
	assert.Equal(t, "abc", decodeWords("=?X-UNKNOWN?Q?abc?="))
	// White space between adjacent encoded words is dropped (RFC 2047 6.2).
	assert.Equal(t, "Приветмир", decodeWords("=?KOI8-R?B?8NLJ18XU?= =?KOI8-R?B?zcnS?="))
}
