package jmap

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/ioemail/ioemail/email"
	"github.com/ioemail/ioemail/internal/header"
)

// envelopeProps are the Email properties an Envelope is built from (RFC
// 8621 section 4.1). The raw header fields (section 4.1.3, every instance,
// as written) let Envelope parse Message-ID, Subject, From, To, Cc,
// Reply-To, In-Reply-To, References and Date with internal/header, as the
// local stores and the IMAP backend do: the server's parsed forms differ
// for entries without '@' and the like.
var envelopeProps = []string{"id", "messageId", "keywords", "subject", "from", "to", "sentAt", "receivedAt", "size", "hasAttachment",
	rawFrom, rawTo, rawCc, rawReplyTo, rawSubject, rawDate, rawMessageID, rawInReplyTo, rawReferences}

// The raw header properties of envelopeProps.
const (
	rawFrom       = "header:From:asRaw:all"
	rawTo         = "header:To:asRaw:all"
	rawCc         = "header:Cc:asRaw:all"
	rawReplyTo    = "header:Reply-To:asRaw:all"
	rawSubject    = "header:Subject:asRaw:all"
	rawDate       = "header:Date:asRaw:all"
	rawMessageID  = "header:Message-ID:asRaw:all"
	rawInReplyTo  = "header:In-Reply-To:asRaw:all"
	rawReferences = "header:References:asRaw:all"
)

// Email is the subset of the JMAP Email object (RFC 8621 section 4.1) this
// package reads. A property the request did not ask for is left zero.
type Email struct {
	// ID is the Email id (RFC 8621 section 4.1.1).
	ID string `json:"id"`
	// BlobID is the id of the raw message blob.
	BlobID string `json:"blobId"`
	// MessageID holds the ids of the Message-ID header, parsed by the
	// server, without angle brackets.
	MessageID []string `json:"messageId"`
	// Keywords is the set of keywords (flags) with value true.
	Keywords map[string]bool `json:"keywords"`
	// MailboxIDs is the set of ids of the mailboxes holding the email.
	MailboxIDs map[string]bool `json:"mailboxIds"`
	// Subject is the Subject header as the server decoded it.
	Subject string `json:"subject"`
	// From is the From header as the server parsed it.
	From []EmailAddress `json:"from"`
	// To is the To header as the server parsed it.
	To []EmailAddress `json:"to"`
	// Cc is the Cc header as the server parsed it.
	Cc []EmailAddress `json:"cc"`
	// ReplyTo is the Reply-To header as the server parsed it.
	ReplyTo []EmailAddress `json:"replyTo"`
	// InReplyTo holds the ids of the In-Reply-To header.
	InReplyTo []string `json:"inReplyTo"`
	// References holds the ids of the References header.
	References []string `json:"references"`
	// SentAt is the Date header as an RFC 3339 date-time with its offset.
	SentAt string `json:"sentAt"`
	// ReceivedAt is when the email arrived, an RFC 3339 UTC date-time.
	ReceivedAt string `json:"receivedAt"`
	// Size is the size of the raw message in octets.
	Size int64 `json:"size"`
	// HasAttachment is the server's reading of whether the email has an
	// attachment; nil when not fetched.
	HasAttachment *bool `json:"hasAttachment"`
	// RawFrom and the other Raw fields are the raw header fields, every
	// instance in order, as written (RFC 8621 section 4.1.3); nil when not
	// fetched (see envelopeProps).
	RawFrom []string `json:"header:From:asRaw:all"`
	// RawTo holds the raw To fields.
	RawTo []string `json:"header:To:asRaw:all"`
	// RawCc holds the raw Cc fields.
	RawCc []string `json:"header:Cc:asRaw:all"`
	// RawReplyTo holds the raw Reply-To fields.
	RawReplyTo []string `json:"header:Reply-To:asRaw:all"`
	// RawSubject holds the raw Subject fields.
	RawSubject []string `json:"header:Subject:asRaw:all"`
	// RawDate holds the raw Date fields.
	RawDate []string `json:"header:Date:asRaw:all"`
	// RawMessageID holds the raw Message-ID fields.
	RawMessageID []string `json:"header:Message-ID:asRaw:all"`
	// RawInReplyTo holds the raw In-Reply-To fields.
	RawInReplyTo []string `json:"header:In-Reply-To:asRaw:all"`
	// RawReferences holds the raw References fields.
	RawReferences []string `json:"header:References:asRaw:all"`
}

// EmailAddress is the JMAP EmailAddress object (RFC 8621 section 4.1.2.3).
type EmailAddress struct {
	// Name is the display name, "" when there is none.
	Name string `json:"name"`
	// Email is the addr-spec, "" for a group name.
	Email string `json:"email"`
}

// Envelope converts the email to the shared envelope: the first non-empty
// Message-ID, the keywords set to true as flags, the Date header from
// sentAt with its original offset (zero when absent or unparseable) and
// Received from receivedAt. When the raw header fields were fetched,
// Message-ID, Subject, From, To, Cc, Reply-To, In-Reply-To, References and
// Date come from them instead, parsed by internal/header.Scan (the first
// instance of each counts), so the envelope is the one every other
// backend gives for the same message.
func (e Email) Envelope() email.Envelope {
	var env email.Envelope
	if e.hasRaw() {
		env = e.rawEnvelope()
	} else {
		env = email.Envelope{Subject: e.Subject, InReplyTo: ids(e.InReplyTo), References: ids(e.References)}
		for _, m := range e.MessageID {
			if m = email.NormalizeMessageID(m); m != "" {
				env.MessageID = m
				break
			}
		}
		env.From = addresses(e.From)
		env.To = addresses(e.To)
		if len(e.Cc) > 0 {
			env.Cc = addresses(e.Cc)
		}
		if len(e.ReplyTo) > 0 {
			env.ReplyTo = addresses(e.ReplyTo)
		}
		if e.SentAt != "" {
			if t, err := time.Parse(time.RFC3339, e.SentAt); err == nil {
				env.Date = t
			}
		}
	}
	env.ID, env.Size, env.HasAttachment, env.Flags = e.ID, e.Size, e.HasAttachment, KeywordFlags(e.Keywords)
	if e.ReceivedAt != "" {
		if t, err := time.Parse(time.RFC3339, e.ReceivedAt); err == nil {
			env.Received = t
		}
	}
	return env
}

// hasRaw reports whether any raw header property was fetched.
func (e Email) hasRaw() bool {
	for _, v := range [...][]string{e.RawFrom, e.RawTo, e.RawCc, e.RawReplyTo, e.RawSubject, e.RawDate,
		e.RawMessageID, e.RawInReplyTo, e.RawReferences} {
		if v != nil {
			return true
		}
	}
	return false
}

// rawEnvelope builds the envelope fields of the raw header fields.
func (e Email) rawEnvelope() email.Envelope {
	fields := [...]struct {
		name string
		v    []string
	}{{"From", e.RawFrom}, {"To", e.RawTo}, {"Cc", e.RawCc}, {"Reply-To", e.RawReplyTo}, {"Subject", e.RawSubject},
		{"Date", e.RawDate}, {"Message-ID", e.RawMessageID}, {"In-Reply-To", e.RawInReplyTo}, {"References", e.RawReferences}}
	n := 0
	for _, f := range fields {
		if len(f.v) > 0 {
			n += len(f.name) + len(f.v[0]) + 3
		}
	}
	head := make([]byte, 0, n)
	for _, f := range fields {
		if len(f.v) > 0 {
			head = append(append(append(append(head, f.name...), ':'), f.v[0]...), "\r\n"...)
		}
	}
	return header.Scan(head).Envelope()
}

// ids normalises server-parsed message ids, at most header.MaxIDs, nil for
// none.
func ids(in []string) []string {
	var out []string
	for _, id := range in {
		if id = email.NormalizeMessageID(id); id != "" && len(out) < header.MaxIDs {
			out = append(out, id)
		}
	}
	return out
}

func addresses(in []EmailAddress) []email.Address {
	out := make([]email.Address, 0, len(in))
	for _, a := range in {
		out = append(out, email.Address{Name: a.Name, Email: a.Email})
	}
	return out
}

// KeywordFlags returns the flags of a keywords map: every keyword whose
// value is true, classified with email.ParseFlag.
func KeywordFlags(kw map[string]bool) email.Flags {
	raw := make([]string, 0, len(kw))
	for k, v := range kw {
		if v {
			raw = append(raw, k)
		}
	}
	sort.Strings(raw)
	return email.ParseFlags(raw...)
}

// Keyword returns the JMAP keyword written for f: its canonical keyword
// spelling (Flag.Keyword), lower-cased, as keywords are case-insensitive
// (RFC 8621 section 4.1.1).
func Keyword(f email.Flag) string { return strings.ToLower(f.Keyword()) }

// keywordMap returns the keywords map of a flag set.
func keywordMap(fs email.Flags) map[string]bool {
	m := make(map[string]bool, len(fs))
	for _, f := range fs {
		if k := Keyword(f); k != "" {
			m[k] = true
		}
	}
	return m
}

// pointerEscape escapes a JSON Pointer reference token (RFC 6901 section 4),
// as patch paths need (RFC 8620 section 5.3).
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// setErrorJSON is a SetError object.
type setErrorJSON struct {
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Properties  []string `json:"properties"`
	ExistingID  string   `json:"existingId"`
	// InvalidRecipients lists the refused addresses of an
	// invalidRecipients error (RFC 8621 section 7.5).
	InvalidRecipients []string `json:"invalidRecipients"`
}

// setResponse is the answer to /set, /import and /copy.
type setResponse struct {
	NewState     string                     `json:"newState"`
	Created      map[string]json.RawMessage `json:"created"`
	Updated      map[string]json.RawMessage `json:"updated"`
	Destroyed    []string                   `json:"destroyed"`
	NotCreated   map[string]setErrorJSON    `json:"notCreated"`
	NotUpdated   map[string]setErrorJSON    `json:"notUpdated"`
	NotDestroyed map[string]setErrorJSON    `json:"notDestroyed"`
}

// firstError returns the failure of the smallest id, as a *SetError, or
// nil.
func (r *setResponse) firstError(method string) error {
	for _, m := range []map[string]setErrorJSON{r.NotCreated, r.NotUpdated, r.NotDestroyed} {
		if len(m) == 0 {
			continue
		}
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		e := m[ids[0]]
		if e.Type == "" {
			e.Type = "serverFail"
		}
		return &SetError{Method: method, ID: clip(ids[0], 200), Type: clip(e.Type, 100), Description: clip(e.Description, 200), Properties: e.Properties}
	}
	return nil
}

// createdID returns the server id of the object created as cid.
func (r *setResponse) createdID(cid string) (string, bool) {
	raw, ok := r.Created[cid]
	if !ok {
		return "", false
	}
	var v struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &v) != nil || v.ID == "" {
		return "", false
	}
	return v.ID, true
}

// chunks splits ids into slices of at most n.
func chunks(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// callID returns the call id of the i-th generated call.
func callID(prefix string, i int) string {
	return prefix + itoa(i)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
