package imap

import (
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/stretchr/testify/assert"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/header"
)

// TestEnvelopeHeaderFields: the raw header fields, when fetched, give the
// envelope the local parser gives, whatever the server's ENVELOPE says.
func TestEnvelopeHeaderFields(t *testing.T) {
	head := "From: vondruch at redhat.com (=?UTF-8?Q?V=C3=ADt_Ondruch?=)\r\nTo: undisclosed-recipients:;\r\n" +
		"Subject: GroupwiseForwardingTest\r\nDate: Mon, 19 Jan 2026 21:00:00 EST\r\nMessage-ID: <20260113021000.ABCDEF>\r\n\r\n"
	f := &wire.Fetch{UID: 7, Envelope: &imap.Envelope{Subject: "other", From: []imap.Address{{Name: "vondruch at redhat.com", Mailbox: "MISSING_MAILBOX", Host: "MISSING_DOMAIN"}}},
		Sections: []wire.BodySection{{Section: "HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)", Partial: -1, Data: []byte(head)}}}
	e := toEnvelope(f, false)
	s := header.Scan([]byte(head))
	assert.Equal(t, []email.Address{{Name: "Vít Ondruch", Email: "vondruch@redhat.com"}}, e.From)
	assert.Equal(t, []email.Address{{Name: "undisclosed-recipients"}}, e.To)
	assert.Equal(t, s.Subject, e.Subject)
	assert.True(t, s.Date.Equal(e.Date))
	_, off := e.Date.Zone()
	assert.Equal(t, -5*3600, off)
	assert.Equal(t, "20260113021000.ABCDEF", e.MessageID)
	assert.Equal(t, "7", e.ID)
}

// TestEnvelopeAddressFallback: without the header fields, Dovecot's
// ENVELOPE forms of entries without '@' still give what the local parser
// gives, as far as the ENVELOPE holds it.
func TestEnvelopeAddressFallback(t *testing.T) {
	cases := []struct {
		in   []imap.Address
		want []email.Address
		raw  string // the header the local parser reads
	}{
		{[]imap.Address{{Mailbox: "=?koi8-r?B?6dfBziDwxdTSz9c=?=", Host: "MISSING_DOMAIN"}}, []email.Address{{Name: "Иван Петров"}}, "=?koi8-r?B?6dfBziDwxdTSz9c=?="},
		{[]imap.Address{{Name: "jdoe at example.com", Mailbox: "MISSING_MAILBOX", Host: "MISSING_DOMAIN"}}, []email.Address{{Email: "jdoe@example.com"}}, "jdoe at example.com"},
		{[]imap.Address{{Mailbox: "undisclosed-recipients"}, {}}, []email.Address{{Name: "undisclosed-recipients"}}, "undisclosed-recipients:;"},
		{[]imap.Address{{Mailbox: "Team"}, {Mailbox: "a", Host: "b"}, {}}, []email.Address{{Email: "a@b"}}, "Team: a@b;"},
		{[]imap.Address{{Name: "Ann", Mailbox: "ann", Host: "x"}}, []email.Address{{Name: "Ann", Email: "ann@x"}}, "Ann <ann@x>"},
		{[]imap.Address{{Name: "Ann", Mailbox: "MISSING_MAILBOX", Host: "MISSING_DOMAIN"}}, []email.Address{{Name: "Ann"}}, "Ann"},
	}
	for _, c := range cases {
		got := appendAddresses(nil, c.in)
		assert.Equal(t, c.want, got, c.raw)
		assert.Equal(t, header.ParseAddressList(c.raw), got, "same as the local parser: %s", c.raw)
	}
}
