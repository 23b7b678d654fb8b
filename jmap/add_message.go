package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// AddMessage returns a machine that stores the raw message in the mailbox
// with id mailboxID with the given flags and ends with the new email id.
// It takes two exchanges: the upload of the bytes as a message/rfc822 blob,
// then Email/import with the mailbox and the flags as keywords (see
// Keyword). The stored bytes are exactly raw.
func AddMessage(s *Session, mailboxID string, raw []byte, flags email.Flags) Machine[string] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, string]("", &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	return coroutine.Then(Upload(s, "message/rfc822", raw), func(blobID string) Machine[string] {
		imp := Call{Name: "Email/import", ID: "0", Args: map[string]any{
			"accountId": s.AccountID,
			"emails": map[string]any{"m": map[string]any{
				"blobId":     blobID,
				"mailboxIds": map[string]bool{mailboxID: true},
				"keywords":   keywordMap(flags),
			}},
		}}
		return coroutine.Map(API(s, nil, []Call{imp}), func(r *Responses) (string, error) {
			var sr setResponse
			if err := r.Decode("0", "Email/import", &sr); err != nil {
				return "", err
			}
			if err := sr.firstError("Email/import"); err != nil {
				return "", err
			}
			id, ok := sr.createdID("m")
			if !ok {
				return "", protocolError("Email/import did not report the created email")
			}
			return id, nil
		})
	})
}
