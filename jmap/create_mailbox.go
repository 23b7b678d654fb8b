package jmap

import (
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// CreateMailbox returns a machine that creates the mailbox name, a
// "/"-separated list of display names (the inbox spelled "INBOX", see
// ResolveMailbox), creating its missing parents as needed, and ends with
// the new mailbox's id. It takes two exchanges: a Mailbox/get of every
// mailbox, then one Mailbox/set creating the missing levels, each child
// naming its parent by creation id. A name that exists already fails with
// email.ErrExists. A name no backend can hold (empty, an empty, "." or
// ".." level, a control byte) fails with an *email.NameError before any
// exchange.
func CreateMailbox(s *Session, name string) Machine[string] {
	if err := checkName(name); err != nil {
		return coroutine.Done[Response, Request, string]("", err)
	}
	path := normName(name)
	parts := strings.Split(path, "/")
	return coroutine.Then(API(s, nil, []Call{mailboxTreeCall(s, "0")}), func(r *Responses) Machine[string] {
		var g mailboxGet
		if err := r.Decode("0", "Mailbox/get", &g); err != nil {
			return coroutine.Done[Response, Request, string]("", err)
		}
		t := s.remember(g.State, g.List)
		// The longest existing prefix is the parent of the new levels.
		var parent *string
		i := 0
		for ; i < len(parts); i++ {
			id, ok := t.byName[strings.Join(parts[:i+1], "/")]
			if !ok {
				break
			}
			parent = &id
		}
		if i == len(parts) {
			return coroutine.Done[Response, Request, string]("", fmt.Errorf("jmap: mailbox %q: %w", name, email.ErrExists))
		}
		create := map[string]any{}
		for k := i; k < len(parts); k++ {
			obj := map[string]any{"name": parts[k]}
			switch {
			case k > i:
				obj["parentId"] = "#c" + itoa(k-1)
			case parent != nil:
				obj["parentId"] = *parent
			default:
				obj["parentId"] = nil
			}
			create["c"+itoa(k)] = obj
		}
		last := "c" + itoa(len(parts)-1)
		set := Call{Name: "Mailbox/set", ID: "0", Args: map[string]any{"accountId": s.AccountID, "create": create}}
		return coroutine.Map(API(s, nil, []Call{set}), func(r *Responses) (string, error) {
			s.ForgetMailboxes()
			var sr setResponse
			if err := r.Decode("0", "Mailbox/set", &sr); err != nil {
				return "", err
			}
			if err := sr.firstError("Mailbox/set"); err != nil {
				return "", err
			}
			id, ok := sr.createdID(last)
			if !ok {
				return "", protocolError("Mailbox/set did not report the created mailbox")
			}
			return id, nil
		})
	})
}
