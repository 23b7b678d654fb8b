package coroutine

import (
	"fmt"
)

// Exchange is one recorded request and the reply that answers it.
type Exchange[Req, In any] struct {
	Request Req // what the machine asked for
	Reply   In  // what answered it
}

// ScriptError reports where a machine departed from a recorded script.
type ScriptError struct {
	Step   int    // 0-based index of the exchange
	Reason string // what differed
}

// Error implements error.
func (e *ScriptError) Error() string {
	return fmt.Sprintf("coroutine: replay step %d: %s", e.Step, e.Reason)
}

// Replay drives m with a recorded script instead of real I/O: each request m
// makes must match the script's next request by same, and is answered with
// the recorded reply. It returns m's result, or a *ScriptError when m asks
// for something else, asks for more than the script holds, or finishes
// before the script is used up.
func Replay[In, Req, Out any](m Machine[In, Req, Out], script []Exchange[Req, In], same func(want, got Req) bool) (Out, error) {
	var in In
	var zero Out
	for i := 0; ; i++ {
		req, done := m.Resume(in)
		if done {
			if i < len(script) {
				return zero, &ScriptError{Step: i, Reason: fmt.Sprintf("machine finished with %d exchanges left", len(script)-i)}
			}
			return m.Result()
		}
		if i >= len(script) {
			return zero, &ScriptError{Step: i, Reason: fmt.Sprintf("machine asked for %+v past the end of the script", req)}
		}
		if !same(script[i].Request, req) {
			return zero, &ScriptError{Step: i, Reason: fmt.Sprintf("want request %+v, got %+v", script[i].Request, req)}
		}
		in = script[i].Reply
	}
}
