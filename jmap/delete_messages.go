package jmap

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// getEmails returns a machine that fetches the emails ids with the given
// properties, in Email/get calls of at most maxObjectsInGet ids (as many
// requests as maxCallsInRequest needs), and ends with every email found
// and the ids not found.
func getEmails(s *Session, ids []string, props []string) Machine[emailGet] {
	var calls []Call
	for i, chunk := range chunks(ids, s.MaxGet()) {
		calls = append(calls, Call{Name: "Email/get", ID: callID("g", i), Args: map[string]any{"accountId": s.AccountID, "ids": chunk, "properties": props}})
	}
	if len(calls) == 0 {
		return coroutine.Done[Response, Request, emailGet](emailGet{}, nil)
	}
	return coroutine.Map(API(s, nil, calls), func(r *Responses) (emailGet, error) {
		var all emailGet
		for _, c := range calls {
			var g emailGet
			if err := r.Decode(c.ID, "Email/get", &g); err != nil {
				return emailGet{}, err
			}
			all.State = g.State
			all.List = append(all.List, g.List...)
			all.NotFound = append(all.NotFound, g.NotFound...)
		}
		return all, nil
	})
}

// DeleteMessages returns a machine that removes the emails ids from the
// mailbox mailboxID: an email that sits only in that mailbox is destroyed
// (Email/set destroy), one that is also in other mailboxes is only taken
// out of this one (its mailboxIds patched) and stays in the others. Two
// exchanges: an Email/get of the mailboxIds, then one Email/set. An id that
// does not exist, or is not in the mailbox, fails the whole call with
// email.ErrNotFound before anything changes.
func DeleteMessages(s *Session, mailboxID string, ids []string) Machine[struct{}] {
	if mailboxID == "" {
		return coroutine.Done[Response, Request, struct{}](struct{}{}, &email.NameError{Name: mailboxID, Reason: "empty mailbox id"})
	}
	for _, id := range ids {
		if id == "" {
			return coroutine.Done[Response, Request, struct{}](struct{}{}, fmt.Errorf("jmap: empty email id: %w", email.ErrInvalidID))
		}
	}
	return coroutine.Then(getEmails(s, ids, []string{"id", "mailboxIds"}), func(g emailGet) Machine[struct{}] {
		if len(g.NotFound) > 0 {
			return coroutine.Done[Response, Request, struct{}](struct{}{}, &email.NotFoundError{Mailbox: mailboxID, ID: g.NotFound[0]})
		}
		var destroy, unlink []string
		for _, e := range g.List {
			if !e.MailboxIDs[mailboxID] {
				return coroutine.Done[Response, Request, struct{}](struct{}{}, &email.NotFoundError{Mailbox: mailboxID, ID: e.ID})
			}
			if len(e.MailboxIDs) == 1 {
				destroy = append(destroy, e.ID)
			} else {
				unlink = append(unlink, e.ID)
			}
		}
		var calls []Call
		for i, chunk := range chunks(destroy, s.MaxSet()) {
			calls = append(calls, Call{Name: "Email/set", ID: callID("d", i), Args: map[string]any{"accountId": s.AccountID, "destroy": chunk}})
		}
		p := map[string]any{"mailboxIds/" + pointerEscape(mailboxID): nil}
		for i, chunk := range chunks(unlink, s.MaxSet()) {
			upd := make(map[string]any, len(chunk))
			for _, id := range chunk {
				upd[id] = p
			}
			calls = append(calls, Call{Name: "Email/set", ID: callID("u", i), Args: map[string]any{"accountId": s.AccountID, "update": upd}})
		}
		if len(calls) == 0 {
			return coroutine.Done[Response, Request, struct{}](struct{}{}, nil)
		}
		return coroutine.Map(API(s, nil, calls), func(r *Responses) (struct{}, error) {
			for _, c := range calls {
				var sr setResponse
				if err := r.Decode(c.ID, "Email/set", &sr); err != nil {
					return struct{}{}, err
				}
				if err := sr.firstError("Email/set"); err != nil {
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		})
	})
}
