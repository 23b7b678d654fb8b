package compose_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/compose"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

var date = time.Date(2026, 3, 14, 9, 26, 53, 0, time.FixedZone("", 3600))

func opts(seed byte) compose.Options {
	return compose.Options{Entropy: bytes.NewReader(bytes.Repeat([]byte{seed}, 1024)), Clock: func() time.Time { return date }}
}

func write(t *testing.T, m *compose.Message, o compose.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, compose.Write(&buf, m, o))
	return buf.Bytes()
}

// part is one leaf of a parsed message.
type part struct {
	contentType, filename, body string
	disposition                 string
}

// parse reads raw back with go-message's mail reader.
func parse(t *testing.T, raw []byte) (mail.Header, []part) {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	require.NoError(t, err)
	var parts []part
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		body, err := io.ReadAll(p.Body)
		require.NoError(t, err)
		ct, _, _ := p.Header.(interface {
			ContentType() (string, map[string]string, error)
		}).ContentType()
		pp := part{contentType: ct, body: string(body)}
		if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
			pp.filename, _ = ah.Filename()
			pp.disposition = "attachment"
		}
		parts = append(parts, pp)
	}
	return mr.Header, parts
}

func sample() *compose.Message {
	return &compose.Message{
		From:    []email.Address{{Name: "Zoë Martin-Ñúñez", Email: "zoe@example.org"}},
		ReplyTo: []email.Address{{Email: "team@example.org"}},
		To:      []email.Address{{Name: "Bob", Email: "bob@example.net"}},
		Cc:      []email.Address{{Name: "Ča, Rol", Email: "carol@example.com"}},
		Bcc:     []email.Address{{Name: "Secret", Email: "hidden@example.org"}},
		Subject: "Prévisions — trimestre 1 « 2026 »",
		Date:    date,
		Text:    "Bonjour,\nvoici les chiffres.\n" + strings.Repeat("long line ", 30) + "\n",
		HTML:    "<p>Bonjour,</p>\n",
		Attachments: []compose.Attachment{
			{Filename: "chiffres été.csv", ContentType: "text/csv; charset=utf-8", Body: strings.NewReader("m,t\njan,12\n")},
			{Body: bytes.NewReader([]byte{0, 1, 2, 0xff})},
		},
	}
}

func TestWriteParsesBackWithGoMessage(t *testing.T) {
	m := sample()
	raw := write(t, m, opts(7))
	h, parts := parse(t, raw)

	from, err := h.AddressList("From")
	require.NoError(t, err)
	require.Len(t, from, 1)
	assert.Equal(t, "Zoë Martin-Ñúñez", from[0].Name)
	cc, err := h.AddressList("Cc")
	require.NoError(t, err)
	require.Len(t, cc, 1)
	assert.Equal(t, "Ča, Rol", cc[0].Name)
	subj, err := h.Subject()
	require.NoError(t, err)
	assert.Equal(t, m.Subject, subj)
	d, err := h.Date()
	require.NoError(t, err)
	assert.True(t, d.Equal(date))
	id, err := h.MessageID()
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(id, "@example.org"), id)
	rt, _ := h.AddressList("Reply-To")
	require.Len(t, rt, 1)
	assert.Equal(t, "team@example.org", rt[0].Address)

	require.Len(t, parts, 4)
	assert.Equal(t, part{contentType: "text/plain", body: strings.ReplaceAll(m.Text, "\n", "\r\n")}, parts[0])
	assert.Equal(t, part{contentType: "text/html", body: "<p>Bonjour,</p>\r\n"}, parts[1])
	assert.Equal(t, part{contentType: "text/csv", filename: "chiffres été.csv", disposition: "attachment", body: "m,t\njan,12\n"}, parts[2])
	assert.Equal(t, part{contentType: "application/octet-stream", disposition: "attachment", body: "\x00\x01\x02\xff"}, parts[3])

	// On the wire the header is ASCII: RFC 2047 words, RFC 2231 names.
	head := raw[:bytes.Index(raw, []byte("\r\n\r\n"))]
	for _, b := range head {
		require.Less(t, b, byte(0x80), "non-ASCII byte in the header")
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		assert.LessOrEqual(t, len(line), 78, "line %q", line)
	}
	assert.NotContains(t, string(raw), "\n\n", "every line ends in CRLF")
}

func TestWriteScansWithInternalHeader(t *testing.T) {
	m := sample()
	raw := write(t, m, opts(7))
	s := header.Scan(raw)
	assert.Equal(t, m.Subject, s.Subject)
	assert.Equal(t, m.From, s.From)
	assert.Equal(t, m.To, s.To)
	assert.Equal(t, m.Cc, s.Cc)
	assert.True(t, s.Date.Equal(date))
	assert.True(t, s.HasAttachment)
	h, _ := parse(t, raw)
	id, _ := h.MessageID()
	assert.Equal(t, id, s.MessageID)

	m.Attachments = nil
	assert.False(t, header.Scan(write(t, m, opts(7))).HasAttachment)
}

func TestWriteNeverWritesBcc(t *testing.T) {
	m := sample()
	raw := string(write(t, m, opts(7)))
	assert.NotContains(t, strings.ToLower(raw), "bcc")
	assert.NotContains(t, raw, "hidden@example.org")
	assert.Equal(t, []string{"bob@example.net", "carol@example.com", "hidden@example.org"}, m.Recipients())
	m.Cc = append(m.Cc, email.Address{Email: "bob@example.net"})
	assert.Equal(t, []string{"bob@example.net", "carol@example.com", "hidden@example.org"}, m.Recipients(), "no duplicates")
}

func TestWriteShapes(t *testing.T) {
	for name, c := range map[string]struct {
		text, html string
		ct         string
	}{
		"text only": {"hi\n", "", "text/plain"},
		"html only": {"", "<b>hi</b>", "text/html"},
		"empty":     {"", "", "text/plain"},
		"both":      {"hi", "<b>hi</b>", "multipart/alternative"},
	} {
		m := &compose.Message{From: []email.Address{{Email: "a@example.org"}}, Date: date, MessageID: "x@example.org", Text: c.text, HTML: c.html}
		// A single part with its Message-ID needs no entropy at all.
		o := compose.Options{}
		if c.text != "" && c.html != "" {
			o = opts(1)
		}
		raw := write(t, m, o)
		mr, err := mail.CreateReader(bytes.NewReader(raw))
		require.NoError(t, err, name)
		ct, _, _ := mr.Header.ContentType()
		assert.Equal(t, c.ct, ct, name)
		assert.Equal(t, 1, strings.Count(string(raw), "MIME-Version: 1.0")+strings.Count(string(raw), "Mime-Version: 1.0"), name)
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	a := write(t, sample(), opts(3))
	b := write(t, sample(), opts(3))
	assert.Equal(t, a, b)
	c := write(t, sample(), opts(4))
	assert.NotEqual(t, a, c, "the Message-ID and boundaries come from the entropy")

	// The clock is read only for a zero Date.
	calls := 0
	clock := func() time.Time { calls++; return date }
	m := sample()
	m.Date = time.Time{}
	o := opts(3)
	o.Clock = clock
	d := write(t, m, o)
	assert.Equal(t, 1, calls)
	assert.Equal(t, a, d)
}

func TestWriteNestedBoundariesDifferWhateverTheEntropy(t *testing.T) {
	raw := write(t, sample(), opts(0))
	_, parts := parse(t, raw)
	assert.Len(t, parts, 4, "the alternative nested in the mixed part parses")
}

// Attachment bodies are streamed: output grows while the body is still
// being read, instead of after it was read whole.
func TestWriteStreamsAttachments(t *testing.T) {
	var out bytes.Buffer
	body := &progressReader{out: &out, chunks: 64, size: 32 << 10}
	m := &compose.Message{From: []email.Address{{Email: "a@example.org"}}, Date: date, Text: "see attached",
		Attachments: []compose.Attachment{{Filename: "big.bin", Body: body}}}
	require.NoError(t, compose.Write(&out, m, opts(1)))
	assert.Equal(t, 64, body.reads)
	assert.GreaterOrEqual(t, body.grew, 62, "output grew between reads")
	_, parts := parse(t, out.Bytes())
	require.Len(t, parts, 2)
	assert.Equal(t, 64*32<<10, len(parts[1].body))
}

type progressReader struct {
	out          *bytes.Buffer
	chunks, size int
	reads, grew  int
	last         int
}

func (r *progressReader) Read(p []byte) (int, error) {
	if r.reads == r.chunks {
		return 0, io.EOF
	}
	if r.reads > 0 && r.out.Len() > r.last {
		r.grew++
	}
	r.last = r.out.Len()
	r.reads++
	n := min(len(p), r.size)
	for i := range p[:n] {
		p[i] = byte(r.reads + i)
	}
	return n, nil
}

func TestWriteRefusesBadInput(t *testing.T) {
	from := []email.Address{{Email: "a@example.org"}}
	cases := map[string]struct {
		m *compose.Message
		o compose.Options
	}{
		"no From":            {&compose.Message{Date: date}, opts(1)},
		"no Date, no Clock":  {&compose.Message{From: from}, compose.Options{Entropy: strings.NewReader(strings.Repeat("x", 64))}},
		"no Entropy for id":  {&compose.Message{From: from, Date: date}, compose.Options{}},
		"no Entropy for alt": {&compose.Message{From: from, Date: date, MessageID: "x@y", Text: "a", HTML: "b"}, compose.Options{}},
		"bad Message-ID":     {&compose.Message{From: from, Date: date, MessageID: "x>\r\nBcc: evil@y"}, opts(1)},
		"bad References":     {&compose.Message{From: from, Date: date, References: []string{"no-at-sign"}}, opts(1)},
		"bad In-Reply-To":    {&compose.Message{From: from, Date: date, InReplyTo: []string{"a b@c"}}, opts(1)},
		"bad content type":   {&compose.Message{From: from, Date: date, Attachments: []compose.Attachment{{ContentType: "text/plain\r\nX: y", Body: strings.NewReader("")}}}, opts(1)},
		"multipart type":     {&compose.Message{From: from, Date: date, Attachments: []compose.Attachment{{ContentType: "multipart/mixed", Body: strings.NewReader("")}}}, opts(1)},
		"nil Body":           {&compose.Message{From: from, Date: date, Attachments: []compose.Attachment{{Filename: "x"}}}, opts(1)},
	}
	for name, c := range cases {
		var buf bytes.Buffer
		err := compose.Write(&buf, c.m, c.o)
		assert.ErrorIs(t, err, email.ErrInvalidArgument, name)
		assert.Zero(t, buf.Len(), "%s: nothing written", name)
	}
	// Short entropy is an error, not a weak id.
	err := compose.Write(io.Discard, &compose.Message{From: from, Date: date}, compose.Options{Entropy: strings.NewReader("short")})
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestWriteKeepsFieldsOnOneLine(t *testing.T) {
	// CR and LF in a subject or a name are encoded, never a new field.
	m := &compose.Message{From: []email.Address{{Name: "A\r\nBcc: evil@example.org", Email: "a@example.org"}}, Date: date,
		Subject: "hi\r\nBcc: evil@example.org", MessageID: "x@example.org"}
	raw := string(write(t, m, compose.Options{}))
	assert.NotContains(t, raw, "\r\nBcc:")
	s := header.Scan([]byte(raw))
	assert.Len(t, s.From, 1)
}

func TestWriteAttachmentErrors(t *testing.T) {
	boom := errors.New("disk gone")
	m := &compose.Message{From: []email.Address{{Email: "a@example.org"}}, Date: date, MessageID: "x@example.org",
		Attachments: []compose.Attachment{{Body: strings.NewReader("ok")}, {Body: io.MultiReader(strings.NewReader("part"), errReader{boom})}}}
	err := compose.Write(io.Discard, m, opts(1))
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "attachment 1")
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
