package mailsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/email"
)

// Engine syncs one pair of stores, keeping its state in one file. An Engine
// runs one sync at a time; Once and Run must not be called concurrently.
type Engine struct {
	st   [2]client.Storage
	path string
	opts Options
}

// New returns an engine for the pair a, b with its state in statePath
// (created on the first run; written crash-safely).
func New(a, b client.Storage, statePath string, opts Options) (*Engine, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("mailsync: a nil store: %w", email.ErrInvalidArgument)
	}
	if statePath == "" {
		return nil, fmt.Errorf("mailsync: no state path: %w", email.ErrInvalidArgument)
	}
	if opts.Names == nil {
		opts.Names = DefaultNames()
	}
	return &Engine{st: [2]client.Storage{a, b}, path: statePath, opts: opts}, nil
}

// Once makes the two sides equal, as far as Options say, and returns what it
// did.
func (e *Engine) Once(ctx context.Context) (Summary, error) {
	return Summary{}, errors.New("mailsync: not yet")
}

// Run syncs once, then watches both sides and syncs on every change until
// ctx is done (returns nil then), surviving reconnects; each run's result
// goes to onRun.
func (e *Engine) Run(ctx context.Context, onRun func(Summary, error)) error {
	return errors.New("mailsync: not yet")
}
