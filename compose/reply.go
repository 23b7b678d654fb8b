package compose

import (
	"strings"

	"github.com/ioemail/ioemail/email"
)

// Reply returns a Message from from that answers p's author: To is p's
// Reply-To, or its From when it has none (RFC 5322 section 3.6.2), or p's
// To when that would only be from itself (a reply to one's own message
// goes to its recipients); the subject is ReplySubject of p's;
// In-Reply-To and References follow RFC 5322 section 3.6.4 (see
// ThreadIDs). The caller fills Text, HTML and Attachments.
func Reply(p Parent, from email.Address) *Message {
	to := p.ReplyTo
	if len(to) == 0 {
		to = p.From
	}
	if onlySelf(to, from) && len(p.To) > 0 {
		to = p.To
	}
	m := &Message{From: []email.Address{from}, To: clone(to), Subject: ReplySubject(p.Subject)}
	m.InReplyTo, m.References = ThreadIDs(p)
	return m
}

// ReplyAll is Reply with p's To and Cc recipients copied to Cc, less the
// addresses already in To and from's own address (compared ignoring ASCII
// case).
func ReplyAll(p Parent, from email.Address) *Message {
	m := Reply(p, from)
	seen := map[string]bool{strings.ToLower(from.Email): true}
	for _, a := range m.To {
		seen[strings.ToLower(a.Email)] = true
	}
	for _, list := range [][]email.Address{p.To, p.Cc} {
		for _, a := range list {
			if k := strings.ToLower(a.Email); k != "" && !seen[k] {
				seen[k] = true
				m.Cc = append(m.Cc, a)
			}
		}
	}
	return m
}

// ThreadIDs returns the In-Reply-To and References of a reply to p, by RFC
// 5322 section 3.6.4: In-Reply-To is p's Message-ID; References is p's
// References, or else p's In-Reply-To when it holds exactly one id,
// followed by p's Message-ID. Either is nil when p gives nothing for it.
func ThreadIDs(p Parent) (inReplyTo, references []string) {
	base := p.References
	if len(base) == 0 && len(p.InReplyTo) == 1 {
		base = p.InReplyTo
	}
	references = clone(base)
	if p.MessageID != "" {
		inReplyTo = []string{p.MessageID}
		references = append(references, p.MessageID)
	}
	return inReplyTo, references
}

// ReplySubject returns "Re: " and subject, without stacking: leading
// "Re:" prefixes already there (any case, with or without a space) are
// removed first, so "Re: Re: lunch" gives "Re: lunch" (RFC 5322 section
// 3.6.5). An empty subject gives "Re:".
func ReplySubject(subject string) string {
	return strings.TrimSpace("Re: " + trimPrefixes(subject, "re:"))
}

// trimPrefixes removes every leading prefix (ASCII case ignored) and the
// white space around it.
func trimPrefixes(s, prefix string) string {
	s = strings.TrimSpace(s)
	for len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		s = strings.TrimSpace(s[len(prefix):])
	}
	return s
}

// onlySelf reports whether every address of list is from's (ASCII case
// ignored).
func onlySelf(list []email.Address, from email.Address) bool {
	for _, a := range list {
		if !strings.EqualFold(a.Email, from.Email) {
			return false
		}
	}
	return len(list) > 0
}

func clone[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append([]T(nil), s...)
}
