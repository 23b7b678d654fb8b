package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ioemail/ioemail/email"
)

// sameEnvelopes compares two listings message by message (by id, so
// order does not matter) and describes the first difference, or returns
// "" when they hold the same envelopes.
func sameEnvelopes(ours, theirs []email.Envelope) string {
	if len(ours) != len(theirs) {
		return fmt.Sprintf("%d envelopes against %d", len(ours), len(theirs))
	}
	byID := make(map[string]*email.Envelope, len(theirs))
	for i := range theirs {
		byID[theirs[i].ID] = &theirs[i]
	}
	diffs, first := 0, ""
	for _, o := range ours {
		t := byID[o.ID]
		what := ""
		switch {
		case t == nil:
			what = "missing"
		case o.Subject != t.Subject:
			what = fmt.Sprintf("subject %q vs %q", o.Subject, t.Subject)
		case !sameAddrs(o.From, t.From):
			what = fmt.Sprintf("from %v vs %v", o.From, t.From)
		case !sameAddrs(o.To, t.To):
			what = fmt.Sprintf("to %v vs %v", o.To, t.To)
		case !o.Date.Equal(t.Date) || o.Date.Format("-0700") != t.Date.Format("-0700"):
			what = fmt.Sprintf("date %v vs %v", o.Date, t.Date)
		case o.MessageID != t.MessageID:
			what = fmt.Sprintf("message-id %q vs %q", o.MessageID, t.MessageID)
		case o.Size != t.Size:
			what = fmt.Sprintf("size %d vs %d", o.Size, t.Size)
		case !o.Flags.Equal(t.Flags):
			what = fmt.Sprintf("flags %v vs %v", o.Flags, t.Flags)
		}
		if what != "" {
			if diffs == 0 {
				first = "id " + o.ID + ": " + what
			}
			diffs++
		}
	}
	if diffs == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d envelopes differ, first %s", diffs, len(ours), first)
}

// sameAddrs compares address lists, taking an address that the anchor
// reports with the host MISSING_DOMAIN (Dovecot's ENVELOPE for a mailbox
// without @, RFC 3501 section 7.4.2) as equal to ours, which keeps such an
// address as its text with no email (see email.Address).
func sameAddrs(ours, theirs []email.Address) bool {
	return slices.EqualFunc(ours, theirs, func(o, t email.Address) bool {
		if local, ok := strings.CutSuffix(t.Email, "@MISSING_DOMAIN"); ok && o.Email == "" {
			return o.Name == local || o.Name == strings.TrimSpace(t.Name+" "+local)
		}
		return o == t
	})
}

// checkSame lists once with each way, outside the timed rounds, and says
// whether both returned the same envelopes.
func checkSame(ours, theirs func() int) {
	ours()
	o := sink
	theirs()
	t := sink
	if d := sameEnvelopes(o, t); d != "" {
		fmt.Printf("   outputs: DIFFER: %s\n", d)
		return
	}
	fmt.Printf("   outputs: the same %d envelopes from both (subject, from, to, date and zone, message-id, size, flags)\n", len(o))
}
