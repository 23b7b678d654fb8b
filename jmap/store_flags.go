package jmap

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// StoreFlags returns a machine that changes the keywords of the emails ids
// with Email/set patches (RFC 8620 section 5.3): FlagAdd sets
// "keywords/<kw>" to true, FlagRemove to null, FlagSet replaces the whole
// keywords map. Keywords are the lower-cased canonical spellings (see
// Keyword). Keywords belong to the email, not to a mailbox, so the change
// shows in every mailbox holding it. One exchange for up to
// maxObjectsInSet × maxCallsInRequest ids.
func StoreFlags(s *Session, ids []string, op email.FlagOp, flags email.Flags) Machine[struct{}] {
	if !op.Valid() {
		return coroutine.Done[Response, Request, struct{}](struct{}{}, fmt.Errorf("jmap: flag operation %d: %w", op, email.ErrInvalidArgument))
	}
	for _, id := range ids {
		if id == "" {
			return coroutine.Done[Response, Request, struct{}](struct{}{}, fmt.Errorf("jmap: empty email id: %w", email.ErrInvalidID))
		}
	}
	kw := keywordMap(flags)
	patch := map[string]any{}
	switch op {
	case email.FlagSet:
		patch["keywords"] = kw
	default:
		for k := range kw {
			if op == email.FlagAdd {
				patch["keywords/"+pointerEscape(k)] = true
			} else {
				patch["keywords/"+pointerEscape(k)] = nil
			}
		}
	}
	if len(patch) == 0 {
		return coroutine.Done[Response, Request, struct{}](struct{}{}, nil)
	}
	return updateEmails(s, ids, func(string) map[string]any { return patch })
}
