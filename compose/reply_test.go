package compose_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ioemail/ioemail/compose"
	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// dovecotLike is a message as Dovecot stores one: folded References, an
// encoded subject, a Reply-To.
const dovecotLike = "Return-Path: <bob@example.net>\r\n" +
	"From: =?utf-8?q?B=C3=B6b?= <bob@example.net>\r\n" +
	"Reply-To: list@example.net\r\n" +
	"To: Zoe <zoe@example.org>, carol@example.com\r\n" +
	"Cc: ZOE@example.org, dave@example.com\r\n" +
	"Subject: =?utf-8?q?RE=3A_re:_d=C3=A9jeuner?=\r\n" +
	"Message-ID: <3@example.net>\r\n" +
	"In-Reply-To: <2@example.org>\r\n" +
	"References: <1@example.net>\r\n <2@example.org>\r\n" +
	"Content-Type: text/plain\r\n" +
	"\r\n" +
	"Jeudi ?\r\n"

func TestReadParent(t *testing.T) {
	p, err := compose.ReadParent(strings.NewReader(dovecotLike))
	require.NoError(t, err)
	assert.Equal(t, compose.Parent{
		MessageID:  "3@example.net",
		InReplyTo:  []string{"2@example.org"},
		References: []string{"1@example.net", "2@example.org"},
		Subject:    "RE: re: déjeuner",
		From:       []email.Address{{Name: "Böb", Email: "bob@example.net"}},
		ReplyTo:    []email.Address{{Email: "list@example.net"}},
		To:         []email.Address{{Name: "Zoe", Email: "zoe@example.org"}, {Email: "carol@example.com"}},
		Cc:         []email.Address{{Email: "ZOE@example.org"}, {Email: "dave@example.com"}},
	}, p)
}

func TestReadParentBadInput(t *testing.T) {
	_, err := compose.ReadParent(strings.NewReader(" folded first line\r\n\r\n"))
	assert.ErrorIs(t, err, email.ErrProtocol)
	_, err = compose.ReadParent(strings.NewReader("no colon here\r\n\r\n"))
	assert.ErrorIs(t, err, email.ErrProtocol)
	// A header that never ends is cut at MaxParentHeader.
	endless := io.MultiReader(strings.NewReader("X-A: "), &repeat{b: 'a'})
	_, err = compose.ReadParent(endless)
	assert.ErrorIs(t, err, email.ErrTooLarge)
}

type repeat struct{ b byte }

func (r *repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b
	}
	return len(p), nil
}

func TestReplyHeaders(t *testing.T) {
	p, err := compose.ReadParent(strings.NewReader(dovecotLike))
	require.NoError(t, err)
	me := email.Address{Name: "Zoë", Email: "zoe@example.org"}

	r := compose.Reply(p, me)
	assert.Equal(t, []email.Address{me}, r.From)
	assert.Equal(t, []email.Address{{Email: "list@example.net"}}, r.To, "Reply-To wins over From")
	assert.Empty(t, r.Cc)
	assert.Equal(t, "Re: déjeuner", r.Subject, "no stacking")
	assert.Equal(t, []string{"3@example.net"}, r.InReplyTo)
	assert.Equal(t, []string{"1@example.net", "2@example.org", "3@example.net"}, r.References)

	all := compose.ReplyAll(p, me)
	assert.Equal(t, []email.Address{{Email: "carol@example.com"}, {Email: "dave@example.com"}}, all.Cc, "me (any case) left out, no duplicates")

	// Written and read back, the reply threads under its parent.
	r.Text = "Oui.\n"
	raw := write(t, r, opts(9))
	h, _ := parse(t, raw)
	irt, err := h.MsgIDList("In-Reply-To")
	require.NoError(t, err)
	assert.Equal(t, []string{"3@example.net"}, irt)
	refs, err := h.MsgIDList("References")
	require.NoError(t, err)
	assert.Equal(t, r.References, refs)
	assert.Equal(t, "Re: déjeuner", header.Scan(raw).Subject)
	back, err := compose.ReadParent(bytes.NewReader(raw))
	require.NoError(t, err)
	_, refs2 := compose.ThreadIDs(back)
	assert.Equal(t, append(r.References, back.MessageID), refs2, "the chain keeps growing")
}

func TestReplyToOwnMessage(t *testing.T) {
	me := email.Address{Email: "zoe@example.org"}
	p := compose.Parent{MessageID: "1@example.org", From: []email.Address{{Name: "Zoë", Email: "ZOE@example.org"}},
		To: []email.Address{{Email: "bob@example.net"}}, Cc: []email.Address{{Email: "carol@example.com"}}}
	assert.Equal(t, []email.Address{{Email: "bob@example.net"}}, compose.Reply(p, me).To, "to the original recipients")
	all := compose.ReplyAll(p, me)
	assert.Equal(t, []email.Address{{Email: "carol@example.com"}}, all.Cc)
	p.To = nil
	assert.Equal(t, p.From, compose.Reply(p, me).To, "no recipients to fall back on")
}

func TestThreadIDs(t *testing.T) {
	cases := []struct {
		name      string
		p         compose.Parent
		irt, refs []string
	}{
		{"references", compose.Parent{MessageID: "c@x", References: []string{"a@x", "b@x"}, InReplyTo: []string{"b@x"}}, []string{"c@x"}, []string{"a@x", "b@x", "c@x"}},
		{"single in-reply-to", compose.Parent{MessageID: "c@x", InReplyTo: []string{"b@x"}}, []string{"c@x"}, []string{"b@x", "c@x"}},
		{"several in-reply-to", compose.Parent{MessageID: "c@x", InReplyTo: []string{"a@x", "b@x"}}, []string{"c@x"}, []string{"c@x"}},
		{"first message", compose.Parent{MessageID: "a@x"}, []string{"a@x"}, []string{"a@x"}},
		{"no message-id", compose.Parent{References: []string{"a@x"}}, nil, []string{"a@x"}},
		{"nothing", compose.Parent{}, nil, nil},
	}
	for _, c := range cases {
		irt, refs := compose.ThreadIDs(c.p)
		assert.Equal(t, c.irt, irt, c.name)
		assert.Equal(t, c.refs, refs, c.name)
	}
	p := compose.Parent{MessageID: "c@x", References: []string{"a@x"}}
	_, refs := compose.ThreadIDs(p)
	refs[0] = "changed"
	assert.Equal(t, "a@x", p.References[0], "the parent's slice is not shared")
}

func TestSubjects(t *testing.T) {
	for in, want := range map[string]string{
		"lunch": "Re: lunch", "Re: lunch": "Re: lunch", "RE:re: Re:lunch": "Re: lunch", "  re : x": "Re: re : x",
		"": "Re:", "Fwd: lunch": "Re: Fwd: lunch", "Re": "Re: Re",
	} {
		assert.Equal(t, want, compose.ReplySubject(in), in)
	}
	for in, want := range map[string]string{
		"lunch": "Fwd: lunch", "Fwd: lunch": "Fwd: lunch", "FW: fwd:lunch": "Fwd: lunch", "Re: lunch": "Fwd: Re: lunch",
		"Fwd: Re: Fwd: x": "Fwd: Re: Fwd: x",
	} {
		assert.Equal(t, want, compose.ForwardSubject(in), in)
	}
}

func TestForwardAttachesTheOriginal(t *testing.T) {
	p, err := compose.ReadParent(strings.NewReader(dovecotLike))
	require.NoError(t, err)
	f := compose.Forward(p, strings.NewReader(dovecotLike), email.Address{Email: "zoe@example.org"})
	f.To = []email.Address{{Email: "erin@example.com"}}
	f.Text = "FYI\n"
	assert.Equal(t, "Fwd: RE: re: déjeuner", f.Subject)
	assert.Empty(t, f.InReplyTo)
	assert.Empty(t, f.References)
	raw := write(t, f, opts(5))
	assert.Contains(t, string(raw), "Content-Transfer-Encoding: 8bit\r\n", "message/rfc822 is never base64 (RFC 2046 5.2.1)")

	_, parts := parse(t, raw)
	require.Len(t, parts, 2)
	assert.Equal(t, "text/plain", parts[0].contentType)
	assert.Equal(t, part{contentType: "message/rfc822", filename: "RE: re: déjeuner.eml", disposition: "attachment", body: dovecotLike}, parts[1], "the original, byte for byte")
	assert.True(t, header.Scan(raw).HasAttachment)
}
