package jmap

import (
	"sort"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// mailboxJSON is the subset of the JMAP Mailbox object (RFC 8621 section 2)
// this package reads.
type mailboxJSON struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	ParentID     *string `json:"parentId"`
	Role         *string `json:"role"`
	TotalEmails  int     `json:"totalEmails"`
	UnreadEmails int     `json:"unreadEmails"`
}

type mailboxGet struct {
	State    string        `json:"state"`
	List     []mailboxJSON `json:"list"`
	NotFound []string      `json:"notFound"`
}

// maxDepth bounds the parent chains followed when building names, so a
// cycle sent by a hostile server ends.
const maxDepth = 64

// ListMailboxes returns a machine that lists every mailbox of the account
// in one exchange (Mailbox/get with ids null). Each Mailbox has as ID and
// Name the caller's name (the full path built from parentId with "/"
// between levels, the inbox spelled "INBOX": see ResolveMailbox), and the
// JMAP role; Total and Unread are set only when opts asks for counts. The
// list is sorted by Name, the inbox first. The listing also replaces the
// session's snapshot of the mailbox tree; Session.CachedMailboxID then
// gives the server id of each name.
func ListMailboxes(s *Session, opts email.ListMailboxesOptions) Machine[[]email.Mailbox] {
	props := []string{"id", "name", "parentId", "role"}
	if opts.WithCounts {
		props = append(props, "totalEmails", "unreadEmails")
	}
	call := Call{Name: "Mailbox/get", ID: "0", Args: map[string]any{"accountId": s.AccountID, "ids": nil, "properties": props}}
	return coroutine.Map(API(s, nil, []Call{call}), func(r *Responses) ([]email.Mailbox, error) {
		var g mailboxGet
		if err := r.Decode("0", "Mailbox/get", &g); err != nil {
			return nil, err
		}
		paths := s.remember(g.State, g.List).byID
		out := make([]email.Mailbox, 0, len(g.List))
		for _, m := range g.List {
			mb := email.Mailbox{ID: paths[m.ID], Name: paths[m.ID]}
			if m.Role != nil {
				mb.Role = email.ParseRole(*m.Role)
			}
			if opts.WithCounts {
				mb.Total, mb.Unread = email.IntPtr(m.TotalEmails), email.IntPtr(m.UnreadEmails)
			}
			out = append(out, mb)
		}
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i].Role == email.RoleInbox, out[j].Role == email.RoleInbox
			if a != b {
				return a
			}
			return out[i].Name < out[j].Name
		})
		return out, nil
	})
}

// mailboxPaths maps each mailbox id to its full "/"-joined path, the level
// of the mailbox with role inbox spelled "INBOX".
func mailboxPaths(list []mailboxJSON) map[string]string {
	byID := make(map[string]*mailboxJSON, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
	}
	out := make(map[string]string, len(list))
	for _, m := range list {
		path := levelName(m)
		cur := m
		for range maxDepth {
			if cur.ParentID == nil {
				break
			}
			p, ok := byID[*cur.ParentID]
			if !ok {
				break
			}
			path = levelName(*p) + "/" + path
			cur = *p
		}
		out[m.ID] = path
	}
	return out
}

// levelName is the caller's name of one level: "INBOX" for the inbox.
func levelName(m mailboxJSON) string {
	if m.Role != nil && *m.Role == string(email.RoleInbox) {
		return "INBOX"
	}
	return m.Name
}
