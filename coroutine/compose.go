package coroutine

// Done returns a machine that is finished from the start with out and err.
// Constructors use it to report invalid arguments before any I/O.
func Done[In, Req, Out any](out Out, err error) Machine[In, Req, Out] {
	return &doneMachine[In, Req, Out]{out: out, err: err}
}

type doneMachine[In, Req, Out any] struct {
	out Out
	err error
}

func (d *doneMachine[In, Req, Out]) Resume(In) (Req, bool) {
	var zero Req
	return zero, true
}

func (d *doneMachine[In, Req, Out]) Result() (Out, error) { return d.out, d.err }

// Map returns a machine that runs m and converts its result with f. f is not
// called when m fails.
func Map[In, Req, A, B any](m Machine[In, Req, A], f func(A) (B, error)) Machine[In, Req, B] {
	return &mapMachine[In, Req, A, B]{m: m, f: f}
}

type mapMachine[In, Req, A, B any] struct {
	m    Machine[In, Req, A]
	f    func(A) (B, error)
	done bool
	out  B
	err  error
}

func (x *mapMachine[In, Req, A, B]) Resume(in In) (Req, bool) {
	if x.done {
		var zero Req
		return zero, true
	}
	req, done := x.m.Resume(in)
	if !done {
		return req, false
	}
	x.done = true
	a, err := x.m.Result()
	if err != nil {
		x.err = err
	} else {
		x.out, x.err = x.f(a)
	}
	return req, true
}

func (x *mapMachine[In, Req, A, B]) Result() (B, error) {
	if !x.done {
		var zero B
		return zero, ErrNotDone
	}
	return x.out, x.err
}

// Then returns a machine that runs first, then the machine next builds from
// first's result, and ends with that second machine's result. next is not
// called when first fails. The second machine's first Resume receives the
// zero In, as every machine's does.
func Then[In, Req, A, B any](first Machine[In, Req, A], next func(A) Machine[In, Req, B]) Machine[In, Req, B] {
	return &thenMachine[In, Req, A, B]{first: first, next: next}
}

type thenMachine[In, Req, A, B any] struct {
	first  Machine[In, Req, A]
	next   func(A) Machine[In, Req, B]
	second Machine[In, Req, B]
	err    error
	done   bool
}

func (t *thenMachine[In, Req, A, B]) Resume(in In) (Req, bool) {
	var zero Req
	if t.done {
		return zero, true
	}
	if t.second == nil {
		req, done := t.first.Resume(in)
		if !done {
			return req, false
		}
		a, err := t.first.Result()
		if err != nil {
			t.err, t.done = err, true
			return zero, true
		}
		t.second = t.next(a)
		var fresh In
		in = fresh
	}
	req, done := t.second.Resume(in)
	if done {
		t.done = true
	}
	return req, done
}

func (t *thenMachine[In, Req, A, B]) Result() (B, error) {
	var zero B
	switch {
	case !t.done:
		return zero, ErrNotDone
	case t.err != nil:
		return zero, t.err
	}
	return t.second.Result()
}
