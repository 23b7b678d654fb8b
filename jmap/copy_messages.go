package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// CopyMessages returns a machine that copies the emails ids into the
// mailbox toID and ends with their ids in the target, which are the same
// ids: in JMAP an email can sit in several mailboxes at once, and copying
// adds the target to its mailboxIds ("mailboxIds/<to>": true) rather than
// duplicating it. The copy therefore shares keywords with the original: a
// flag changed in one mailbox shows in the other. One exchange.
func CopyMessages(s *Session, toID string, ids []string) Machine[[]string] {
	if toID == "" {
		return coroutine.Done[Response, Request, []string](nil, &email.NameError{Name: toID, Reason: "empty mailbox id"})
	}
	p := map[string]any{"mailboxIds/" + pointerEscape(toID): true}
	return coroutine.Map(updateEmails(s, ids, func(string) map[string]any { return p }), func(struct{}) ([]string, error) {
		return append([]string{}, ids...), nil
	})
}
