package jmap

import (
	"sort"
	"strings"
	"sync/atomic"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// Mailbox names.
//
// Callers name mailboxes as on every other backend: the display names of
// the levels joined by "/", the mailbox whose role is inbox spelled
// "INBOX" (case-insensitive, as RFC 3501 section 5.1 makes it), its
// children "INBOX/...". The operation machines of this package take server
// ids; ResolveMailbox (and Session.CachedMailboxID) maps a name to its id
// through a snapshot of the mailbox tree that the Session keeps, keyed by
// the Mailbox state string it was read at. The snapshot is replaced by
// every full Mailbox/get this package makes (ListMailboxes, ResolveMailbox
// on a miss, CreateMailbox, DiffMailboxes) and dropped by CreateMailbox and
// DeleteMailbox. A level whose display name holds "/" cannot be named.
//
// The snapshot can be stale: a mailbox another client deleted or
// recreated is caught when the server refuses the old id (package client
// then reads the tree again and retries once, or reports the name not
// found), but a mailbox another client renamed keeps answering to its old
// name until the snapshot is next replaced (a lookup miss, ListMailboxes,
// DiffMailboxes, CreateMailbox, DeleteMailbox, or ForgetMailboxes).

// mailboxTree is an immutable snapshot of the account's mailboxes.
type mailboxTree struct {
	state  string
	byName map[string]string // caller name -> id
	byID   map[string]string // id -> caller name
}

// nameCache holds the current snapshot; it is shared by copies of a
// Session and safe for concurrent use.
type nameCache struct{ p atomic.Pointer[mailboxTree] }

func (s *Session) cache() *nameCache {
	if s.names == nil {
		// A Session built without ParseSession: no sharing, no cache.
		return &nameCache{}
	}
	return s.names
}

// CachedMailboxID returns the id of the mailbox name from the session's
// snapshot of the mailbox tree, without any exchange. It reports false
// when the snapshot is empty or does not hold the name; ResolveMailbox then
// reads the tree again.
func (s *Session) CachedMailboxID(name string) (string, bool) {
	t := s.cache().p.Load()
	if t == nil {
		return "", false
	}
	id, ok := t.byName[normName(name)]
	return id, ok
}

// ForgetMailboxes drops the session's snapshot of the mailbox tree, so
// that the next name lookup reads it again.
func (s *Session) ForgetMailboxes() { s.cache().p.Store(nil) }

// remember replaces the snapshot with the tree read at state.
func (s *Session) remember(state string, list []mailboxJSON) *mailboxTree {
	t := buildTree(state, list)
	s.cache().p.Store(t)
	return t
}

// buildTree names every mailbox of list.
func buildTree(state string, list []mailboxJSON) *mailboxTree {
	paths := mailboxPaths(list)
	t := &mailboxTree{state: state, byName: make(map[string]string, len(list)), byID: paths}
	// Two mailboxes with one path (the inbox and a mailbox named "INBOX",
	// or names holding "/"): the inbox wins, then the smaller id.
	ids := make([]string, 0, len(paths))
	for id := range paths {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if id == "" {
			continue // no operation can name it
		}
		if _, dup := t.byName[paths[id]]; !dup {
			t.byName[paths[id]] = id
		}
	}
	for _, m := range list {
		if m.Role != nil && *m.Role == string(email.RoleInbox) && m.ID != "" {
			t.byName["INBOX"] = m.ID
		}
	}
	return t
}

// normName spells the inbox level of a caller's name "INBOX".
func normName(name string) string {
	first, rest, sub := strings.Cut(name, "/")
	if !email.IsInbox(first) {
		return name
	}
	if sub {
		return "INBOX/" + rest
	}
	return "INBOX"
}

// checkName refuses, before any exchange, the names no backend can hold:
// empty, an empty level, a "." or ".." level, or a control byte. It is the
// check of the local stores, so that a name valid on JMAP is valid
// everywhere.
func checkName(name string) error {
	for _, level := range strings.Split(name, "/") {
		reason := ""
		switch {
		case strings.TrimSpace(level) == "":
			reason = "empty hierarchy level"
		case level == "." || level == "..":
			reason = "hierarchy level " + level
		case strings.ContainsFunc(level, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			reason = "control character"
		}
		if reason != "" {
			return &email.NameError{Name: name, Reason: reason}
		}
	}
	return nil
}

// mailboxTreeCall is the Mailbox/get of every mailbox with what names
// need.
func mailboxTreeCall(s *Session, id string) Call {
	return Call{Name: "Mailbox/get", ID: id, Args: map[string]any{"accountId": s.AccountID, "ids": nil, "properties": []string{"id", "name", "parentId", "role"}}}
}

// ResolveMailbox returns a machine that ends with the server id of the
// mailbox name. It makes no exchange when the session's snapshot holds the
// name; otherwise it reads the tree again (one Mailbox/get) and fails with
// an *email.NotFoundError, matching email.ErrNotFound, when the name is
// still unknown. A name that no backend can hold fails with an
// *email.NameError before any exchange.
func ResolveMailbox(s *Session, name string) Machine[string] {
	if err := checkName(name); err != nil {
		return coroutine.Done[Response, Request, string]("", err)
	}
	if id, ok := s.CachedMailboxID(name); ok {
		return coroutine.Done[Response, Request, string](id, nil)
	}
	return coroutine.Map(API(s, nil, []Call{mailboxTreeCall(s, "0")}), func(r *Responses) (string, error) {
		var g mailboxGet
		if err := r.Decode("0", "Mailbox/get", &g); err != nil {
			return "", err
		}
		t := s.remember(g.State, g.List)
		if id, ok := t.byName[normName(name)]; ok {
			return id, nil
		}
		return "", &email.NotFoundError{Mailbox: name}
	})
}
