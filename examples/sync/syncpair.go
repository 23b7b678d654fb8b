package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ioemail/ioemail/client"
	"github.com/ioemail/ioemail/client/mailsync"
)

// syncPair opens both stores and syncs them once, or continuously with
// -watch, printing the summary of every run.
func syncPair(ctx context.Context, c config, pe procEnv) error {
	log := newLogger(c, pe)
	ns := netSettings{plaintext: c.plaintext, log: log}
	if c.ca != "" {
		cfg, err := loadCA(c.ca)
		if err != nil {
			return err
		}
		ns.tls = cfg
	}
	state := c.state
	if state == "" {
		var err error
		if state, err = defaultState(c.a, c.b); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(state), 0o700); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	a, err := openSide(ctx, "A", c.a, ns, pe.getenv)
	if err != nil {
		return err
	}
	defer closeStore(a)
	b, err := openSide(ctx, "B", c.b, ns, pe.getenv)
	if err != nil {
		return err
	}
	defer closeStore(b)

	p := &progress{w: pe.stdout, term: pe.term, log: log, now: time.Now}
	opts := c.opts
	opts.Progress = p.update
	opts.Logger = log
	eng, err := mailsync.New(a, b, state, opts)
	if err != nil {
		return err
	}
	log.Info("sync", "a", c.a.text, "b", c.b.text, "direction", opts.Direction, "state", state, "dry_run", opts.DryRun, "watch", c.watch)
	if !c.watch {
		sum, err := eng.Once(ctx)
		p.clear()
		if err == nil || sum != (mailsync.Summary{DryRun: sum.DryRun}) {
			// After a failure, what was done before it.
			writeSummary(pe.stdout, sum, c.a, c.b)
		}
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("interrupted: %w", err)
		}
		return err
	}
	err = eng.Run(ctx, func(sum mailsync.Summary, err error) {
		p.clear()
		if err != nil {
			log.Error("sync run failed; trying again on the next change", "err", err)
			return
		}
		writeSummary(pe.stdout, sum, c.a, c.b)
	})
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// openSide finds side's password and opens its store.
func openSide(ctx context.Context, side string, s storeURL, ns netSettings, getenv func(string) string) (client.Storage, error) {
	pw, err := secret(ctx, side, s.user, getenv)
	if err != nil {
		return nil, err
	}
	ns.password = pw
	ns.log = ns.log.With("side", side)
	st, err := open(ctx, s, ns)
	if err != nil {
		return nil, fmt.Errorf("store %s (%s): %w", side, s.text, err)
	}
	return st, nil
}

// closeStore closes a network store.
func closeStore(s client.Storage) {
	if cl, ok := s.(io.Closer); ok {
		cl.Close()
	}
}
