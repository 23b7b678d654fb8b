package header

import (
	"slices"
	"testing"

	"github.com/ioemail/ioemail/email"
)

// envelopeFieldNames are the fields a network backend fetches to build an
// envelope (search.HeaderFields, IMAP HEADER.FIELDS, JMAP raw headers).
var envelopeFieldNames = []string{"from", "to", "subject", "date", "message-id"}

// onlyEnvelopeFields returns the fields of head that a server returns for
// BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)]: those lines,
// as written, in order, then the blank line.
func onlyEnvelopeFields(head []byte) []byte { return onlyFields(head, envelopeFieldNames) }

// FuzzScanFieldsOnly checks that Scan gives the same envelope fields for a
// whole message as for the envelope fields alone, as a server returns them
// (what the IMAP and JMAP backends parse), so every backend gets one
// envelope for one message. Seeds: the search corpus and the sample
// messages.
func FuzzScanFieldsOnly(f *testing.F) {
	addMessageSeeds(f)
	f.Add([]byte("From: vondruch at redhat.com (x)\nTo: undisclosed-recipients:;\n\nbody"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		whole := Scan(msg)
		only := Scan(onlyEnvelopeFields(msg))
		if whole.Subject != only.Subject || whole.MessageID != only.MessageID || !whole.Date.Equal(only.Date) ||
			!slices.Equal(whole.From, only.From) || !slices.Equal(whole.To, only.To) {
			t.Fatalf("whole message %+v, fields only %+v", whole, only)
		}
		for _, l := range [][]email.Address{whole.From, whole.To} {
			for _, a := range l {
				if a.Name == "" && a.Email == "" {
					t.Fatalf("empty address in %+v", whole)
				}
			}
		}
	})
}
