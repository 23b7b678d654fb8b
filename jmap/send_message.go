package jmap

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-message/mail"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// usingSubmission is the capability list of the send calls.
var usingSubmission = []string{CapCore, CapMail, CapSubmission}

// SendMessage returns a machine that submits the raw message through JMAP
// (RFC 8621 section 7) in three exchanges:
//
//  1. Identity/get, and Mailbox/query for the drafts and sent roles;
//  2. the upload of the message, with its Bcc field removed unless
//     opts.KeepBcc (so neither the stored copy nor what recipients get
//     shows it);
//  3. Email/import into Drafts with $draft and $seen, and
//     EmailSubmission/set naming the imported email by creation id, with
//     an explicit envelope, and onSuccessUpdateEmail moving the email to
//     Sent (when the account has one) and clearing $draft.
//
// When the submission is refused, a fourth exchange destroys the imported
// draft, so failed sends leave nothing behind.
//
// The envelope is derived as SMTP does: opts.From, else the Sender, else
// the first From address; opts.To, else the To, Cc and Bcc addresses
// (the Resent-* fields when the message has a Resent-From), without
// duplicates. The identity is the one whose email matches the envelope
// sender, else the first one. The result lists the recipients the server
// accepted. When the server refuses some recipients (invalidRecipients
// naming a part of them) the draft is submitted again to the others and
// the refused ones are listed in SendResult.Rejected, as SMTP reports a
// partial refusal; a refusal of every recipient, or of anything else
// (forbiddenFrom, ...), fails with a *SetError matching email.ErrRefused.
func SendMessage(s *Session, raw []byte, opts email.SendOptions) Machine[email.SendResult] {
	env, err := deriveEnvelope(raw, opts)
	if err != nil {
		return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, err)
	}
	if !s.Submission {
		return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, fmt.Errorf("jmap: server offers no submission: %w", email.ErrUnsupported))
	}
	stored := raw
	if !opts.KeepBcc {
		stored = stripField(raw, "Bcc")
		stored = stripField(stored, "Resent-Bcc")
	}
	return send(s, env, Upload(s, "message/rfc822", stored))
}

// SendMessageStream is SendMessage of a message read from a stream: head
// is its header block (through the blank line that ends it, or the whole
// message when it has no body), which gives the envelope and loses its Bcc
// fields as SendMessage says; the rest of the message is the operation's
// source (see Request.SourceBody), read once as the upload is sent. The
// uploaded message is head then the source, canonicalised on the way as
// AddMessageStream does (the mbox "From " line dropped, bare LF made
// CRLF), at most maxSize bytes when positive (email.ErrTooLarge as the
// bytes pass).
func SendMessageStream(s *Session, head []byte, maxSize int64, opts email.SendOptions) Machine[email.SendResult] {
	env, err := deriveEnvelope(head, opts)
	if err != nil {
		return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, err)
	}
	if !s.Submission {
		return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, fmt.Errorf("jmap: server offers no submission: %w", email.ErrUnsupported))
	}
	if !opts.KeepBcc {
		head = stripField(stripField(head, "Bcc"), "Resent-Bcc")
	}
	head = append([]byte(nil), head...)
	tr := func() Transform { return &prefixed{head: head, inner: new(Canonicalizer)} }
	return send(s, env, UploadStream(s, "message/rfc822", maxSize, tr))
}

// prefixed is the transform inner of head, then of the stream.
type prefixed struct {
	head  []byte
	inner Transform
	sent  bool
}

func (p *prefixed) Append(dst, chunk []byte) []byte {
	if !p.sent {
		p.sent = true
		dst = p.inner.Append(dst, p.head)
	}
	return p.inner.Append(dst, chunk)
}

func (p *prefixed) Flush(dst []byte) []byte {
	return p.inner.Flush(p.Append(dst, nil))
}

// send discovers the identity and the mailboxes, then runs upload and
// submits the blob it ends with to env.
func send(s *Session, env envelope, upload Machine[string]) Machine[email.SendResult] {
	acct := s.AccountID
	discover := API(s, usingSubmission, []Call{
		{Name: "Identity/get", ID: "i", Args: map[string]any{"accountId": acct}},
		{Name: "Mailbox/query", ID: "d", Args: map[string]any{"accountId": acct, "filter": map[string]any{"role": "drafts"}}},
		{Name: "Mailbox/query", ID: "s", Args: map[string]any{"accountId": acct, "filter": map[string]any{"role": "sent"}}},
	})
	type found struct{ identity, drafts, sent string }
	return coroutine.Then(discover, func(r *Responses) Machine[email.SendResult] {
		var f found
		var ids struct {
			List []struct {
				ID    string `json:"id"`
				Email string `json:"email"`
			} `json:"list"`
		}
		if err := r.Decode("i", "Identity/get", &ids); err != nil {
			return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, err)
		}
		for _, id := range ids.List {
			if strings.EqualFold(id.Email, env.from) {
				f.identity = id.ID
				break
			}
		}
		if f.identity == "" && len(ids.List) > 0 {
			f.identity = ids.List[0].ID
		}
		if f.identity == "" {
			return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, fmt.Errorf("jmap: account has no identity to send with: %w", email.ErrRefused))
		}
		var dq, sq queryResponse
		if err := r.Decode("d", "Mailbox/query", &dq); err != nil {
			return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, err)
		}
		if err := r.Decode("s", "Mailbox/query", &sq); err != nil {
			return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, err)
		}
		if len(dq.IDs) == 0 {
			return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, fmt.Errorf("jmap: account has no drafts mailbox: %w", email.ErrNotFound))
		}
		f.drafts = dq.IDs[0]
		if len(sq.IDs) > 0 {
			f.sent = sq.IDs[0]
		}
		return coroutine.Then(upload, func(blobID string) Machine[email.SendResult] {
			return submit(s, env, blobID, f.identity, f.drafts, f.sent)
		})
	})
}

// submission holds what the submission calls of one send share.
type submission struct {
	s         *Session
	env       envelope
	identity  string
	onSuccess map[string]any
	draft     string
	rejected  []email.RecipientError
}

// call is the EmailSubmission/set of emailID to the recipients to.
func (b *submission) call(emailID string, to []string) Call {
	rcpt := make([]map[string]string, len(to))
	for i, a := range to {
		rcpt[i] = map[string]string{"email": a}
	}
	return Call{Name: "EmailSubmission/set", ID: "s", Args: map[string]any{
		"accountId": b.s.AccountID,
		"create": map[string]any{"sub": map[string]any{
			"identityId": b.identity,
			"emailId":    emailID,
			"envelope":   map[string]any{"mailFrom": map[string]string{"email": b.env.from}, "rcptTo": rcpt},
		}},
		"onSuccessUpdateEmail": map[string]any{"#sub": b.onSuccess},
	}}
}

func submit(s *Session, env envelope, blobID, identity, drafts, sent string) Machine[email.SendResult] {
	onSuccess := map[string]any{"keywords/$draft": nil}
	if sent != "" && sent != drafts {
		onSuccess["mailboxIds/"+pointerEscape(drafts)] = nil
		onSuccess["mailboxIds/"+pointerEscape(sent)] = true
	}
	b := &submission{s: s, env: env, identity: identity, onSuccess: onSuccess}
	calls := []Call{
		{Name: "Email/import", ID: "m", Args: map[string]any{"accountId": s.AccountID, "emails": map[string]any{"draft": map[string]any{
			"blobId":     blobID,
			"mailboxIds": map[string]bool{drafts: true},
			"keywords":   map[string]bool{"$draft": true, "$seen": true},
		}}}},
		b.call("#draft", env.to),
	}
	return coroutine.Then(API(s, usingSubmission, calls), func(r *Responses) Machine[email.SendResult] {
		var imp setResponse
		if err := r.Decode("m", "Email/import", &imp); err != nil {
			return sendFailed(err)
		}
		if e, ok := imp.NotCreated["draft"]; ok && e.Type == "alreadyExists" {
			return sendFailed(&SetError{Method: "Email/import", ID: "draft", Type: e.Type, Description: "this exact message was stored before; change it (Message-ID, Date) to send it again"})
		}
		if err := imp.firstError("Email/import"); err != nil {
			return sendFailed(err)
		}
		b.draft, _ = imp.createdID("draft")
		return b.outcome(r, env.to)
	})
}

func sendFailed(err error) Machine[email.SendResult] {
	return coroutine.Done[Response, Request, email.SendResult](email.SendResult{}, err)
}

// outcome reads the answer to the submission of the draft to the
// recipients to. A partial refusal (invalidRecipients naming some of them)
// is reported as SMTP does: the refused addresses go to Rejected and the
// draft is submitted again to the others, so the send succeeds when at
// least one recipient is accepted. Each round drops at least one address,
// so the rounds are bounded by the recipients. A send that fails destroys
// the draft.
func (b *submission) outcome(r *Responses, to []string) Machine[email.SendResult] {
	var sub setResponse
	err := r.Decode("s", "EmailSubmission/set", &sub)
	if err == nil {
		err = sub.firstError("EmailSubmission/set")
	}
	if err == nil {
		if _, ok := sub.createdID("sub"); !ok {
			err = protocolError("EmailSubmission/set did not report the submission")
		}
	}
	if err == nil {
		return coroutine.Done[Response, Request, email.SendResult](email.SendResult{Accepted: append([]string{}, to...), Rejected: b.rejected}, nil)
	}
	if b.draft == "" {
		return sendFailed(err)
	}
	if e, ok := sub.NotCreated["sub"]; ok && e.Type == "invalidRecipients" {
		if rest := b.reject(to, e.InvalidRecipients, err); len(rest) > 0 && len(rest) < len(to) {
			return coroutine.Then(API(b.s, usingSubmission, []Call{b.call(b.draft, rest)}), func(r *Responses) Machine[email.SendResult] {
				return b.outcome(r, rest)
			})
		}
	}
	// The submission failed: do not leave the unsent draft behind.
	destroy := Call{Name: "Email/set", ID: "d", Args: map[string]any{"accountId": b.s.AccountID, "destroy": []string{b.draft}}}
	return coroutine.Map(API(b.s, nil, []Call{destroy}), func(*Responses) (email.SendResult, error) {
		return email.SendResult{}, err
	})
}

// reject moves the addresses of to that the server named invalid to
// b.rejected with err, and returns the others.
func (b *submission) reject(to, invalid []string, err error) []string {
	bad := map[string]bool{}
	for _, a := range invalid {
		bad[strings.ToLower(a)] = true
	}
	var rest []string
	for _, a := range to {
		if bad[strings.ToLower(a)] {
			b.rejected = append(b.rejected, email.RecipientError{Address: a, Err: err, Reason: err.Error()})
		} else {
			rest = append(rest, a)
		}
	}
	return rest
}

// envelope is the SMTP envelope of a message.
type envelope struct {
	from string
	to   []string
}

// deriveEnvelope computes the envelope of raw as SMTP submission does.
func deriveEnvelope(raw []byte, opts email.SendOptions) (envelope, error) {
	h := headerFields(raw)
	prefix := ""
	if len(h["resent-from"]) > 0 {
		prefix = "resent-"
	}
	var env envelope
	env.from = opts.From
	if env.from == "" {
		for _, f := range []string{prefix + "sender", prefix + "from"} {
			if as := parseAddrs(h[f]); len(as) > 0 {
				env.from = as[0]
				break
			}
		}
	}
	if env.from == "" {
		return env, fmt.Errorf("jmap: message has no sender address: %w", email.ErrInvalidArgument)
	}
	seen := map[string]bool{}
	add := func(a string) {
		if k := strings.ToLower(a); a != "" && !seen[k] {
			seen[k] = true
			env.to = append(env.to, a)
		}
	}
	if len(opts.To) > 0 {
		for _, a := range opts.To {
			add(a)
		}
	} else {
		for _, f := range []string{"to", "cc", "bcc"} {
			for _, a := range parseAddrs(h[prefix+f]) {
				add(a)
			}
		}
	}
	if len(env.to) == 0 {
		return env, fmt.Errorf("jmap: message has no recipient: %w", email.ErrInvalidArgument)
	}
	for _, a := range append([]string{env.from}, env.to...) {
		if i := strings.LastIndexByte(a, '@'); i <= 0 || i == len(a)-1 || strings.ContainsAny(a, " \r\n<>") {
			return env, fmt.Errorf("jmap: invalid address %q: %w", a, email.ErrInvalidArgument)
		}
	}
	return env, nil
}

func parseAddrs(values []string) []string {
	var out []string
	for _, v := range values {
		list, err := mail.ParseAddressList(v)
		if err != nil {
			continue
		}
		for _, a := range list {
			if a.Address != "" {
				out = append(out, a.Address)
			}
		}
	}
	return out
}

// headerEnd returns the index of the first body byte of raw, or len(raw)
// when the message has no body.
func headerEnd(raw []byte) int {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return len(raw)
		}
		line := raw[i : i+j]
		i += j + 1
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return i
		}
	}
	return len(raw)
}

// headerFields returns the unfolded header fields of raw, keyed by lower
// case name.
func headerFields(raw []byte) map[string][]string {
	out := map[string][]string{}
	head := raw[:headerEnd(raw)]
	var name string
	var val []byte
	flush := func() {
		if name != "" {
			out[name] = append(out[name], strings.TrimSpace(string(val)))
		}
		name, val = "", nil
	}
	for len(head) > 0 {
		j := bytes.IndexByte(head, '\n')
		line := head
		if j >= 0 {
			line, head = head[:j], head[j+1:]
		} else {
			head = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			val = append(val, line...)
			continue
		}
		flush()
		if k, v, ok := bytes.Cut(line, []byte(":")); ok {
			name, val = strings.ToLower(strings.TrimSpace(string(k))), append([]byte(nil), v...)
		}
	}
	flush()
	return out
}

// stripField returns raw without the header field name (every occurrence,
// continuation lines included); every other byte is kept as it is.
func stripField(raw []byte, name string) []byte {
	end := headerEnd(raw)
	out := make([]byte, 0, len(raw))
	skipping := false
	for i := 0; i < end; {
		j := bytes.IndexByte(raw[i:end], '\n')
		next := end
		if j >= 0 {
			next = i + j + 1
		}
		line := raw[i:next]
		switch {
		case len(line) > 0 && (line[0] == ' ' || line[0] == '\t'):
			// a continuation keeps the fate of its field
		default:
			k, _, ok := bytes.Cut(line, []byte(":"))
			skipping = ok && strings.EqualFold(strings.TrimSpace(string(k)), name)
		}
		if !skipping {
			out = append(out, line...)
		}
		i = next
	}
	return append(out, raw[end:]...)
}
