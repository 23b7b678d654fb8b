package imap

import (
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
)

// toEnvelope converts the FETCH data of one message. Items the server did
// not send, or that did not decode, are left empty.
func toEnvelope(f *wire.Fetch, withAttachment bool) email.Envelope {
	e := email.Envelope{ID: formatUID(f.UID), Size: f.Size, Flags: toFlags(f.Flags)}
	if env := f.Envelope; env != nil {
		e.MessageID = email.NormalizeMessageID(env.MessageID)
		e.Subject = env.Subject
		// One array holds both lists.
		all := make([]email.Address, 0, len(env.From)+len(env.To))
		all = appendAddresses(all, env.From)
		n := len(all)
		all = appendAddresses(all, env.To)
		e.From, e.To = all[:n:n], all[n:]
		e.Date = env.Date
	}
	if e.From == nil {
		e.From = []email.Address{}
	}
	if e.To == nil {
		e.To = []email.Address{}
	}
	if withAttachment && f.BodyStructure != nil {
		has := hasAttachment(f.BodyStructure)
		e.HasAttachment = &has
	}
	return e
}

// toFlags classifies wire flags; \Recent is session state, not a flag
// of the message, and is dropped.
func toFlags(fs []imap.Flag) email.Flags {
	out := make(email.Flags, 0, len(fs))
	for _, f := range fs {
		if strings.EqualFold(string(f), `\Recent`) || f == `\*` {
			continue
		}
		out = append(out, email.ParseFlag(string(f)))
	}
	// Sorted and de-duplicated in place, as email.NewFlags would, without
	// a second copy.
	slices.SortStableFunc(out, email.Flag.Compare)
	return slices.CompactFunc(out, email.Flag.Equal)
}

// appendAddresses flattens an ENVELOPE address list onto out: group
// markers are skipped, and an address missing one half keeps the other.
func appendAddresses(out []email.Address, as []imap.Address) []email.Address {
	for _, a := range as {
		if a.Host == "" {
			continue // group start or end marker (RFC 3501 section 7.4.2)
		}
		addr := a.Addr()
		if addr == "" {
			addr = a.Mailbox + a.Host
		}
		out = append(out, email.Address{Name: a.Name, Email: addr})
	}
	return out
}

// hasAttachment reports whether some part has Content-Disposition
// attachment.
func hasAttachment(bs imap.BodyStructure) bool {
	found := false
	bs.Walk(func(_ []int, part imap.BodyStructure) bool {
		if d := part.Disposition(); d != nil && strings.EqualFold(d.Value, "attachment") {
			found = true
		}
		return !found
	})
	return found
}
