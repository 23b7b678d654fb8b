package imap

import (
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/imap/internal/wire"
	"github.com/ioemail/ioemail/internal/header"
)

// envelopeHeaders is the FETCH item that carries the raw header fields of
// an envelope. When a FETCH response holds it, toEnvelope takes Message-ID,
// Subject, From, To, Cc, Reply-To, In-Reply-To, References and Date from it, parsed by internal/header exactly as
// the local stores parse them, rather than from the server's ENVELOPE:
// servers rewrite what they cannot parse (Dovecot lists "vondruch at
// redhat.com (Name)" as "MISSING_MAILBOX@MISSING_DOMAIN" and drops the
// comment; go-imap's server drops a Message-ID without '@' and named
// zones), so only the raw fields give the same envelope on every backend.
const envelopeHeaders = "BODY.PEEK[HEADER.FIELDS (FROM TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES)]"

// envelopeItems are the FETCH items of a listing: see envelopeHeaders;
// INTERNALDATE gives Envelope.Received.
const envelopeItems = "UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE " + envelopeHeaders

// listItems are the FETCH items of ListEnvelopes and EachEnvelope:
// envelopeItems without the ENVELOPE, which the header fields replace
// (toEnvelope prefers them). Leaving it out halves the answer (Dovecot
// sends about 500 bytes of ENVELOPE per message beside the fields) and
// the server's time to make it: on the 10,000 messages of bench/imap,
// Dovecot answers in about half the time. A server that sends no header
// fields gives the envelope its ENVELOPE would have given only if it sends
// one unasked; otherwise the fields stay empty, as with a server that
// omits the ENVELOPE asked for.
const listItems = "UID FLAGS RFC822.SIZE INTERNALDATE " + envelopeHeaders

// toEnvelope converts the FETCH data of one message. Items the server did
// not send, or that did not decode, are left empty. The header fields of
// envelopeHeaders, when present, win over the ENVELOPE.
func toEnvelope(f *wire.Fetch, withAttachment bool) email.Envelope {
	var e email.Envelope
	if head, ok := envelopeHeaderData(f); ok {
		e = header.Scan(head).Envelope()
	} else if env := f.Envelope; env != nil {
		e.MessageID = email.NormalizeMessageID(env.MessageID)
		e.Subject = env.Subject
		e.From = appendAddresses([]email.Address{}, env.From)
		e.To = appendAddresses([]email.Address{}, env.To)
		if len(env.Cc) > 0 {
			e.Cc = appendAddresses(nil, env.Cc)
		}
		if len(env.ReplyTo) > 0 {
			e.ReplyTo = appendAddresses(nil, env.ReplyTo)
		}
		for _, id := range env.InReplyTo {
			if id = email.NormalizeMessageID(id); id != "" && len(e.InReplyTo) < header.MaxIDs {
				e.InReplyTo = append(e.InReplyTo, id)
			}
		}
		e.Date = env.Date
	} else {
		e.From, e.To = []email.Address{}, []email.Address{}
	}
	e.ID, e.Size, e.Flags = formatUID(f.UID), f.Size, toFlags(f.Flags)
	if f.InternalDate != "" {
		e.Received = wire.ParseDateTime(f.InternalDate)
	}
	if withAttachment && f.BodyStructure != nil {
		has := hasAttachment(f.BodyStructure)
		e.HasAttachment = &has
	}
	return e
}

// envelopeHeaderData returns the data of the HEADER.FIELDS section of f that
// holds From, To, Subject, Date and Message-ID, if f has one.
func envelopeHeaderData(f *wire.Fetch) ([]byte, bool) {
	for _, sec := range f.Sections {
		if strings.HasPrefix(sec.Section, "HEADER.FIELDS (") && strings.Contains(sec.Section, "FROM") &&
			strings.Contains(sec.Section, "MESSAGE-ID") && sec.Partial < 0 {
			return sec.Data, true
		}
	}
	return nil, false
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

// appendAddresses flattens an ENVELOPE address list onto out, as close to
// internal/header.ParseAddressList as the ENVELOPE allows: group members
// are listed, an empty group gives its name (RFC 3501 section 7.4.2 group
// markers), an address missing one half keeps the other, Dovecot's
// placeholders MISSING_MAILBOX and MISSING_DOMAIN count as missing, and an
// entry that is only text (a bare encoded word Dovecot put in the mailbox
// field, a name without an address) is read as the local parser reads
// that text.
func appendAddresses(out []email.Address, as []imap.Address) []email.Address {
	for i, a := range as {
		if a.Host == "" {
			// A group start (mailbox = the group's name) or end marker.
			if a.Mailbox != "" && i+1 < len(as) && as[i+1].Host == "" && as[i+1].Mailbox == "" {
				out = append(out, email.Address{Name: header.DecodeWords(a.Mailbox)})
			}
			continue
		}
		mbox, host := a.Mailbox, a.Host
		if mbox == "MISSING_MAILBOX" {
			mbox = ""
		}
		if host == "MISSING_DOMAIN" {
			host = ""
		}
		var addr string
		switch {
		case mbox != "" && host != "":
			addr = mbox + "@" + host
		case a.Name == "" && host == "" && strings.Contains(mbox, "=?"):
			// Dovecot's form of a bare encoded word: text, not an address.
			out = append(out, email.Address{Name: header.DecodeWords(mbox)})
			continue
		default:
			addr = mbox + host
		}
		if addr == "" {
			// Only text ("jdoe at example.com" as Dovecot gives it): the
			// local parser's reading of that text, when it is one entry.
			if l := header.ParseAddressList(a.Name); len(l) == 1 {
				out = append(out, l[0])
			}
			continue
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
