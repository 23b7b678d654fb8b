package jmap

import (
	"fmt"
	"strings"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// CreateMailbox returns a machine that creates the mailbox at path, a
// "/"-separated list of display names, creating its missing parents as
// needed, and ends with the new mailbox's id. It takes two exchanges: a
// Mailbox/get of every mailbox, then one Mailbox/set creating the missing
// levels, each child naming its parent by creation id. A path that exists
// already fails with email.ErrExists; an empty level with
// email.ErrInvalidName.
func CreateMailbox(s *Session, path string) Machine[string] {
	parts := strings.Split(path, "/")
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			return coroutine.Done[Response, Request, string]("", &email.NameError{Name: path, Reason: "empty hierarchy level"})
		}
	}
	get := Call{Name: "Mailbox/get", ID: "0", Args: map[string]any{"accountId": s.AccountID, "ids": nil, "properties": []string{"id", "name", "parentId"}}}
	return coroutine.Then(API(s, nil, []Call{get}), func(r *Responses) Machine[string] {
		var g mailboxGet
		if err := r.Decode("0", "Mailbox/get", &g); err != nil {
			return coroutine.Done[Response, Request, string]("", err)
		}
		// Walk down the existing levels.
		var parent *string
		i := 0
		for ; i < len(parts); i++ {
			found := false
			for _, m := range g.List {
				if sameParent(m.ParentID, parent) && m.Name == parts[i] {
					id := m.ID
					parent, found = &id, true
					break
				}
			}
			if !found {
				break
			}
		}
		if i == len(parts) {
			return coroutine.Done[Response, Request, string]("", fmt.Errorf("jmap: mailbox %q: %w", path, email.ErrExists))
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

func sameParent(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
