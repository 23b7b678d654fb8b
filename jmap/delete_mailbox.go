package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// DeleteMailbox returns a machine that destroys the mailbox with the given
// id in one exchange (Mailbox/set with onDestroyRemoveEmails: emails only
// in that mailbox are destroyed, emails also in other mailboxes stay
// there). A mailbox with children is refused by the server
// (mailboxHasChild, matching email.ErrRefused); an unknown id fails with
// email.ErrNotFound. It drops the session's snapshot of the mailbox tree.
// ResolveMailbox gives the id of a name.
func DeleteMailbox(s *Session, id string) Machine[struct{}] {
	if id == "" {
		return coroutine.Done[Response, Request, struct{}](struct{}{}, &email.NameError{Name: id, Reason: "empty mailbox id"})
	}
	set := Call{Name: "Mailbox/set", ID: "0", Args: map[string]any{"accountId": s.AccountID, "destroy": []string{id}, "onDestroyRemoveEmails": true}}
	return coroutine.Map(API(s, nil, []Call{set}), func(r *Responses) (struct{}, error) {
		s.ForgetMailboxes()
		var sr setResponse
		if err := r.Decode("0", "Mailbox/set", &sr); err != nil {
			return struct{}{}, err
		}
		if err := sr.firstError("Mailbox/set"); err != nil {
			return struct{}{}, err
		}
		for _, d := range sr.Destroyed {
			if d == id {
				return struct{}{}, nil
			}
		}
		return struct{}{}, protocolError("Mailbox/set did not report the mailbox destroyed")
	})
}
