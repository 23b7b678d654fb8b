package jmap

import (
	"github.com/ioemail/ioemail/coroutine"
)

// updateEmails returns a machine that applies patch(id) to every email in
// ids with Email/set, in calls of at most maxObjectsInSet updates and
// requests of at most maxCallsInRequest calls. It fails with the first
// notUpdated entry as a *SetError.
func updateEmails(s *Session, ids []string, patch func(id string) map[string]any) Machine[struct{}] {
	var calls []Call
	for i, chunk := range chunks(ids, s.MaxSet()) {
		upd := make(map[string]any, len(chunk))
		for _, id := range chunk {
			upd[id] = patch(id)
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
}
