package coroutine

// After returns a machine that runs first, then second, and ends with
// second's result; first's result is dropped, and second does not run when
// first fails. second is built before first runs, which is right for the
// machines of this module: they do nothing until their first Resume, so an
// operation built on a session before Open has run still sees the session
// Open leaves. Every type argument is inferred:
//
//	m := coroutine.After(imap.Open(s, opts), imap.ListMailboxes(s, listOpts))
//
// Use Then when the second machine depends on the first one's result.
func After[In, Req, A, B any](first Machine[In, Req, A], second Machine[In, Req, B]) Machine[In, Req, B] {
	return Then(first, func(A) Machine[In, Req, B] { return second })
}

// Bracket returns a machine that runs open, then op, then close, and ends
// with op's result: the shape of a whole session (Open, one operation,
// Logout) on one connection. close runs after op whether op succeeded or
// not (a machine of this module on a session that a failure has broken
// finishes at once, without I/O); op's error, when there is one, is the
// result's, else close's. Nothing after open runs when open fails.
//
//	m := coroutine.Bracket(imap.Open(s, opts), imap.ListMailboxes(s, listOpts), imap.Logout(s))
func Bracket[In, Req, A, B, C any](open Machine[In, Req, A], op Machine[In, Req, B], close Machine[In, Req, C]) Machine[In, Req, B] {
	return After(open, Machine[In, Req, B](&finally[In, Req, B, C]{op: op, close: close}))
}

// finally runs op, then close whatever op's outcome.
type finally[In, Req, B, C any] struct {
	op      Machine[In, Req, B]
	close   Machine[In, Req, C]
	closing bool
	done    bool
	out     B
	err     error
}

func (f *finally[In, Req, B, C]) Resume(in In) (Req, bool) {
	var zero Req
	if f.done {
		return zero, true
	}
	if !f.closing {
		req, done := f.op.Resume(in)
		if !done {
			return req, false
		}
		f.out, f.err = f.op.Result()
		f.closing = true
		var fresh In
		in = fresh
	}
	req, done := f.close.Resume(in)
	if !done {
		return req, false
	}
	f.done = true
	if _, err := f.close.Result(); f.err == nil {
		f.err = err
	}
	return zero, true
}

func (f *finally[In, Req, B, C]) Result() (B, error) {
	if !f.done {
		var zero B
		return zero, ErrNotDone
	}
	return f.out, f.err
}
