// Command sync makes two mail stores equal, both ways: IMAP, JMAP, Maildir
// or m2dir, in any pair, with the engine of package client/mailsync. It
// keeps the state of the pair in one file, so that it can be stopped at any
// point (even killed) and run again without losing or duplicating a
// message.
//
//	IOEMAIL_A_PASSWORD=... go run ./examples/sync imaps://me@mail.example.com maildir://$HOME/Mail
//
// Passwords come from the environment (IOEMAIL_A_PASSWORD,
// IOEMAIL_B_PASSWORD) or from a command's output (IOEMAIL_A_PASSCMD,
// IOEMAIL_B_PASSCMD, run with sh -c), never from a flag. On a terminal the
// command redraws one progress line; otherwise it logs with log/slog to
// standard error. It prints a summary of what it did on each side at the
// end, and exits with 0 when done, 1 when the sync failed, 2 when the
// command line is wrong. See README.md for the options and the rules.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// The exit statuses.
const (
	exitOK     = 0 // the sync is done (or -watch was stopped by a signal)
	exitFailed = 1 // the sync, a store or a password command failed
	exitUsage  = 2 // the command line (or a credential variable) is wrong
)

// procEnv is what run takes from the process.
type procEnv struct {
	args           []string
	getenv         func(string) string
	stdout, stderr io.Writer
	// term says stdout is a terminal: a redrawn progress line instead of
	// log lines.
	term bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, procEnv{args: os.Args[1:], getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, term: isTerminal(os.Stdout)})
	stop()
	os.Exit(code)
}

// run runs the command and returns its exit status.
func run(ctx context.Context, pe procEnv) int {
	c, err := parseArgs(pe.args, pe.stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil {
		err = syncPair(ctx, c, pe)
	}
	if err != nil {
		fmt.Fprintln(pe.stderr, "sync:", err)
	}
	return exitCode(err)
}

// exitCode maps run's error to the exit status.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	}
	return exitFailed
}

// newLogger returns the command's logger: text records on stderr, at
// Debug with -v, else at Info, or at Warn on a terminal (where the
// progress line tells the rest).
func newLogger(c config, pe procEnv) *slog.Logger {
	level := slog.LevelInfo
	switch {
	case c.verbose:
		level = slog.LevelDebug
	case pe.term:
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(pe.stderr, &slog.HandlerOptions{Level: level}))
}
