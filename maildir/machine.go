package maildir

import (
	"fmt"

	"github.com/ioemail/ioemail/coroutine"
	"github.com/ioemail/ioemail/email"
)

// base holds what every step machine of this package shares: the finished
// flag, the outcome, and the size of the last batch asked for, so that a
// reply of the wrong length is caught instead of read out of range.
type base[R any] struct {
	done bool
	out  R
	err  error
	// last is the length of the batch the machine itself asked for, or -1
	// while a nested machine owns the exchange.
	last int
}

// fail ends the machine with err.
func (b *base[R]) fail(err error) ([]coroutine.FileRequest, bool) {
	b.done, b.err = true, err
	return nil, true
}

// finish ends the machine with out.
func (b *base[R]) finish(out R) ([]coroutine.FileRequest, bool) {
	b.done, b.out = true, out
	return nil, true
}

// ask returns a batch and remembers its length.
func (b *base[R]) ask(reqs ...coroutine.FileRequest) ([]coroutine.FileRequest, bool) {
	b.last = len(reqs)
	return reqs, false
}

// delegate returns a batch a nested machine asked for.
func (b *base[R]) delegate(reqs []coroutine.FileRequest) ([]coroutine.FileRequest, bool) {
	b.last = -1
	return reqs, false
}

// check verifies that in answers the last batch.
func (b *base[R]) check(in []coroutine.FileResult) error {
	if b.last >= 0 && len(in) != b.last {
		return fmt.Errorf("maildir: %d results for a batch of %d requests: %w", len(in), b.last, email.ErrUnexpectedReply)
	}
	return nil
}

// begin checks a reply before a Resume acts on it. It reports false when
// the machine is finished, or when in does not answer the last batch (the
// machine then fails with email.ErrUnexpectedReply).
func (b *base[R]) begin(in []coroutine.FileResult) bool {
	if b.done {
		return false
	}
	if err := b.check(in); err != nil {
		b.fail(err)
		return false
	}
	return true
}

// Result returns the outcome once the machine is done.
func (b *base[R]) Result() (R, error) {
	if !b.done {
		var zero R
		return zero, coroutine.ErrNotDone
	}
	return b.out, b.err
}

// done returns a machine already finished with err (invalid arguments are
// reported before any I/O).
func done[R any](err error) coroutine.FileMachine[R] {
	var zero R
	return coroutine.Done[[]coroutine.FileResult, []coroutine.FileRequest](zero, err)
}
