package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// MoveMessages returns a machine that moves the emails ids from the
// mailbox fromID to toID by patching their mailboxIds (the target set,
// the source removed) in one exchange, and ends with their ids, which do
// not change. Other mailboxes the emails are in are left alone.
func MoveMessages(s *Session, fromID, toID string, ids []string) Machine[[]string] {
	if fromID == "" || toID == "" {
		return coroutine.Done[Response, Request, []string](nil, &email.NameError{Name: fromID + "," + toID, Reason: "empty mailbox id"})
	}
	p := map[string]any{"mailboxIds/" + pointerEscape(toID): true}
	if fromID != toID {
		p["mailboxIds/"+pointerEscape(fromID)] = nil
	}
	return coroutine.Map(updateEmails(s, ids, func(string) map[string]any { return p }), func(struct{}) ([]string, error) {
		return append([]string{}, ids...), nil
	})
}
